"""The comment sanitiser against known XSS vectors: markdown-it-py renders, nh3 cleans; what comes out has
no script, no event handler, no javascript:/data: URL and no style, whatever goes in."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tracker import richtext

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](https://example.org/x.png)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href='#' onclick='alert(1)'>x</a>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><input type=submit></form>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<span class=\"mention\" onmouseover=\"alert(1)\">@x</span>",
    "[a](https://example.org \"title\" onmouseover=alert(1))",
    "<https://example.org/\" onmouseover=\"alert(1)>",
    "[x](https://example.org/<script>)",
    "@<script>alert(1)</script>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<video><source onerror=alert(1)>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "[x](&#106;avascript:alert(1))",
    "[x](%6Aavascript:alert(1))",
]

ALLOWED = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "blockquote", "span"}


class _Elements(HTMLParser):
    """The real elements and attributes of the output (escaped text is text, not markup)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives(vector):
    html = str(richtext.render(vector, ["x"]))
    for tag, attrs in elements(html):
        assert tag in ALLOWED, html
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", html
            if name == "href":  # a scheme, if any, is http(s) or mailto ("%6Aavascript:" is a relative path)
                scheme = re.match(r"\s*([a-z][a-z0-9+.-]*):", value or "", re.IGNORECASE)
                assert scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}, html
            if name == "class":
                assert tag == "span" and value == "mention", html
            assert name in {"href", "title", "rel", "class"}, html


def test_the_small_subset_renders():
    html = str(richtext.render("**b** *i* `c`\n\n- one\n- two\n\n> quoted\n\n[site](https://example.org)\nline"))
    for part in ("<strong>b</strong>", "<em>i</em>", "<code>c</code>", "<li>one</li>", "<blockquote>",
                 'href="https://example.org"', 'rel="nofollow noopener noreferrer"', "<br>"):
        assert part in html, (part, html)


def test_headings_and_images_are_not_in_the_subset():
    html = str(richtext.render("# Big\n\n![img](https://example.org/x.png)"))
    assert "<h1>" not in html and "<img" not in html


def test_mentions_of_known_names_only_and_never_inside_code_or_addresses():
    html = str(richtext.render("@editor and @ghost, `@editor`, mail editor@example.org", ["editor"]))
    assert html.count('<span class="mention">@editor</span>') == 1
    assert "@ghost" in html and "mention\">@ghost" not in html
    assert "<code>@editor</code>" in html and "editor@example.org" in html
    assert richtext.mentioned_names("hi @a.b and @c_d, mail x@y.org, @a.b") == ["a.b", "c_d"]

"""Comment text to HTML: a small safe Markdown subset rendered by markdown-it-py, then sanitised by nh3
(a maintained HTML sanitiser), never by escaping of our own. `@username` mentions of known people become a
highlighted name; any other `@word` stays plain text."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

#: `@name` not inside a word, an address or a path (so "a@b.org" and "/@x" are no mentions).
MENTION = re.compile(r"(?<![\w@/.:-])@([A-Za-z0-9_.+-]*[A-Za-z0-9_])")

_ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "blockquote", "span"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}  # span: only class="mention" (allowed_classes)
_URL_SCHEMES = {"http", "https", "mailto"}

# html=False: raw HTML in the source is text; headings, tables and images are left out of the subset.
_md = (
    MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    .disable(["heading", "lheading", "image", "table", "hr", "html_block", "html_inline"], ignoreInvalid=True)
)


def mentioned_names(text: str) -> list[str]:
    """The `@names` written in `text`, in order, each once (the caller keeps those of known people)."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def _mark_mentions(html: str, known: Collection[str]) -> str:
    if not known:
        return html
    lowered = {name.lower() for name in known}
    parts = re.split(r"(<[^>]*>)", html)  # only text between tags, never inside an attribute
    in_code = 0
    for index, part in enumerate(parts):
        if part.startswith("<"):
            tag = part.lower()
            if tag.startswith(("<code", "<pre")):
                in_code += 1
            elif tag.startswith(("</code", "</pre")):
                in_code = max(0, in_code - 1)
            continue
        if in_code:
            continue
        parts[index] = MENTION.sub(
            lambda m: f'<span class="mention">@{m.group(1)}</span>' if m.group(1).lower() in lowered else m.group(0),
            part,
        )
    return "".join(parts)


def render(text: str, mentions: Iterable[str] = ()) -> SafeString:
    """`text` as sanitised HTML; `mentions` are the usernames to highlight (the comment's known mentions)."""
    html = _md.render(text or "")
    html = _mark_mentions(html, list(mentions))
    clean = nh3.clean(
        html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, url_schemes=_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer", allowed_classes={"span": {"mention"}},
    )
    return mark_safe(clean)

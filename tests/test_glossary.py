"""The Russian catalogue keeps to docs/glossary.md, and every plural message agrees with its number in
Russian for 1, 2, 5, 11 and 21 (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

BASE = Path(settings.BASE_DIR)
CATALOGUE = polib.pofile(str(BASE / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
GLOSSARY = (BASE / "docs" / "glossary.md").read_text(encoding="utf-8")


def _glossary_rows() -> list[dict[str, str]]:
    rows = []
    for line in GLOSSARY.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in {"English", "---"} or set(cells[0]) <= {"-"}:
            continue
        english, russian, entry, avoid, _why = cells
        rows.append({
            "english": english, "russian": russian, "entry": entry,
            "avoid": [pattern for pattern in re.findall(r"`([^`]+)`", avoid)],
        })
    return rows


def _msgstrs(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


ROWS = _glossary_rows()


def test_the_glossary_names_the_trackers_own_words():
    terms = {row["english"] for row in ROWS}
    for word in ("milestone", "progress (the figure, %)", "overdue", "dashboard", "timeline", "blocked",
                 "at risk", "viewer", "presidency", "member states", "Collective Security Council"):
        assert word in terms, word


@pytest.mark.parametrize("row", [row for row in ROWS if row["entry"]], ids=lambda row: row["english"])
def test_the_catalogue_translates_each_glossary_entry_with_its_term(row):
    entry = CATALOGUE.find(row["entry"])
    assert entry is not None, f"no catalogue entry {row['entry']!r}"
    first = row["russian"].split(",")[0].strip()
    assert first.lower() in entry.msgstr.lower(), (row["entry"], entry.msgstr)


@pytest.mark.parametrize("row", [row for row in ROWS if row["avoid"]], ids=lambda row: row["english"])
def test_no_russian_text_uses_a_variant_the_glossary_avoids(row):
    offending = [
        (entry.msgid, text)
        for entry in CATALOGUE
        for text in _msgstrs(entry)
        for pattern in row["avoid"]
        if re.search(pattern, text, re.IGNORECASE) and not _names_the_observer_status(row, entry)
    ]
    assert not offending, offending


def _names_the_observer_status(row: dict[str, str], entry: polib.POEntry) -> bool:
    """«Наблюдатель» is kept for the CSTO's observer status (glossary: observer), never for the viewer role."""
    return row["english"] == "viewer" and re.search(r"\bobserver", entry.msgid, re.IGNORECASE) is not None


def test_the_seed_keeps_to_the_glossary_too():
    seed = (BASE / "fixtures" / "agenda_2023.json").read_text(encoding="utf-8")
    for row in ROWS:
        for pattern in row["avoid"]:
            assert not re.search(pattern, seed, re.IGNORECASE), (row["english"], pattern)
    assert "(2023)" not in seed  # a year in a sentence is «2023 г.» or «в 2023 году»
    assert not re.search(r" – (?!член)", seed)  # sentence dashes are em dashes here too


def test_sentence_dashes_are_em_dashes():
    """The en dash only in «государства – члены» and between the ends of a range."""
    stray = [
        (entry.msgid, text) for entry in CATALOGUE for text in _msgstrs(entry)
        if re.search(r"(?<!\)s) – (?!член)", text)
    ]
    assert not stray, stray


# --- Plurals ----------------------------------------------------------------------------------------------

#: Counted words after a number, by the form a number takes: 1 and 21 (one), 2 (few), 5 and 11 (many).
#: A genitive paradigm sits beside the nominative one ("в течение 1 дня, 5 дней").
PARADIGMS = [
    ("день", "дня", "дней"), ("дня", "дней", "дней"),
    ("мероприятие", "мероприятия", "мероприятий"), ("мероприятия", "мероприятий", "мероприятий"),
    ("запись", "записи", "записей"), ("ключ", "ключа", "ключей"), ("доставка", "доставки", "доставок"),
    ("фильтр", "фильтра", "фильтров"), ("просроченное", "просроченных", "просроченных"),
    ("контрольная", "контрольные", "контрольных"), ("пункт", "пункта", "пунктов"),
    ("обязательство", "обязательства", "обязательств"),
    ("неделя", "недели", "недель"), ("недели", "недель", "недель"),
]
CATEGORY = {1: 0, 21: 0, 2: 1, 5: 2, 11: 2}
#: A modifier before the number takes one form for 1 and another for 21 («ближайший 1 день», «ближайшие
#: 21 день»): one plural form cannot serve both, so none may stand there.
MODIFIERS_BEFORE_NUMBERS = re.compile(r"(ближайш|последн|все|всех|каждый)\w*\s+$", re.IGNORECASE)
PLURALS = [entry for entry in CATALOGUE if entry.msgid_plural]


def _placeholder(entry: polib.POEntry) -> str:
    names = re.findall(r"%\((\w+)\)[sd]", entry.msgid_plural)
    counted = [name for name in names if name in {"counter", "count", "n", "days"}]
    assert counted, entry.msgid_plural
    return counted[0]


def _render(entry: polib.POEntry, n: int) -> str:
    name = _placeholder(entry)
    values = {key: "X" for key in re.findall(r"%\((\w+)\)s", entry.msgid_plural)} | {name: n}
    with translation.override("ru"):
        template = translation.ngettext(entry.msgid, entry.msgid_plural, n)
    return template % {key: (value if key == name else "X") for key, value in values.items()}


def test_the_catalogue_holds_the_plurals_its_header_promises():
    forms = int(re.search(r"nplurals=(\d+)", CATALOGUE.metadata["Plural-Forms"]).group(1))
    assert len(PLURALS) >= 17
    for entry in PLURALS:
        assert len(entry.msgstr_plural) == forms and all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("entry", PLURALS, ids=lambda entry: entry.msgid_plural[:40])
@pytest.mark.parametrize("n", [1, 2, 5, 11, 21])
def test_every_plural_message_agrees_with_its_number_in_russian(entry, n):
    text = _render(entry, n)
    match = re.search(rf"(?<!\d){n}(?!\d)", text)
    assert match, text
    before, after = text[: match.start()], text[match.end():]
    assert not MODIFIERS_BEFORE_NUMBERS.search(before), text
    following = re.match(r"\s*([а-яё]+)", after, re.IGNORECASE)
    if following is None:
        return  # the number ends the phrase or stands after a colon: nothing to agree with
    word = following.group(1).lower()
    # A short participle after a number («1 просрочено») agrees with nothing.
    assert not re.fullmatch(r"[а-яё]+(ено|ано|ото|ыто)", word), text
    fitting = [p for p in PARADIGMS if word in p]
    assert fitting, f"add the paradigm of {word!r} to PARADIGMS ({text})"
    assert any(p[CATEGORY[n]] == word for p in fitting), text


@pytest.mark.parametrize("entry", PLURALS, ids=lambda entry: entry.msgid_plural[:40])
def test_forms_that_count_something_differ_between_1_2_and_5(entry):
    one, few, many = (entry.msgstr_plural[index] for index in (0, 1, 2))
    if one == few == many:
        # One text for every number is right only where the number has nothing to agree with.
        assert re.search(r"%\(\w+\)[sd]\s*$", one) or re.search(r":\s*%\(\w+\)[sd]", one), one
    else:
        assert one != many, entry.msgid

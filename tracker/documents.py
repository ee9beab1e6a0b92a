"""The rules of an uploaded file, in one place: the size limit, the allowed kinds (recognised from the
file's first bytes, never from its name or the browser's word), and the cleaning of its name.

A small signature table is enough for the kinds staff attach: PDF; Word, Excel and PowerPoint (OOXML: a zip
whose [Content_Types].xml names the main part); OpenDocument (a zip whose first member `mimetype` says so);
the older Word and Excel (OLE compound files); PNG and JPEG; plain text and CSV (valid UTF-8 without NUL).
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileType:
    code: str
    label: str  # or a lazy translation
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "PDF", "application/pdf", (".pdf",))
DOCX = FileType("docx", "Word (DOCX)",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("xlsx", "Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                (".xlsx",))
PPTX = FileType("pptx", "PowerPoint (PPTX)",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
ODT = FileType("odt", _("OpenDocument text (ODT)"), "application/vnd.oasis.opendocument.text", (".odt",))
OLE = FileType("ole", _("Word/Excel 97–2003 (DOC, XLS)"), "application/x-ole-storage", (".doc", ".xls"))
PNG = FileType("png", "PNG", "image/png", (".png",))
JPEG = FileType("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg"))
TEXT = FileType("text", _("Text or CSV"), "text/plain", (".txt", ".csv"))
ALLOWED: tuple[FileType, ...] = (PDF, DOCX, XLSX, PPTX, ODT, OLE, PNG, JPEG, TEXT)
BY_CODE = {t.code: t for t in ALLOWED}

#: The main part each OOXML kind declares in [Content_Types].xml.
_OOXML_MAIN = (
    (b"wordprocessingml.document.main+xml", DOCX),
    (b"spreadsheetml.sheet.main+xml", XLSX),
    (b"presentationml.presentation.main+xml", PPTX),
)
_TEXT_SAMPLE = 64 * 1024
_ZIP_TYPES_LIMIT = 1024 * 1024  # [Content_Types].xml is a few KB; a larger one is not an Office file


def allowed_kinds_text() -> str:
    return ", ".join(str(t.label) for t in ALLOWED)


def max_bytes() -> int:
    return int(settings.DOCUMENTS_MAX_BYTES)


def human_size(size: int) -> str:
    """Bytes as staff say them (25 MB), unlocalised digits."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"


def sniff(stream: IO[bytes]) -> FileType | None:
    """The file's kind from its content, or None when it is none of the allowed kinds."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            return OLE
        if head.startswith(b"PK\x03\x04"):
            return _sniff_zip(stream)
        return _sniff_text(stream)
    finally:
        stream.seek(0)


def _sniff_zip(stream: IO[bytes]) -> FileType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                info = archive.getinfo("mimetype")
                if info.file_size <= 100 and archive.read("mimetype").strip() == ODT.content_type.encode():
                    return ODT
                return None
            if "[Content_Types].xml" not in names:
                return None
            if archive.getinfo("[Content_Types].xml").file_size > _ZIP_TYPES_LIMIT:
                return None
            declared = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        return None
    for marker, kind in _OOXML_MAIN:
        if marker in declared:
            return kind
    return None


def _sniff_text(stream: IO[bytes]) -> FileType | None:
    sample = stream.read(_TEXT_SAMPLE)
    if not sample or b"\x00" in sample:
        return None
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end inside a character: only an error in its last three bytes is forgiven.
        if error.start < len(sample) - 3:
            return None
        text = sample[: error.start].decode("utf-8")
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    return TEXT if controls == 0 else None


_SAFE_PUNCTUATION = set(".-_ ()[],+&@'#№«»")


def _safe_char(char: str) -> bool:
    """Letters, digits and marks of any script, dashes and quotes, and a few harmless marks; never a path
    separator, markup (<, >, "), a wildcard or a control character."""
    category = unicodedata.category(char)
    return category[0] in "LNM" or category in ("Pd", "Pi", "Pf") or char in _SAFE_PUNCTUATION


def clean_file_name(raw: str, kind: FileType) -> str:
    """A safe name for the download: no path, no control or markup characters, no leading dots, at most 150
    characters, and an extension that matches the content (a PDF named report.exe becomes report.exe.pdf)."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = "".join(c if _safe_char(c) else "_" for c in name)
    name = re.sub(r"\s+", " ", name).strip(" ._")
    name = re.sub(r"_{2,}", "_", name)
    stem, ext = os.path.splitext(name)
    if ext.lower() not in kind.extensions:
        stem, ext = name, kind.extensions[0]
    stem = stem[: 150 - len(ext)].rstrip(" ._") or "document"
    return stem + ext.lower()

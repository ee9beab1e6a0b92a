"""Small real files of each kind the tracker accepts (and some it refuses), built in memory."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
CSV = "title;due\nСовместные учения;2023-09-30\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 50
HTML_AS_PDF_NAME = b"<html><script>alert(1)</script></html>"


def ooxml(main: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/x.xml" ContentType="application/vnd.openxmlformats-officedocument.{main}"/>'
            "</Types>"))
        archive.writestr("x.xml", "<x/>")
    return buffer.getvalue()


DOCX = ooxml("wordprocessingml.document.main+xml")
XLSX = ooxml("spreadsheetml.sheet.main+xml")
PPTX = ooxml("presentationml.presentation.main+xml")


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", EXE)
    return buffer.getvalue()


def upload(content: bytes, name: str = "concept-note.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)

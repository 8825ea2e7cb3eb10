"""Uploads built in code: honest files, and hostile ones wearing their names.

Each PDF is a real, well-formed document (the xref offsets are right), so a
refusal proves the content check and not a parse failure.
"""

import importlib
import io
import zipfile
import zlib
from contextlib import contextmanager

from django.urls import clear_url_caches
from PIL import Image


def build_pdf(*objects: bytes, catalog_extra: bytes = b"") -> bytes:
    """A one-page PDF. `objects` are appended after the catalog, pages and
    page (numbered from 4); `catalog_extra` goes inside the catalog."""
    body = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(body, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref))
    return out.getvalue()


def clean_pdf() -> bytes:
    return build_pdf()


def pdf_with_open_action_javascript() -> bytes:
    return build_pdf(
        b"<< /Type /Action /S /JavaScript /JS (app.alert\\('pwned'\\);) >>",
        catalog_extra=b"/OpenAction 4 0 R",
    )


def pdf_opening_at_page_one() -> bytes:
    """What TeX and office suites write: open at page 1, fit to the window."""
    return build_pdf(b"<< /S /GoTo /D [3 0 R /Fit] >>", catalog_extra=b"/OpenAction 4 0 R /PageMode /UseNone")


def pdf_opening_a_web_page() -> bytes:
    return build_pdf(b"<< /S /URI /URI (http://tracker.invalid/opened) >>", catalog_extra=b"/OpenAction 4 0 R")


def pdf_with_escaped_javascript_name() -> bytes:
    """/J#61vaScript is /JavaScript to a viewer; a naive byte search misses it."""
    return build_pdf(
        b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\);) >>", catalog_extra=b"/Names << /J#61vaScript 4 0 R >>"
    )


def pdf_with_action_in_object_stream() -> bytes:
    """The action sits inside a Flate-compressed object stream, where the
    file's own bytes never spell it out."""
    inner = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>"
    packed = zlib.compress(b"5 0 " + inner)
    stream = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
    return build_pdf(stream + packed + b"\nendstream")


def pdf_with_encoded_object_stream() -> bytes:
    """An object stream the check cannot read (ASCII85 over Flate)."""
    stream = b"<< /Type /ObjStm /N 1 /First 4 /Filter [/ASCII85Decode /FlateDecode] /Length 10 >>\nstream\n"
    return build_pdf(stream + b"GhVa?~>" + b"\nendstream")


def pdf_with_compressed_page() -> bytes:
    """An honest PDF whose page content is compressed (as almost all are)."""
    content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Invoice) Tj ET")
    stream = b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(content)
    return build_pdf(stream + content + b"\nendstream")


def html_page() -> bytes:
    return (
        b"<!DOCTYPE html><html><body><script>fetch('/api/v1/members/')</script>\xe5\x8f\x91\xe7\xa5\xa8</body></html>"
    )


def png_image(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_image(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


def windows_program() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode.\r\n"
    )


def ofd_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "OFD.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'
        )
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return out.getvalue()


def ofd_not_a_zip() -> bytes:
    """OFD.xml's own text, saved alone under an .ofd name."""
    return b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'


def zip_without_ofd() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("invoice.html", html_page())
    return out.getvalue()


@contextmanager
def urls_as_under_debug(settings):
    """The site's URLs as `./dev.sh run` builds them (DEBUG on), where a
    MEDIA_URL route used to serve every upload to anyone who asked."""
    import config.urls

    debug = settings.DEBUG
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    try:
        yield
    finally:
        settings.DEBUG = debug
        importlib.reload(config.urls)
        clear_url_caches()

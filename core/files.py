"""Uploaded files: what a file really is, the name it is stored under, and
how it is sent back.

- `sniff(content, name=...)` says what a file is by its bytes (never by its
  name or the browser's claimed type) and refuses a PDF that carries active
  content (scripts, automatic actions, embedded files, XFA forms).
- `random_file_name(filename, extensions=...)` is what every `upload_to`
  returns: a uuid, so a path cannot be guessed from an invoice's or a
  survey's name.
- `local_copy(file, name=...)` gives a reader that needs a path (calamine,
  the spreadsheet sniffers) a temporary local copy of a stream: a file
  through the storage API (another host's disk, object storage) or an
  upload. Nothing opens a stored file by `.path`.
- `file_response(field_file, filename=...)` is the only way a stored file
  leaves the site, from a view that has already checked the scope. It is
  always a download (`Content-Disposition: attachment`, `nosniff`); with
  `PROTECTED_MEDIA_REDIRECT` set, nginx sends the bytes from an `internal`
  location (`X-Accel-Redirect`) and nothing serves MEDIA_ROOT directly.
  On object storage (STORAGE_S3_BUCKET) the bytes are streamed through the
  storage API rather than by a redirect to a presigned URL: the bucket stays
  private and need not be reachable from browsers, the download keeps this
  function's headers, and no link outlives the view's scope check.

The PDF check reads bytes rather than parsing with a PDF library. The
dictionaries that start actions are written either in the file as it stands
or inside object streams; both are read here (object streams inflated within
a budget, "#xx" escapes in names undone), and an object stream that cannot
be read (encrypted, another filter) refuses the file rather than passing
it. A parser would add little to that and would refuse the damaged but
viewable PDFs that invoicing systems and scanners do produce; it would also
run a large, often-patched parser over every hostile upload.
"""

import io
import os
import re
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import ApplicationError


class FileKind(StrEnum):
    PDF = "pdf"
    OFD = "ofd"
    JPEG = "jpeg"
    PNG = "png"
    GIF = "gif"
    WEBP = "webp"
    BMP = "bmp"


IMAGE_KINDS = frozenset({FileKind.JPEG, FileKind.PNG, FileKind.GIF, FileKind.WEBP, FileKind.BMP})
# The extension a file of each kind is stored and offered under.
KIND_EXTENSIONS = {
    FileKind.PDF: "pdf",
    FileKind.OFD: "ofd",
    FileKind.JPEG: "jpg",
    FileKind.PNG: "png",
    FileKind.GIF: "gif",
    FileKind.WEBP: "webp",
    FileKind.BMP: "bmp",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "csv": "text/csv",
}
# What a name's extension claims: a file whose content is of another family
# (a PNG named .pdf, an HTML page named .pdf) is not what it says.
CLAIMED_FAMILY = {
    "pdf": "pdf",
    "ofd": "ofd",
    **{extension: "image" for extension in ("jpg", "jpeg", "jpe", "png", "gif", "webp", "bmp")},
}

_PILLOW_FORMATS = {
    FileKind.JPEG: "JPEG",
    FileKind.PNG: "PNG",
    FileKind.GIF: "GIF",
    FileKind.WEBP: "WEBP",
    FileKind.BMP: "BMP",
}

# PDF names that make a viewer do something by itself: run JavaScript, act
# on page or field events (/AA), start a program (/Launch), carry other files
# (/EmbeddedFile(s)), play Flash or video (/RichMedia), or render an XFA form
# (which scripts itself). /OpenAction is judged by what it does (below).
PDF_ACTIVE_NAMES = frozenset(
    {b"JavaScript", b"JS", b"AA", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"}
)
# Names long enough that random bytes (compressed images, fonts) do not spell
# them are looked for everywhere, stream data included; the short ones only
# where dictionaries are written, or a photo-heavy PDF would be refused by chance.
_PDF_LONG_NAMES = frozenset(name for name in PDF_ACTIVE_NAMES if len(name) >= 6)
# Every action type but GoTo (ISO 32000-2, 12.6.4). TeX, LibreOffice and
# Acrobat write /OpenAction as "open at page 1, fit to the window" (a
# destination, or a GoTo action); any other action on opening is refused.
_PDF_ACTION_TYPES = frozenset(
    {
        *(b"GoToR", b"GoToE", b"GoToDp", b"Launch", b"Thread", b"URI", b"Sound", b"Movie", b"Hide", b"Named"),
        *(b"SubmitForm", b"ResetForm", b"ImportData", b"SetOCGState", b"Rendition", b"Trans", b"GoTo3DView"),
        *(b"JavaScript", b"RichMediaExecute"),
    }
)
# A PDF name: a slash and the regular characters after it (ISO 32000 7.3.5);
# "#xx" spells any byte, so /J#61vaScript is /JavaScript.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_REFERENCE = re.compile(rb"(\d+)\s+(\d+)\s+R")
_PDF_SPACE = b"\x00\t\n\x0c\r "
_PDF_OTHER_FILTERS = frozenset(
    {
        *(b"ASCIIHexDecode", b"ASCII85Decode", b"LZWDecode", b"RunLengthDecode", b"CCITTFaxDecode"),
        *(b"JBIG2Decode", b"DCTDecode", b"JPXDecode", b"Crypt", b"AHx", b"A85", b"LZW", b"Fl", b"RL", b"CCF", b"DCT"),
    }
)
# Object streams inflate to dictionaries; a file needing more is not checked.
_PDF_INFLATE_BUDGET = 32 * 1024 * 1024


class _Unreadable(Exception):
    """A part of the PDF where dictionaries live cannot be read."""


def _pdf_name(match: re.Match[bytes]) -> bytes:
    return _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))


def _pdf_names(chunk: bytes) -> set[bytes]:
    return {_pdf_name(m) for m in _PDF_NAME.finditer(chunk)}


def _pdf_objects(body: bytes, dictionary: bytes) -> bytes:
    """An object stream's objects, each written out as "n 0 obj ... endobj"
    so that references into it resolve like those to the file's own objects."""
    first = re.search(rb"/First\s+(\d+)(?!\d)(?!\s+\d+\s+R)", dictionary)
    if first is None:
        return body
    offset = int(first.group(1))
    header = body[:offset].split()
    if len(header) % 2 or not all(token.isdigit() for token in header):
        return body
    pairs = [(int(header[i]), offset + int(header[i + 1])) for i in range(0, len(header), 2)]
    ends = [start for _number, start in pairs[1:]] + [len(body)]
    return b"".join(
        b"%d 0 obj\n%s\nendobj\n" % (obj, body[start:end]) for (obj, start), end in zip(pairs, ends, strict=True)
    )


def _pdf_dictionaries(content: bytes) -> bytes:
    """The parts of a PDF where dictionaries are written: the file outside
    stream data, and the objects of every object stream, inflated. Raises
    _Unreadable for an object stream that is encrypted, uses a filter other
    than Flate, or inflates past the budget."""
    parts: list[bytes] = []
    position, budget = 0, _PDF_INFLATE_BUDGET
    while True:
        start = _PDF_STREAM.search(content, position)
        if start is None:
            parts.append(content[position:])
            return b"\n".join(parts)
        before = content[position : start.start()]
        parts.append(before)
        end = content.find(b"endstream", start.end())
        body = content[start.end() : end if end >= 0 else len(content)]
        position = end + len(b"endstream") if end >= 0 else len(content)
        dictionary = before[before.rfind(b"obj") :]
        names = _pdf_names(dictionary)
        # A viewer takes any stream with /First for an object stream, /Type or not.
        if b"ObjStm" not in names and b"First" not in names:
            continue
        if b"Filter" in names or b"DecodeParms" in names:
            # Flate alone is what writers use; anything else (another filter,
            # a predictor, encryption, a filter given by reference) is not read.
            if b"FlateDecode" not in names or names & _PDF_OTHER_FILTERS or b"DecodeParms" in names:
                raise _Unreadable
            inflater = zlib.decompressobj()
            try:
                body = inflater.decompress(body, budget)
            except zlib.error:
                raise _Unreadable from None
            if inflater.unconsumed_tail or not inflater.eof:
                raise _Unreadable
        budget -= len(body)
        if budget <= 0:
            raise _Unreadable
        parts.append(_pdf_objects(body, dictionary))


def _pdf_value_end(text: bytes, i: int) -> int:
    """Where the array or dictionary starting at text[i] ends (strings skipped)."""
    depth = 0
    while i < len(text):
        if text[i] == ord("("):
            nesting, i = 1, i + 1
            while i < len(text) and nesting:
                nesting += {ord("("): 1, ord(")"): -1}.get(text[i], 0)
                i += 2 if text[i] == ord("\\") else 1
            continue
        if text.startswith((b"<<", b">>"), i):
            depth += 1 if text[i] == ord("<") else -1
            i += 2
        elif text[i] in b"[]":
            depth += 1 if text[i] == ord("[") else -1
            i += 1
        elif text[i] == ord("<"):
            i = text.find(b">", i) + 1 or len(text)
            continue
        else:
            i += 1
            continue
        if depth <= 0:
            return i
    return len(text)


def _pdf_goes_to_a_page(text: bytes, i: int, hops: int = 0) -> bool:
    """Whether the value at text[i] is a destination, or a GoTo action with
    nothing chained after it, resolving references through every definition
    of the object (an incremental update may redefine it)."""
    while i < len(text) and text[i] in _PDF_SPACE:
        i += 1
    if text.startswith(b"[", i):
        return True
    if text.startswith(b"<<", i):
        action = _pdf_names(text[i : _pdf_value_end(text, i)])
        return b"GoTo" in action and b"Next" not in action and not action & _PDF_ACTION_TYPES
    reference = _PDF_REFERENCE.match(text, i)
    if reference is None or hops >= 3:
        return False
    number, generation = reference.groups()
    definitions = re.finditer(rb"(?<![0-9])" + number + rb"\s+" + generation + rb"\s+obj", text)
    ends = [found.end() for found in definitions]
    return bool(ends) and all(_pdf_goes_to_a_page(text, end, hops + 1) for end in ends)


def _pdf_refuse_active(content: bytes, name: str) -> None:
    try:
        dictionaries = _pdf_dictionaries(content)
    except _Unreadable:
        raise ApplicationError(
            _("文件「%(name)s」的PDF内部结构无法检查（加密或不常见的压缩方式），不能上传；请用“打印为PDF”另存后再上传")
            % {"name": name}
        ) from None
    found = (_pdf_names(content) & _PDF_LONG_NAMES) | (_pdf_names(dictionaries) & PDF_ACTIVE_NAMES)
    for match in _PDF_NAME.finditer(dictionaries):
        if _pdf_name(match) == b"OpenAction" and not _pdf_goes_to_a_page(dictionaries, match.end()):
            found.add(b"OpenAction")
    if found:
        raise ApplicationError(
            _("文件「%(name)s」含有脚本、自动执行的动作或嵌入的文件（%(what)s），不能上传；请用“打印为PDF”另存后再上传")
            % {"name": name, "what": "、".join(sorted("/" + n.decode("latin-1") for n in found))}
        )


def _image_kind(content: bytes) -> FileKind | None:
    if content.startswith(b"\xff\xd8\xff"):
        kind = FileKind.JPEG
    elif content.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = FileKind.PNG
    elif content.startswith((b"GIF87a", b"GIF89a")):
        kind = FileKind.GIF
    elif content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        kind = FileKind.WEBP
    elif content.startswith(b"BM"):
        kind = FileKind.BMP
    else:
        return None
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != _PILLOW_FORMATS[kind]:
                return None
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    return kind


def _is_ofd(content: bytes) -> bool:
    # GB/T 33190: an OFD is a zip whose root holds OFD.xml. Only the zip's
    # directory is read, nothing is inflated.
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "OFD.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def extension_of(filename: str) -> str:
    return os.path.splitext(filename)[1].lstrip(".").lower()


def sniff(content: bytes, *, name: str) -> FileKind | None:
    """What a file is by its bytes: PDF (`%PDF-`), OFD (a zip with OFD.xml),
    or a JPEG, PNG, GIF, WebP or BMP image that Pillow can open. None for
    anything else, and for a file whose name claims another family than its
    content (a PNG or an HTML page named .pdf). Raises ApplicationError,
    naming the file, for a PDF with active content or one that cannot be
    checked."""
    kind: FileKind | None
    if content.startswith(b"%PDF-"):
        kind = FileKind.PDF
    elif _is_ofd(content):
        kind = FileKind.OFD
    else:
        kind = _image_kind(content)
    if kind is None:
        return None
    claimed = CLAIMED_FAMILY.get(extension_of(name))
    family = "image" if kind in IMAGE_KINDS else kind.value
    if claimed is not None and claimed != family:
        return None
    if kind == FileKind.PDF:
        _pdf_refuse_active(content, name)
    return kind


def random_file_name(filename: str, *, extensions: Collection[str]) -> str:
    """A stored name nobody can guess: a uuid, plus the original extension
    (lower-cased) when it is one of `extensions`, otherwise none. Every
    `upload_to` goes through here."""
    extension = extension_of(filename)
    return f"{uuid.uuid4().hex}.{extension}" if extension in extensions else uuid.uuid4().hex


def file_response(field_file: FieldFile, *, filename: str) -> HttpResponseBase:
    """Send a stored file as a download named `filename` (its extension
    follows the stored file's). The caller has checked the scope. Raises
    Http404 when the file is gone."""
    stored = field_file.name or ""
    extension = extension_of(stored)
    if extension and extension_of(filename) != extension:
        filename = f"{os.path.splitext(filename)[0] or 'file'}.{extension}"
    content_type = CONTENT_TYPES.get(extension, "application/octet-stream")
    redirect = getattr(settings, "PROTECTED_MEDIA_REDIRECT", "")
    response: HttpResponseBase
    if redirect:
        if not stored or not field_file.storage.exists(stored):
            raise Http404(_("文件已丢失"))
        # nginx sends the bytes from an `internal` location over MEDIA_ROOT
        # and keeps Content-Type, Content-Disposition and Cache-Control.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = redirect.rstrip("/") + "/" + quote(stored)
    else:
        try:
            handle = field_file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404(_("文件已丢失")) from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@contextmanager
def local_copy(
    file: IO[bytes], *, name: str, max_bytes: int | None = None, too_big: Callable[[int], None] | None = None
) -> Iterator[str]:
    """A temporary local path holding `file`'s bytes (read in 1 MB blocks),
    removed afterwards. `too_big(size)` is called, to raise, as soon as the
    copy passes `max_bytes`."""
    suffix = os.path.splitext(name)[1][:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            tmp.write(block)
            if too_big is not None and max_bytes is not None and tmp.tell() > max_bytes:
                too_big(tmp.tell())
        tmp.flush()
        yield tmp.name

"""Checks an uploaded .xlsx passes before any reader opens it, shared by
the survey import and the roster import.

- `check_zip`: a zip bomb is refused by its central directory, before any
  XML is inflated.
- `check_sheet_extent`: a sheet whose cells reach absurdly far is refused
  by a scan of its XML, and so is any part of the workbook that declares a
  document type (entities: billion laughs, external entities). Readers allocate rows × columns: one cell at
  XFD1048576 in a 1.6 KB file asks python-calamine for 512 GB (and the
  process aborts), and openpyxl pads every row to the declared width.

Both raise `UploadRefused` (a `SheetTooLarge` for the extent) with a
Chinese message; callers may say it in their own words.
"""

import os
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO
from xml.etree import ElementTree
from xml.parsers import expat

from django.utils.translation import gettext as _

from core.errors import ApplicationError

Source = str | os.PathLike[str] | IO[bytes]

MAX_PARTS = 10_000
# Small parts that say where the sheets are; a bigger one is not a workbook.
MAX_INDEX_PART_BYTES = 4 * 1024 * 1024
SCAN_BLOCK = 1024 * 1024
# Bytes kept from one block to the next, so a reference cut in two is seen whole.
SCAN_OVERLAP = 256


class UploadRefused(ApplicationError):
    """The uploaded file as a whole is refused; nothing was read from it."""


class NotAWorkbook(UploadRefused):
    """Not a zip, damaged, or a zip without a workbook in it."""


class SheetTooLarge(UploadRefused):
    def __init__(self, *, sheet: str, row: int, column: int, max_row: int, max_column: int) -> None:
        self.sheet, self.row, self.column = sheet, row, column
        super().__init__(
            _("表格范围超出上限：工作表“%(sheet)s”用到%(where)s，最多允许 %(rows)s 行、%(cols)s 列")
            % {"sheet": sheet, "where": self.where(max_row, max_column), "rows": f"{max_row:,}", "cols": max_column}
        )

    def where(self, max_row: int, max_column: int) -> str:
        """Where the sheet goes too far, in words: "第 1,048,576 行", "第 16,384 列" or both."""
        places = []
        if self.row > max_row:
            places.append(_("第 %(n)s 行") % {"n": f"{self.row:,}"})
        if self.column > max_column:
            places.append(_("第 %(n)s 列") % {"n": f"{self.column:,}"})
        return "、".join(places)


# --- the zip ------------------------------------------------------------------


def check_zip(source: Source, *, max_inflated: int) -> None:
    """Refuse a zip bomb by its central directory, before any XML is inflated:
    too many parts, too much in all once inflated, or one big part packed
    implausibly tight."""
    try:
        with zipfile.ZipFile(_rewound(source)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise NotAWorkbook(_("文件已损坏或不是Excel文件（.xlsx）"))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise NotAWorkbook(_("这不是Excel表格文件：压缩包中没有工作表"))
    if len(infos) > MAX_PARTS:
        raise UploadRefused(_("Excel文件结构异常（包含的部件过多），已拒绝"))
    total = sum(info.file_size for info in infos)
    if total > max_inflated:
        raise UploadRefused(
            _("Excel文件解压后过大（%(mb)d MB），疑似压缩炸弹，已拒绝") % {"mb": total // (1024 * 1024)}
        )
    for info in infos:
        if info.compress_size and info.file_size > 50 * 1024 * 1024 and info.file_size / info.compress_size > 200:
            raise UploadRefused(_("Excel文件压缩比异常，疑似压缩炸弹，已拒绝"))


def _rewound(source: Source) -> str | os.PathLike[str] | IO[bytes]:
    if hasattr(source, "seek"):
        source.seek(0)
    return source


# --- the extent of the sheets --------------------------------------------------


@dataclass(frozen=True)
class _Limits:
    max_row: int
    max_column: int
    far: re.Pattern[bytes]


def check_sheet_extent(source: Source, *, max_row: int, max_column: int) -> None:
    """Refuse a workbook any of whose sheets declares (`<dimension>`) or holds
    a row or cell beyond `max_row` or `max_column`, empty cells included.
    Call `check_zip` first: this inflates every sheet once, streaming.

    Sheets as Excel, WPS and the usual libraries write them (`<c r="B7"`,
    `<row r="7"`, the reference first) are checked by two regular-expression
    searches per block, no Python work per cell. A sheet written any other
    way (cells without a reference, the reference elsewhere in the tag, a
    namespace prefix) is read again by a real XML parser, element by
    element: slower, and exact for every spelling a reader accepts."""
    limits = _Limits(max_row=max_row, max_column=max_column, far=_far_reference(max_row, max_column))
    try:
        with zipfile.ZipFile(_rewound(source)) as archive:
            sheets = _worksheets(archive)
            for sheet, part in sheets:
                _check_dimension(archive, sheet, part, limits)
                if not _fast_scan(archive, sheet, part, limits):
                    _exact_scan(archive, sheet, part, limits)
            scanned = {part for _sheet, part in sheets}
            for info in archive.infolist():
                if info.filename not in scanned and info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    _no_document_type(archive, info.filename)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        # Damaged, encrypted or packed in a way no reader unpacks.
        raise NotAWorkbook(_("文件已损坏或不是Excel文件（.xlsx）"))


def _worksheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) of every sheet, found the ways the readers
    find them: python-calamine reads `xl/workbook.xml`, openpyxl the
    workbook `_rels/.rels` names; the workbook names its sheets and its
    relationships say which part holds each."""
    names = set(archive.namelist())
    workbooks = ["xl/workbook.xml"]
    for _id, target in _relations(archive, "_rels/.rels", of_type="/officeDocument"):
        workbooks.extend(p for p in _part_names(target, folder="") if p not in workbooks)
    sheets: list[tuple[str, str]] = []
    for workbook_part in workbooks:
        workbook = _index_part(archive, workbook_part)
        if workbook is None:
            continue
        folder, _slash, file_name = workbook_part.rpartition("/")
        targets = dict(_relations(archive, posixpath.join(folder, "_rels", f"{file_name}.rels")))
        for element in workbook.iter():
            if element.tag.rpartition("}")[2] != "sheet":
                continue
            ids = [value for key, value in element.attrib.items() if key.endswith("}id")]
            sheet_target = targets.get(ids[0], "") if ids else ""
            for part in _part_names(sheet_target, folder=folder):
                name = element.get("name") or part
                if part in names and (name, part) not in sheets:
                    sheets.append((name, part))
    if not sheets:
        # Nothing a reader would find either; whatever looks like a sheet is looked at all the same.
        sheets = [(n, n) for n in sorted(names) if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    return sheets


def _part_names(target: str, *, folder: str) -> list[str]:
    """The part a relationship's target names: as python-calamine reads it
    (a leading slash dropped, "xl/" put in front), and as a path resolved
    against the folder of the part that points at it (openpyxl)."""
    if not target:
        return []
    calamine = target[1:] if target.startswith("/") else target if target.startswith("xl/") else f"xl/{target}"
    resolved = posixpath.normpath(target[1:] if target.startswith("/") else posixpath.join(folder, target))
    return [calamine] if resolved == calamine else [calamine, resolved]


def _relations(archive: zipfile.ZipFile, name: str, *, of_type: str = "") -> list[tuple[str, str]]:
    index = _index_part(archive, name)
    if index is None:
        return []
    return [
        (relation.get("Id") or "", relation.get("Target") or "")
        for relation in index.iter()
        if relation.tag.rpartition("}")[2] == "Relationship" and (relation.get("Type") or "").endswith(of_type)
    ]


def _index_part(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_INDEX_PART_BYTES:
        raise UploadRefused(_("Excel文件结构异常（工作簿目录过大），已拒绝"))
    data = archive.read(info)
    # No document type, so no entities to expand.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UploadRefused(_("Excel文件结构异常（含有文档类型声明），已拒绝"))
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise UploadRefused(_("Excel文件结构异常（工作簿目录无法解析），已拒绝"))


def _no_doctype(*_args: object) -> None:
    raise UploadRefused(_("Excel文件结构异常（含有文档类型声明），已拒绝"))


# No part of a workbook Excel or WPS writes declares a document type; one that
# does may define entities (billion laughs, external entities), which no
# reader here should be left to expand or fetch.
_DOCUMENT_TYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _no_document_type(archive: zipfile.ZipFile, part: str) -> None:
    carry = b""
    with archive.open(part) as stream:
        while block := stream.read(SCAN_BLOCK):
            if _DOCUMENT_TYPE.search(carry + block):
                _no_doctype()
            carry = block[-16:]


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_REFERENCE = re.compile(r"\s*\$?([A-Za-z]*)\$?(\d*)\s*")


def _check_dimension(archive: zipfile.ZipFile, sheet: str, part: str, limits: _Limits) -> None:
    """The extent the sheet declares (`<dimension ref="A1:W100002"/>`), written before its data."""
    with archive.open(part) as stream:
        head = stream.read(64 * 1024)
    start = head.find(b"<sheetData")
    found = _DIMENSION.search(head, 0, start if start >= 0 else len(head))
    if found is None:
        return
    for reference in found.group(1).decode("ascii", "replace").split(":"):
        row, column = _position(reference)
        _within(sheet, row, column, limits)


def _position(reference: str) -> tuple[int, int]:
    """(row, column), 1-based, of a reference like "XFD1048576"; 0 where a part is missing."""
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        return 0, 0
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2) or 0), column


def _within(sheet: str, row: int, column: int, limits: _Limits) -> None:
    if row > limits.max_row or column > limits.max_column:
        raise SheetTooLarge(sheet=sheet, row=row, column=column, max_row=limits.max_row, max_column=limits.max_column)


def _number_above(limit: int) -> str:
    """A pattern for a run of digits that reads as a number above `limit`."""
    digits = str(limit)
    choices = [rf"\d{{{len(digits) + 1},}}"]
    for at, digit in enumerate(digits):
        if digit != "9":
            rest = len(digits) - at - 1
            choices.append(f"{digits[:at]}[{int(digit) + 1}-9]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(choices) + r")(?!\d)"


def _letters_above(limit: int) -> str:
    """A pattern for column letters (either case) that name a column above `limit`."""
    letters = ""
    while limit:
        limit, rest = divmod(limit - 1, 26)
        letters = chr(65 + rest) + letters
    choices = [f"[A-Za-z]{{{len(letters) + 1},}}"]
    for at, letter in enumerate(letters):
        if letter != "Z":
            same = "".join(f"[{c}{c.lower()}]" for c in letters[:at])
            after = chr(ord(letter) + 1)
            rest = len(letters) - at - 1
            choices.append(same + f"[{after}-Z{after.lower()}-z]" + (f"[A-Za-z]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(choices) + ")"


def _far_reference(max_row: int, max_column: int) -> re.Pattern[bytes]:
    """A reference beyond the limits, as it follows ` r="` in a row or a cell
    tag. Most references (one capital, fewer digits than the row limit) are
    let go by the first test; only the rest meet the full pattern."""
    usual = len(str(max_row)) - 1
    common = rf'(?![A-Z]\d{{1,{usual}}}")' if usual >= 1 and max_column >= 26 else ""
    far = rf"(?:{_letters_above(max_column)}|[A-Za-z]{{0,3}}+{_number_above(max_row)})"
    return re.compile(f' r="{common}{far}'.encode())


# A row or cell tag not written the usual way: without ` r="` right after its
# name (no reference, or another spelling), or with a namespace prefix.
_UNUSUAL = re.compile(rb'<(?:c|row)(?! r=")[\s/>]')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")


def _fast_scan(archive: zipfile.ZipFile, sheet: str, part: str, limits: _Limits) -> bool:
    """True when the sheet is written the usual way and no reference is too far;
    False when it needs the exact scan. Raises SheetTooLarge."""
    carry = b""
    with archive.open(part) as stream:
        while True:
            block = stream.read(SCAN_BLOCK)
            buffer = carry + block
            # Near the end of a block a match may be cut short: it is looked at
            # again with the next block, unless this was the last.
            end = len(buffer) if not block else max(0, len(buffer) - SCAN_OVERLAP)
            far = limits.far.search(buffer)
            if far is not None and far.start() < end:
                reference = buffer[far.start() + 4 : far.start() + 40].split(b'"')[0]
                row, column = _position(reference.decode("ascii", "replace"))
                _within(sheet, row, column, limits)
                return False  # an odd reference: the parser reads it as a reader would
            declared = _DOCUMENT_TYPE.search(buffer)
            if declared is not None:
                _no_doctype()
            for unusual in (_UNUSUAL, _PREFIXED):
                found = unusual.search(buffer)
                if found is not None and found.start() < end:
                    return False
            if not block:
                return True
            carry = buffer[end:]


class _Beyond(Exception):
    def __init__(self, row: int, column: int) -> None:
        self.row, self.column = row, column


def _exact_scan(archive: zipfile.ZipFile, sheet: str, part: str, limits: _Limits) -> None:
    """Every row and cell, positioned as a reader positions them: by its
    reference, or one after the previous row or cell where it has none."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _no_doctype
    at = {"row": 0, "column": 0}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if local == "row":
            reference = attributes.get("r")
            row = at["row"] = _position(reference)[0] if reference else at["row"] + 1
            column = at["column"] = 0
        elif local == "c":
            reference = attributes.get("r")
            if reference:
                row, column = _position(reference)
                row = row or at["row"]
            else:
                row, column = at["row"], at["column"] + 1
            at["column"] = column
        else:
            return
        if row > limits.max_row or column > limits.max_column:
            raise _Beyond(row, column)

    parser.StartElementHandler = start
    try:
        with archive.open(part) as stream:
            parser.ParseFile(stream)
    except _Beyond as beyond:
        _within(sheet, beyond.row, beyond.column, limits)
    except expat.ExpatError:
        raise UploadRefused(_("Excel文件结构异常（工作表无法解析），已拒绝"))

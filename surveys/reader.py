"""Reading a survey file as people send it: .xlsx/.xls through python-calamine
(a Rust reader, about 7× faster than openpyxl's read-only mode on a
100,000-row sheet, see BENCHMARKS.md) in a process of its own
(`sandbox.py`), .csv in UTF-8, UTF-8 with BOM or GB18030/GBK (detected),
the header row found below any title rows, blank rows skipped.

Everything that makes a file unreadable is a `SurveyFileError` with a
Chinese message, raised before anything is written: too big, not a
spreadsheet, a zip bomb, a sheet reaching past the limits (at most
`max_rows()` rows below the header and MAX_COLUMNS columns), no header, or
a reader that failed.
"""

import codecs
import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core import uploads

from .columns import COLUMNS, REQUIRED, Column, map_headers, stored_text
from .sandbox import SheetReader, SurveyFileError

HEADER_SEARCH_ROWS = 30
MAX_COLUMNS = 200
XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (BIFF inside an OLE2 compound file)

__all__ = ["SurveyFileError", "SurveyTable", "check_size", "max_rows", "open_survey"]


@dataclass
class SurveyTable:
    """The data part of a sheet: spreadsheet row numbers are 1-based, as the user sees them."""

    file_name: str
    sheet_name: str
    header_row: int
    headers: list[str]
    columns: dict[int, Column]
    rows: Iterator[tuple[int, list[Any]]]
    missing_optional: list[str] = field(default_factory=list)
    reader: SheetReader | None = None

    def close(self) -> None:
        """End the reader of a table whose rows are not read to the end."""
        if self.reader is not None:
            self.reader.close()


def max_upload_bytes() -> int:
    return settings.SURVEY_MAX_UPLOAD_BYTES


def max_uncompressed_bytes() -> int:
    # A 100,000-row survey unpacks to about 100 MB of XML; anything far past
    # that is not a survey. Overridable for districts with bigger files.
    return getattr(settings, "SURVEY_MAX_UNCOMPRESSED_BYTES", max(20 * max_upload_bytes(), 200 * 1024 * 1024))


def check_size(size: int) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise SurveyFileError(
            _("文件过大：%(size).1f MB，上限为 %(limit).1f MB")
            % {"size": size / 1024 / 1024, "limit": limit / 1024 / 1024}
        )
    if size == 0:
        raise SurveyFileError(_("文件为空"))


def max_rows() -> int:
    """Rows below the header a survey file may have; a district's survey
    has a few tens of thousands. Overridable (SURVEY_MAX_ROWS)."""
    return getattr(settings, "SURVEY_MAX_ROWS", 300_000)


def too_many_rows() -> SurveyFileError:
    return SurveyFileError(
        _("文件行数超过上限：表头以下最多 %(n)s 行。请拆分为几个文件分批导入。") % {"n": f"{max_rows():,}"}
    )


def check_zip(path: str) -> None:
    """Refuse a zip bomb by its central directory, before any XML is inflated."""
    try:
        uploads.check_zip(path, max_inflated=max_uncompressed_bytes())
    except uploads.UploadRefused as exc:
        raise SurveyFileError(exc.messages[0])


def check_extent(path: str) -> None:
    """Refuse a sheet that declares or holds cells beyond the limits (DESIGN: a
    reader allocates rows × columns), naming the limits."""
    last_row = HEADER_SEARCH_ROWS + max_rows()
    try:
        uploads.check_sheet_extent(path, max_row=last_row, max_column=MAX_COLUMNS)
    except uploads.SheetTooLarge as exc:
        raise SurveyFileError(
            _("表格范围超出上限：工作表“%(sheet)s”用到%(where)s；排查摸底表表头以下最多 %(rows)s 行、最多 %(cols)d 列。"
              "请删除多余的行和列（或拆分文件）后重新上传。")
            % {"sheet": exc.sheet, "where": exc.where(last_row, MAX_COLUMNS), "rows": f"{max_rows():,}",
               "cols": MAX_COLUMNS}
        )  # fmt: skip
    except uploads.UploadRefused as exc:
        raise SurveyFileError(exc.messages[0])


def sniff(path: str, file_name: str) -> str:
    """'xlsx', 'xls' or 'csv' by content, not by the name the user gave it."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if b"\x00" in head.replace(b"\x00\x00", b"") and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SurveyFileError(_("无法识别的文件格式：请上传 .xlsx、.xls 或 .csv 表格"))
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")):
        raise SurveyFileError(_("无法识别的文件格式：请上传 .xlsx、.xls 或 .csv 表格"))
    return "csv"


CSV_BLOCK = 1024 * 1024
GUESS_SAMPLE = 1024 * 1024
ENCODINGS = ("utf-8", "gb18030")


def csv_encoding(blocks: Iterable[bytes]) -> str:
    """The text encoding of a CSV read block by block, never held whole:
    UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and
    GB2312, what Excel on a Chinese Windows saves), then charset-normalizer's
    guess on the first megabyte. The lines are counted on the way, and the
    reading stops (the file refused) at the first line past the row cap: a
    line is at most a row (a cell may hold line breaks)."""
    limit = HEADER_SEARCH_ROWS + max_rows()
    lines = 0
    decoders: dict[str, codecs.IncrementalDecoder] | None = None
    sample = b""
    for block in blocks:
        if decoders is None:
            decoders = {name: codecs.getincrementaldecoder(name)() for name in _candidates(block)}
        if len(sample) < GUESS_SAMPLE:
            sample += block[: GUESS_SAMPLE - len(sample)]
        counted = False
        for name, decoder in list(decoders.items()):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError:
                del decoders[name]
                continue
            if name == "utf-16" and not counted:
                # Two bytes a character: only the decoded text tells line breaks.
                lines += text.count("\n")
                counted = True
        if not counted:
            lines += block.count(b"\n")
        if lines > limit:
            raise too_many_rows()
    remaining = decoders or {}
    for name, decoder in list(remaining.items()):
        try:
            decoder.decode(b"", final=True)  # a character cut off at the end
        except UnicodeDecodeError:
            del remaining[name]
    if remaining:
        return next(iter(remaining))
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise SurveyFileError(_("无法识别文件的文字编码：请另存为 UTF-8 或 GB18030 编码的 CSV，或 .xlsx"))
    return best.encoding


def _candidates(first: bytes) -> tuple[str, ...]:
    if first.startswith(codecs.BOM_UTF8):
        return ("utf-8-sig",)
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    return ENCODINGS


def _csv_rows(path: str) -> tuple[str, Iterator[list[Any]]]:
    """The rows of a CSV, read from the file as they are parsed (after one
    pass that finds the encoding and refuses a file past the row cap)."""
    with open(path, "rb") as fh:
        encoding = csv_encoding(iter(lambda: fh.read(CSV_BLOCK), b""))
    return "CSV", _csv_reader(path, encoding)


def _csv_reader(path: str, encoding: str) -> Iterator[list[Any]]:
    # "replace": only a guessed encoding can meet bytes it does not decode.
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(8192)
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        yield from csv.reader(fh, dialect)


def _find_header(rows: Iterator[list[Any]]) -> tuple[int, list[Any], dict[int, Column], list[list[Any]]] | None:
    """Scan the top rows; the header is the first row naming every required column."""
    looked: list[list[Any]] = []
    for index, cells in enumerate(rows, start=1):
        mapping = map_headers(cells)
        fields = {c.field for c in mapping.values()}
        if all(c.field in fields for c in REQUIRED):
            return index, cells, mapping, looked
        looked.append(cells)
        if index >= HEADER_SEARCH_ROWS:
            break
    return None


def _data_rows(rows: Iterator[list[Any]], start: int, width: int) -> Iterator[tuple[int, list[Any]]]:
    last = start - 1 + max_rows()
    for number, cells in enumerate(rows, start=start):
        if number > last:
            raise too_many_rows()
        if len(cells) != width:
            cells = list(cells[:width]) + [None] * max(0, width - len(cells))
        first = cells[0]
        # Most rows start with a value; only the others need the full blank test.
        if first is None or first.__class__ is str and not first.strip():
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
        yield number, cells


def open_survey(path: str | os.PathLike, *, file_name: str | None = None) -> SurveyTable:
    """Check and open a survey file; iterate `table.rows` for the data (or
    `table.close()` a table not read to the end)."""
    path = os.fspath(path)
    file_name = file_name or os.path.basename(path)
    try:
        size = os.path.getsize(path)
    except OSError:
        raise SurveyFileError(_("文件不存在或无法读取：%(name)s") % {"name": file_name})
    check_size(size)
    kind = sniff(path, file_name)
    if kind == "csv":
        sheet_name, rows = _csv_rows(path)
        rows = iter(rows)
        table = _table(file_name, sheet_name, list(islice(rows, HEADER_SEARCH_ROWS)), rows, None)
        if table is None:
            raise _no_header()
        return table
    if kind == "xlsx":
        check_zip(path)
    # The reader loads the workbook in its own process while this one checks
    # the sheets' extent; no row is taken from it before the check passed.
    reader = SheetReader(path, head=HEADER_SEARCH_ROWS)
    try:
        if kind == "xlsx":
            check_extent(path)
        while (offered := reader.next_sheet()) is not None:
            sheet_name, head = offered
            table = _table(file_name, sheet_name, head, chain.from_iterable(reader.rows()), reader)
            if table is not None:
                return table
    except BaseException:
        reader.close()
        raise
    raise _no_header()


def _table(
    file_name: str, sheet_name: str, head: list[list[Any]], rest: Iterator[list[Any]], reader: SheetReader | None
) -> SurveyTable | None:
    """The sheet as a table when a header row is among its first rows (`head`; `rest` follows)."""
    found = _find_header(iter(head))
    if found is None:
        return None
    header_row, header_cells, mapping, _before = found
    width = max(mapping) + 1
    headers = ["" if c is None else stored_text(str(c).strip(), 100) for c in header_cells[:width]]
    present = {c.field for c in mapping.values()}
    return SurveyTable(
        file_name=file_name,
        sheet_name=stored_text(sheet_name, 100),
        header_row=header_row,
        headers=headers,
        columns=mapping,
        rows=_data_rows(chain(head[header_row:], rest), header_row + 1, width),
        missing_optional=[c.header for c in COLUMNS if c.field not in present],
        reader=reader,
    )


def _no_header() -> SurveyFileError:
    return SurveyFileError(
        _("未找到表头：表格前%(n)d行中没有同时包含“%(cols)s”的一行。请使用排查摸底表模板。")
        % {"n": HEADER_SEARCH_ROWS, "cols": "”“".join(c.header for c in REQUIRED)}
    )

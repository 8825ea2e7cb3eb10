"""Tables to .xlsx with openpyxl. Text that a spreadsheet would read as a
formula (= + - @, and the tab/CR tricks) is prefixed with an apostrophe so an
exported name can never run in the reader's Excel.

`xlsx_response` builds a small sheet in memory (columns sized to their
contents); `xlsx_stream` is the streaming mode for sheets of any length (a
large export's job writes through it), with the same neutraliser."""

from collections.abc import Callable, Iterable, Sequence
from io import BytesIO
from typing import IO, Any, TypeVar

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

T = TypeVar("T")
PERCENT_FORMAT = "0.0%"


class Percent(float):
    """A share (0–1) that the sheet stores as a number shown with a percent
    format, so the reader can sort and sum it: 0.279 shows as 27.9%."""


def percent(value: float | None) -> Percent | None:
    return None if value is None else Percent(value)


def safe_cell(value: T) -> T | str:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_response(*, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    ws.append([safe_cell(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) * 2 + 2 for h in headers]
    for row in rows:
        values = [safe_cell(v) for v in row]
        ws.append(values)
        for cell, v in zip(ws[ws.max_row], values, strict=False):
            if isinstance(v, Percent):
                cell.number_format = PERCENT_FORMAT
        for i, v in enumerate(values):
            widths[i] = min(max(widths[i], len(str(v if v is not None else "")) + 2), 60)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return workbook_response(wb, filename=filename)


def _header_width(header: str) -> int:
    return max(10, min(len(str(header)) * 2 + 2, 60))


def xlsx_stream(
    target: IO[bytes],
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    freeze: str = "A2",
    text_as_text: bool = False,
    header_fill: str = "",
    on_rows: Callable[[int], None] | None = None,
    every: int = 2000,
) -> int:
    """The streaming mode (openpyxl write-only): rows go to `target` as they
    come, so memory stays flat however many there are; column widths follow
    the headers, since the rows are not kept. `text_as_text` stores text
    cells with the text format, so codes and phone numbers stay text in
    Excel (not 9.12E+17). `on_rows(n)` is called every `every` rows (a
    long job's progress). Returns the number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _header_width(header)
    sheet.freeze_panes = freeze
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=header_fill) if header_fill else None
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(header))
        cell.font = bold
        if fill is not None:
            cell.fill = fill
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        values: list[Any] = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, Percent):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = PERCENT_FORMAT
                values.append(cell)
            elif text_as_text and isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "@"
                values.append(cell)
            else:
                values.append(value)
        sheet.append(values)
        count += 1
        if on_rows is not None and count % every == 0:
            on_rows(count)
    workbook.save(target)
    return count


def xlsx_file_response(content: bytes, *, filename: str) -> HttpResponse:
    """Every .xlsx download of the application leaves through here (or
    `workbook_response`), so the file name is sent the same way everywhere:
    an ASCII fallback and the UTF-8 name for browsers that read it."""
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def workbook_response(workbook: Workbook, *, filename: str) -> HttpResponse:
    """An openpyxl workbook as a download. Its cells must already have gone through `safe_cell`."""
    buffer = BytesIO()
    workbook.save(buffer)
    return xlsx_file_response(buffer.getvalue(), filename=filename)

"""Tables to .xlsx with openpyxl. Text that a spreadsheet would read as a
formula (= + - @, and the tab/CR tricks) is prefixed with an apostrophe so an
exported name can never run in the reader's Excel."""

from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import TypeVar

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Font
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

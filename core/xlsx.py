"""Tables to .xlsx with openpyxl. Text that a spreadsheet would read as a
formula (= + - @, and the tab/CR tricks) is prefixed with an apostrophe so an
exported name can never run in the reader's Excel."""

from collections.abc import Iterable, Sequence
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
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
        for i, v in enumerate(values):
            widths[i] = min(max(widths[i], len(str(v if v is not None else "")) + 2), 60)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return response

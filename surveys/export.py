"""Spreadsheets going out, in the survey's own format: the enterprise ledger
(export → import gives "unchanged" for every row), an empty template with an
instructions sheet, and the rejected rows of a batch with an error column.

The ledger's contact phones go out masked, for everyone: the whole number is
seen one enterprise at a time through the audited reveal. A masked phone
imported back keeps the recorded number (surveys.plan.classify), so the
round trip still gives "unchanged".

openpyxl in write-only mode streams rows to disk instead of building the
sheet in memory. Every text cell passes through `neutralise` so nothing a
user typed can run as a formula when the file is opened.
"""

import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.masking import mask_phone
from orgs.models import BusinessStatus, Enterprise, LegalType, OrgSetup

from .columns import COLUMNS, neutralise

SHEET_NAME = "企业基本情况"
YES, NO = "是", "否"


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def enterprise_cells(e: Enterprise) -> list[Any]:
    """One ledger row in COLUMNS order; the values the importer reads back unchanged."""
    values = {
        "credit_code": e.credit_code,
        "name": e.name,
        "legal_type": _label(LegalType, e.legal_type),
        "street_name": e.street.name if e.street_id else "",
        "park_name": e.park.name if e.park_id else "",
        "industry_key": f"{e.industry_id} {e.industry.name}" if e.industry_id else "",
        "address": e.address,
        "status": _label(BusinessStatus, e.status),
        "above_scale": YES if e.above_scale else NO,
        "employees": e.employees,
        "members_total": e.members_total,
        "members_formal": e.members_formal,
        "members_probationary": e.members_probationary,
        "owner_name": e.owner_name,
        "owner_is_member": YES if e.owner_is_member else NO,
        "org_setup": _label(OrgSetup, e.org_setup),
        "org_name": e.org_name,
        "secretary_name": e.secretary_name,
        "instructor_assigned": YES if e.instructor_assigned else NO,
        "union_established": YES if e.union_established else NO,
        "league_established": YES if e.league_established else NO,
        "phone": mask_phone(e.phone),
        "revenue": float(e.revenue) if e.revenue is not None else None,
    }
    return [neutralise(values[c.field]) for c in COLUMNS]


def _header_cells(sheet, headers: Iterable[str]) -> list:
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FCE4D6")
    cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cell.fill = fill
        cells.append(cell)
    return cells


def _text_cells(sheet, values: list[Any]) -> list:
    # Codes and phone numbers stay text, so Excel does not turn them into 9.12E+17.
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.number_format = "@"
        cells.append(cell)
    return cells


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_xlsx(queryset: QuerySet[Enterprise]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME)
    sheet.freeze_panes = "C2"
    sheet.append(_header_cells(sheet, [c.header for c in COLUMNS]))
    for enterprise in (
        queryset.select_related("street", "park", "industry")
        .order_by("street__name", "credit_code")
        .iterator(chunk_size=2000)
    ):
        sheet.append(_text_cells(sheet, enterprise_cells(enterprise)))
    return _save(workbook)


def template_xlsx() -> bytes:
    """An empty survey sheet with drop-downs for the coded columns, and a sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FCE4D6")
    sheet.freeze_panes = "C2"
    lists = {
        "legal_type": [str(label) for label in LegalType.labels],
        "status": [str(label) for label in BusinessStatus.labels],
        "org_setup": [str(label) for label in OrgSetup.labels],
    }
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 2)
        options = lists.get(column.field)
        if options is None and column.parse.__name__ == "parse_yes_no":
            options = [YES, NO]
        if options:
            validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
        if column.field in ("credit_code", "phone"):
            for row in range(2, 5001):
                sheet.cell(row=row, column=index).number_format = "@"
    notes = workbook.create_sheet(_("填表说明"))
    notes.append([_("列名"), _("是否必填"), _("填写说明")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        notes.append([column.header, _("必填") if column.required else _("选填"), str(column.help or "")])
    for line in (
        _("表头须在第一张工作表中；表头上方可以有标题行，表中可以有空行。"),
        _("是/否类列可填 是、否、Y、N、√、×、有、无。数字可为全角或“3.0”形式。"),
        _("同一统一社会信用代码出现多次时，以最后一行为准。"),
        _("正式党员数＋预备党员数须等于党员总数；党员总数多于从业人员数时会提示核实。"),
        _("以 = + - @ 开头的文字导出时前加英文单引号，导入时会自动去掉。"),
    ):
        notes.append([])
        notes.append([line])
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    return _save(workbook)


def rejected_rows_xlsx(report: dict) -> bytes:
    """The rejected rows as the user sent them, plus 错误说明: fix and upload again."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME)
    headers = list(report.get("headers") or [c.header for c in COLUMNS])
    sheet.append(_header_cells(sheet, [_("原行号"), *headers, _("错误说明")]))
    for item in report.get("rejected_rows", []):
        cells = list(item.get("cells") or [])[: len(headers)]
        cells += [None] * (len(headers) - len(cells))
        sheet.append(_text_cells(sheet, [item["row"], *[neutralise(c) for c in cells], neutralise(item["errors"])]))
    return _save(workbook)

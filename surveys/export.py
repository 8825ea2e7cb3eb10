"""Spreadsheets going out, in the survey's own format: the enterprise ledger
(export → import gives "unchanged" for every row), an empty template with an
instructions sheet, and the rejected rows of a batch with an error column.

The ledger's contact phones go out masked, for everyone: the whole number is
seen one enterprise at a time through the audited reveal. A masked phone
imported back keeps the recorded number (surveys.plan.classify), so the
round trip still gives "unchanged".

openpyxl in write-only mode streams rows to disk instead of building the
sheet in memory. Every text cell passes through `neutralise` so nothing a
user typed can run as a formula when the file is opened. The ledger is
written by core.xlsx's streaming mode, whether at once or by an export job
(`ledger_export`, registered as "survey_ledger").
"""

import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.masking import mask_phone
from core.xlsx import xlsx_stream
from exports.registry import Export, Params
from orgs.models import BusinessStatus, Enterprise, LegalType, OrgSetup

from .columns import COLUMNS, neutralise
from .selectors import ledger_for_export

SHEET_NAME = "企业基本情况"
YES, NO = "是", "否"
HEADER_FILL = "FCE4D6"
LEDGER_FILTERS = ("q", "street", "status", "org_setup")


Labels = dict[type, dict[str, str]]


def _labels() -> Labels:
    # Translated once per sheet: per cell, the lookup and gettext were half
    # of a 100,000-row ledger's time.
    return {
        choices: {value: str(label) for value, label in choices.choices}
        for choices in (LegalType, BusinessStatus, OrgSetup)
    }


def enterprise_cells(e: Enterprise, labels: Labels | None = None) -> list[Any]:
    """One ledger row in COLUMNS order; the values the importer reads back unchanged."""
    labels = labels or _labels()

    def _label(choices: type, value: str) -> str:
        return labels[choices].get(value, value)

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
        "union_members": e.union_members,
        "league_members": e.league_members,
        "managers": e.managers,
        "managers_party_members": e.managers_party_members,
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


def ledger_rows(queryset: QuerySet[Enterprise]) -> Iterator[list[Any]]:
    labels = _labels()
    for enterprise in (
        queryset.select_related("street", "park", "industry")
        .order_by("street__name", "credit_code")
        .iterator(chunk_size=2000)
    ):
        yield enterprise_cells(enterprise, labels)


def _ledger(queryset: QuerySet[Enterprise], filename: str) -> Export:
    return Export(
        filename=filename,
        title=SHEET_NAME,
        headers=[c.header for c in COLUMNS],
        rows=lambda: ledger_rows(queryset),
        count=queryset.count,
        freeze="C2",
        # Codes and phone numbers stay text, so Excel does not turn them into 9.12E+17.
        text_as_text=True,
        header_fill=HEADER_FILL,
    )


def ledger_export(user: Any, params: Params) -> Export:
    """The ledger under the page's filters, within the user's scope (Http404 outside it)."""
    filters = {k: params.get(k, "") for k in LEDGER_FILTERS}
    return _ledger(ledger_for_export(user=user, filters=filters), f"企业台账_{timezone.localdate():%Y%m%d}.xlsx")


def ledger_xlsx(queryset: QuerySet[Enterprise]) -> bytes:
    export = _ledger(queryset, "")
    buffer = io.BytesIO()
    xlsx_stream(
        buffer,
        title=export.title,
        headers=export.headers,
        rows=export.rows(),
        freeze=export.freeze,
        text_as_text=export.text_as_text,
        header_fill=export.header_fill,
    )
    return buffer.getvalue()


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
        _(
            "工会会员数、团员数、管理人员数可空（表示未填报，不按0计）；均不能大于从业人员数，管理人员中党员数不能大于管理人员数。"
        ),
        _("以 = + - @ 开头的文字导出时前加英文单引号，导入时会自动去掉。"),
    ):
        notes.append([])
        notes.append([line])
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    return _save(workbook)


def rejected_rows_xlsx(report: dict) -> bytes:
    """The rejected rows alone (the full report's first sheet), in memory."""
    buffer = io.BytesIO()
    report_xlsx({"headers": report.get("headers"), "rejected_rows": report.get("rejected_rows", [])}, buffer)
    return buffer.getvalue()


def report_xlsx(report: dict, target: IO[bytes]) -> None:
    """A batch's full report, every row of it, written into `target`
    (write-only: rows stream to disk, memory stays flat however long).

    The first sheet is the rejected rows as the user sent them plus
    错误说明, so the file can be fixed and uploaded again; then each
    rejection by column, the changes field by field, the firms the survey
    left out, duplicated codes, warnings and the skipped non-data lines.
    `report` is `SurveyReport.as_json()` (or an older batch's jsonb report)."""
    workbook = Workbook(write_only=True)
    headers = list(report.get("headers") or [c.header for c in COLUMNS])
    sheet = workbook.create_sheet(SHEET_NAME)
    sheet.append(_header_cells(sheet, [_("原行号"), *headers, _("错误说明")]))
    for item in report.get("rejected_rows", []):
        cells = list(item.get("cells") or [])[: len(headers)]
        cells += [None] * (len(headers) - len(cells))
        sheet.append(_text_cells(sheet, [item["row"], *[neutralise(c) for c in cells], neutralise(item["errors"])]))
    tables = [
        (_("不合格原因"), [_("行号"), _("统一社会信用代码"), _("列"), _("原因")],
         ([r["row"], r["credit_code"], r["column"], r["message"]] for r in report.get("rejected", []))),
        (_("变更明细"), [_("行号"), _("统一社会信用代码"), _("企业"), _("字段"), _("原值"), _("新值")],
         ([c["row"], c["credit_code"], c["name"], *change] for c in report.get("changes", []) for change in c["diff"])),
        (_("本次未出现"), [_("统一社会信用代码"), _("企业"), _("街道")],
         ([a["credit_code"], a["name"], a["street"]] for a in report.get("not_in_survey_list", []))),
        (_("重复代码"), [_("统一社会信用代码"), _("行号")],
         ([d["credit_code"], "、".join(str(n) for n in d["rows"])] for d in report.get("duplicates", []))),
        (_("提示"), [_("行号"), _("统一社会信用代码"), _("提示")],
         ([w["row"], w["credit_code"], w["message"]] for w in report.get("warnings", []))),
        (_("跳过的行"), [_("行号"), _("类别"), _("内容")],
         ([s["row"], s["kind"], s["text"]] for s in report.get("skipped", []))),
    ]  # fmt: skip
    for title, columns, rows in tables:
        sheet = workbook.create_sheet(title)
        sheet.append(_header_cells(sheet, columns))
        for values in rows:
            sheet.append(_text_cells(sheet, [neutralise(v) for v in values]))
    workbook.save(target)

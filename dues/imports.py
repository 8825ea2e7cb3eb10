"""Payments from an .xlsx (columns 姓名, 所属月份, 金额, 缴纳日期, and
身份证号 where two members share a name), read with python-calamine after
the checks every upload meets (core.uploads: size, zip bomb, sheet
extent). A workbook with formulas is refused: the value a formula shows is
not an amount anyone typed. Every refusal is an UploadRefused (or an
ApplicationError naming the row) in Chinese, and nothing is written."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.crypto import blind_index
from core.errors import ApplicationError
from core.uploads import NotAWorkbook, SheetTooLarge, UploadRefused, check_sheet_extent, check_zip
from members.models import Member
from orgs.models import PartyOrganization

from .rules import PAYING_STAGES, parse_period
from .services import PaymentLine

MAX_ROWS = 2_000
MAX_COLUMNS = 30
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_INFLATED_BYTES = 20 * 1024 * 1024
HEADERS = {"姓名": "name", "身份证号": "id_number", "所属月份": "period", "金额": "amount", "缴纳日期": "paid_on"}
REQUIRED = ["姓名", "所属月份", "金额", "缴纳日期"]
FORMULA = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s/>]")


def _refuse_formulas(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as part:
                    while block := part.read(1024 * 1024):
                        if FORMULA.search(block):
                            raise UploadRefused(
                                _("文件含有公式：请将公式单元格复制后“选择性粘贴为数值”再上传；未写入任何数据")
                            )


def read_rows(upload: UploadedFile) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {field: cell}) for each non-empty row under the header."""
    unreadable = _("无法读取该文件，请上传 .xlsx 格式的党费表（可先下载模板）；未写入任何数据")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            _("文件过大：党费表最大 %(mb)d MB；未写入任何数据") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    try:
        check_zip(upload, max_inflated=MAX_INFLATED_BYTES)
        check_sheet_extent(upload, max_row=MAX_ROWS + 1, max_column=MAX_COLUMNS)
    except NotAWorkbook:
        raise UploadRefused(unreadable) from None
    except SheetTooLarge as exc:
        raise UploadRefused(
            _("表格范围超出上限：工作表“%(sheet)s”用到%(where)s；每次最多导入 %(n)s 行。未写入任何数据")
            % {"sheet": exc.sheet, "where": exc.where(MAX_ROWS + 1, MAX_COLUMNS), "n": f"{MAX_ROWS:,}"}
        ) from None
    upload.seek(0)
    data = upload.read()
    _refuse_formulas(data)
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
        raise UploadRefused(unreadable) from None
    if not sheet:
        raise UploadRefused(_("文件为空；未写入任何数据"))
    header = [str(c).strip() for c in sheet[0]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise UploadRefused(
            _("表头不正确：缺少列 %(cols)s（应有：%(expected)s，可加%(optional)s）；未写入任何数据")
            % {"cols": "、".join(missing), "expected": "、".join(REQUIRED), "optional": "身份证号"}
        )
    index = {HEADERS[h]: i for i, h in enumerate(header) if h in HEADERS}
    rows = []
    for number, raw in enumerate(sheet[1:], start=2):
        if not any(str(c).strip() for c in raw):
            continue
        rows.append((number, {f: raw[i] if i < len(raw) else "" for f, i in index.items()}))
    if not rows:
        raise UploadRefused(_("文件中没有党费记录；未写入任何数据"))
    return rows


def _amount_text(value: Any) -> str:
    if isinstance(value, float):
        try:
            return str(Decimal(repr(value)))
        except InvalidOperation:
            return str(value)
    return str(value).strip()


def _period(value: Any, where: str) -> date:
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    try:
        return parse_period(str(value).strip())
    except ApplicationError:
        raise ApplicationError(
            {"rows": _("%(where)s：所属月份格式应为 YYYY-MM（如 2026-07）") % {"where": where}}
        ) from None


def _day(value: Any, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ApplicationError({"rows": _("%(where)s：缴纳日期格式应为 YYYY-MM-DD") % {"where": where}}) from None


def payment_lines(upload: UploadedFile, *, organization: PartyOrganization) -> list[PaymentLine]:
    """The file's rows as payment lines of `organization`'s members."""
    members = list(Member.objects.filter(organization=organization, stage__in=PAYING_STAGES))
    by_name: dict[str, list[Member]] = {}
    for member in members:
        by_name.setdefault(member.name, []).append(member)
    lines = []
    for number, row in read_rows(upload):
        name = str(row.get("name") or "").strip()
        where = _("第 %(n)d 行（%(name)s）") % {"n": number, "name": name or "—"}
        candidates = by_name.get(name, [])
        id_number = str(row.get("id_number") or "").strip()
        if id_number:
            candidates = [m for m in candidates if m.id_number_index == blind_index(id_number)]
        if not candidates:
            raise ApplicationError({"rows": _("%(where)s：本党组织没有这名党员") % {"where": where}})
        if len(candidates) > 1:
            raise ApplicationError({"rows": _("%(where)s：有同名党员，请填写身份证号") % {"where": where}})
        lines.append(
            PaymentLine(
                member=candidates[0],
                period=_period(row.get("period"), where),
                amount=_amount_text(row.get("amount")),
                paid_on=_day(row.get("paid_on"), where),
                label=where,
            )
        )
    return lines

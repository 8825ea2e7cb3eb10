"""The .xlsx files people take away: the statement and the supervision report."""

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from core.xlsx import safe_cell, workbook_response

from .selectors import Statement, SupervisionReport


def _append(ws, row) -> None:
    # Memos and names are typed by users: never let one run as a formula.
    ws.append([safe_cell(v) for v in row])


def _header(ws, row: list[str]) -> None:
    _append(ws, row)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def statement_xlsx(statement: Statement) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = "对账单"
    _append(ws, [f"{statement.account.name} 对账单", f"{statement.start} 至 {statement.end}"])
    _append(ws, ["期初余额", statement.opening])
    _header(ws, ["业务日期", "交易号", "业务类型", "摘要", "收入", "支出", "余额", "分录序号", "经办人"])
    for e in statement.entries:
        t = e.transaction
        _append(
            ws,
            [
                t.occurred_on,
                t.pk,
                t.get_kind_display(),
                t.memo,
                e.money_in,
                e.money_out,
                e.running,
                e.seq,
                str(t.created_by or ""),
            ],
        )
    _append(ws, ["合计", None, None, None, statement.credits, statement.debits, statement.closing])
    _append(ws, ["期末余额", statement.closing])
    for row in ws.iter_rows(min_row=3):
        for cell in row[4:7]:
            cell.number_format = "#,##0.00"
    return workbook_response(wb, filename=f"对账单_{statement.account.pk}_{statement.start}_{statement.end}.xlsx")


def supervision_xlsx(report: SupervisionReport) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = "半年度监管报表"
    _append(ws, [f"{report.street.name} 党建公积金半年度监管报表", f"{report.start} 至 {report.end}"])
    columns = [
        ("党组织", None),
        ("申请数", "applications"),
        ("审批通过", "approved"),
        ("公示", "publicity"),
        ("退回", "returned"),
        ("报账", "settled"),
        ("申请金额", "requested"),
        ("期初余额", "opening"),
        ("入账（+）", "income"),
        ("奖补划入（+）", "reward"),
        ("结余退回（+）", "returned_money"),
        ("冲正转入（+）", "reversal_in"),
        ("拨付（−）", "disbursed"),
        ("冲正转出（−）", "reversal_out"),
        ("期末余额（=）", "closing"),
    ]
    _header(ws, [c for c, _k in columns])
    for r in report.rows:
        _append(ws, [r.organization.name, *[getattr(r, k) for _c, k in columns[1:]]])
    _append(ws, ["合计", *[report.totals[k] for _c, k in columns[1:]]])
    _append(
        ws,
        [
            "账本核对：期初/期末分录合计",
            report.journal_opening,
            report.journal_closing,
            "一致" if report.reconciles else "不一致",
            *report.problems,
        ],
    )
    return workbook_response(
        wb, filename=f"监管报表_{report.street.name}_{report.start:%Y}H{1 if report.start.month == 1 else 2}.xlsx"
    )

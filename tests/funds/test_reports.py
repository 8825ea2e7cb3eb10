"""The fund's reports add up: the supervision report's rows, its totals and
its reconciliation line; the statement's columns; the credit box; and the
account list shows the accounts people hold money in, not the technical ones."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from funds import services
from funds.models import FundAccount, TransactionKind
from tests.helpers.funds import file_project, lines, open_accounts, rate, through_publicity

D = Decimal


@pytest.fixture
def half_year(world):
    """Street A's first half of 2026: deposits, a reversal, a withdrawal posted
    straight to the books (no application behind it), and an application paid
    partly from the pool and settled with money left over."""
    account = open_accounts(world, deposit="12100.00", pool="5000.00")
    rate(world.org_a, 3)  # 50% of this year's deposits as reward
    mistake = services.income_enterprise_deposit(
        account=account, amount="500.00", by=world.district, occurred_on=date(2026, 2, 10)
    )
    sink = services.external_account(FundAccount.Kind.EXTERNAL_SINK)
    services.ledger_post(
        kind=TransactionKind.DISBURSEMENT,
        occurred_on=date(2026, 3, 1),
        memo="主题党日活动经费提取",
        legs=[(account, D("-4840.00")), (sink, D("4840.00"))],
        by=world.district,
    )
    services.transaction_reverse(
        transaction_=mistake, by=world.district, reason="重复录入", occurred_on=date(2026, 3, 5)
    )
    account.refresh_from_db()
    app = file_project(world, "8000.00", budget=lines("8000.00"))
    through_publicity(world, app, on=date(2026, 5, 1))
    services.application_disburse(application=app, by=world.district, on=date(2026, 5, 10))
    receipt = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    services.application_settle(
        application=app, by=world.secretary_a, spent="7000.00", receipts=[receipt], on=date(2026, 6, 1)
    )
    services.settlement_approve(application=app, by=world.street_a_staff, on=date(2026, 6, 1))
    return account, app


def _report_page(client, world, half=1):
    return client.get(reverse("funds:supervision") + f"?street={world.street_a.pk}&year=2026&half={half}")


def test_supervision_row_names_every_movement_and_adds_up(world, half_year, login):
    account, _app = half_year
    account.refresh_from_db()
    client = login(world.district)
    page = _report_page(client, world)
    report = page.context["report"]
    (row,) = report.rows
    assert (row.opening, row.income, row.reward, row.returned_money, row.reversal_in) == (
        D("0.00"),
        D("12600.00"),
        D("740.00"),
        D("260.00"),
        D("0.00"),
    )
    # The withdrawal without an application is in 拨付 with the application's.
    assert (row.disbursed, row.reversal_out, row.closing) == (D("12840.00"), D("500.00"), D("260.00"))
    assert row.opening + row.inflow - row.outflow == row.closing == account.balance
    assert report.reconciles and report.totals["closing"] == report.journal_closing == D("260.00")
    text = page.content.decode()
    assert "与账本核对一致" in text and "12,840.00" in text and "740.00" in text

    xlsx = client.get(reverse("funds:supervision_xlsx") + f"?street={world.street_a.pk}&year=2026&half=1")
    sheet = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header, org_row, totals, check = sheet[1], sheet[2], sheet[3], sheet[4]
    figures = dict(zip(header, org_row, strict=True))
    assert figures["拨付（−）"] == 12840 and figures["奖补划入（+）"] == 740 and figures["期末余额（=）"] == 260
    assert totals[7:] == org_row[7:]
    assert check[3] == "一致"


def test_supervision_totals_are_the_sums_of_the_rows(world, half_year, login):
    other = services.account_open(organization=world.org_b, by=world.district, opened_on=date(2026, 1, 1))
    services.income_dues_rebate(account=other, amount="300.00", by=world.district, occurred_on=date(2025, 12, 1))
    world.org_b.street = world.street_a
    world.org_b.save(update_fields=["street"])
    report = _report_page(login(world.district), world).context["report"]
    assert len(report.rows) == 2
    for key in ("opening", "income", "reward", "returned_money", "reversal_in", "disbursed", "reversal_out", "closing"):
        assert report.totals[key] == sum(getattr(r, key) for r in report.rows), key
    assert report.totals["opening"] == report.journal_opening == D("300.00")
    assert report.reconciles


def test_supervision_says_consistent_only_when_the_check_holds(world, half_year, login):
    account, _app = half_year
    # A stored balance that no longer matches its journal (a repair gone wrong).
    FundAccount.objects.filter(pk=account.pk).update(balance=D("1000.00"))
    client = login(world.district)
    page = _report_page(client, world)
    report = page.context["report"]
    assert not report.reconciles
    text = page.content.decode()
    assert "与账本核对不一致" in text and "与账本核对一致" not in text
    assert "账户余额合计 1000.00 元与账本分录合计 260.00 元不一致" in text
    xlsx = client.get(reverse("funds:supervision_xlsx") + f"?street={world.street_a.pk}&year=2026&half=1")
    check = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))[-1]
    assert check[3] == "不一致"


def test_statement_money_out_column_is_positive_on_page_and_in_xlsx(world, login):
    account = open_accounts(world, deposit="5000.00")
    sink = services.external_account(FundAccount.Kind.EXTERNAL_SINK)
    services.ledger_post(
        kind=TransactionKind.DISBURSEMENT,
        occurred_on=date(2026, 3, 1),
        memo="活动经费",
        legs=[(account, D("-3000.00")), (sink, D("3000.00"))],
        by=world.district,
    )
    client = login(world.secretary_a)
    query = "?start=2026-01-01&end=2026-12-31"
    text = client.get(reverse("funds:account_detail", args=[account.pk]) + query).content.decode()
    assert "3,000.00" in text and "-3,000.00" not in text
    sheet = list(
        load_workbook(
            BytesIO(client.get(reverse("funds:account_statement_xlsx", args=[account.pk]) + query).content)
        ).active.iter_rows(values_only=True)
    )
    (line,) = [r for r in sheet if r[2] == "提取拨付"]
    assert (line[4], line[5], line[6]) == (None, 3000, 2000)
    totals = next(r for r in sheet if r[0] == "合计")
    assert (totals[4], totals[5]) == (5000, 3000)


def test_credit_box_shows_own_money_plus_reward(world, login):
    account = open_accounts(world, deposit="1000.00", pool="5000.00")
    rate(world.org_a, 3)  # reward up to 50% of 1,000
    text = login(world.secretary_a).get(reverse("funds:account_detail", args=[account.pk])).content.decode()
    assert "本金+奖励（元）" in text
    box = text[text.index("本金+奖励（元）") :]
    assert box.index("1,500.00") < box.index("</div>")
    assert "奖励上限（当年预存 1000.00 × 0.5000）" in text


def test_account_lists_hide_the_technical_accounts(world, login, api):
    account = open_accounts(world, deposit="1000.00", pool="500.00")
    assert FundAccount.objects.filter(kind=FundAccount.Kind.EXTERNAL_SOURCE).get().balance == D("-1500.00")
    text = login(world.district).get(reverse("funds:account_list")).content.decode()
    assert account.name in text and "区财政补助资金池" in text
    assert "外部来源" not in text and "-1,500.00" not in text
    listed = api(world.district).get("/api/v1/fund-accounts/").json()
    names = [a["name"] for a in listed.get("results", listed)]
    assert account.name in names and not any("外部" in n for n in names)

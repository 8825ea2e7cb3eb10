"""Amounts people type into the fund's pages and services: every one is read
by core.money.parse_money, so an absurd or ambiguous figure is a Chinese
message naming the field, never a server error, and writes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import ApplicationError
from core.money import parse_money
from funds import services
from funds.models import (
    Application,
    ApplicationStep,
    BudgetLine,
    FundEntry,
    FundTransaction,
    StarRule,
    TransactionKind,
)
from tests.helpers.funds import file_project, lines, open_accounts, through_publicity

# Each reads as a refusal that says why, where before it was a server error
# (1e30, and 9999999999999 on PostgreSQL) or a wrong amount (5,0 as 50.00,
# 1_000 as 1000.00, １２３ as 123.00).
BAD_AMOUNTS = [
    ("1e30", "格式不正确"),
    ("9999999999999", "不能超过 100,000,000.00 元"),
    ("5,0", "逗号只能用作千位分隔符"),
    ("1_000", "格式不正确"),
    ("NaN", "格式不正确"),
    ("-0.001", "最多保留2位小数"),
    ("１２３", "请使用半角数字"),
]


def said(text: str, label: str) -> str:
    """The parser's own words for `text` in the field `label`: what a page must show."""
    with pytest.raises(ApplicationError) as exc:
        parse_money(text, field_label=label)
    (message,) = exc.value.messages
    return message


def written() -> tuple[int, ...]:
    return (
        FundTransaction.objects.count(),
        FundEntry.objects.count(),
        Application.objects.count(),
        ApplicationStep.objects.count(),
        BudgetLine.objects.count(),
        StarRule.objects.count(),
    )


def project_post(amount="200.00", line_amounts=("120.00", "80.00")) -> dict:
    data = {
        "activity": "主题党日",
        "activity_date": "2026-06-01",
        "participants": "10",
        "description": "",
        "amount": amount,
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
    }
    for i, value in enumerate(line_amounts):
        data[f"lines-{i}-item"] = f"支出{i + 1}"
        data[f"lines-{i}-amount"] = value
    return data


@pytest.fixture
def account(world):
    return open_accounts(world, deposit="1000.00", pool="5000.00")


@pytest.fixture
def disbursed(world, account):
    app = through_publicity(world, file_project(world, "300.00"), on=date(2026, 5, 1))
    return services.application_disburse(application=app, by=world.district, on=date(2026, 5, 6))


# --- income ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_income_page_refuses_a_bad_amount(world, account, login, text, message):
    before = written()
    response = login(world.district).post(
        reverse("funds:account_income", args=[account.pk]),
        {"kind": TransactionKind.ENTERPRISE_DEPOSIT, "amount": text},
        follow=True,
    )
    assert response.redirect_chain and response.status_code == 200
    expected = said(text, "金额")
    assert message in expected
    assert f"未入账：{expected}" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_income_service_refuses_a_bad_amount(world, account, text, message):
    before = written()
    for receive in (
        lambda: services.income_enterprise_deposit(account=account, amount=text, by=world.district),
        lambda: services.income_fiscal_subsidy(amount=text, by=world.district),
    ):
        with pytest.raises(ValidationError) as exc:
            receive()
        assert any(m.startswith("金额") and message in m for m in exc.value.messages)
    assert written() == before


def test_income_page_reads_thousands_separators(world, account, login):
    response = login(world.district).post(
        reverse("funds:account_income", args=[account.pk]),
        {"kind": TransactionKind.ENTERPRISE_DEPOSIT, "amount": " 1,000.50 "},
        follow=True,
    )
    assert "已入账" in response.content.decode()
    account.refresh_from_db()
    assert account.balance == Decimal("2000.50")


def test_the_largest_amount_fits_the_books_and_one_fen_more_is_refused(world):
    # On PostgreSQL this proves the bound sits below the numeric column's.
    services.income_fiscal_subsidy(amount="100,000,000.00", by=world.district)
    services.income_fiscal_subsidy(amount="100000000", by=world.district)
    assert services.pool_account().balance == Decimal("200000000.00")
    with pytest.raises(ValidationError, match="不能超过 100,000,000.00 元"):
        services.income_fiscal_subsidy(amount="100000000.01", by=world.district)


# --- applications (项目书) --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_application_page_refuses_a_bad_amount(world, account, login, text, message):
    before = written()
    response = login(world.secretary_a).post(
        reverse("funds:application_create", args=[account.pk]), project_post(amount=text)
    )
    assert response.status_code == 200
    expected = said(text, "申请金额")
    assert message in expected
    assert response.context["form"].errors["amount"] == [expected]
    assert expected in response.content.decode()
    assert written() == before


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_application_page_refuses_a_bad_budget_line(world, account, login, text, message):
    before = written()
    response = login(world.secretary_a).post(
        reverse("funds:application_create", args=[account.pk]), project_post(line_amounts=("120.00", text))
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[1].errors["amount"]
    assert errors[0].startswith("金额") and message in errors[0]
    assert errors[0] in response.content.decode()
    assert written() == before


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_application_service_refuses_a_bad_amount_or_line(world, account, text, message):
    before = written()
    with pytest.raises(ValidationError) as exc:
        file_project(world, text, budget=lines("200.00"))
    assert any(m.startswith("申请金额") and message in m for m in exc.value.message_dict["amount"])
    with pytest.raises(ValidationError) as exc:
        file_project(world, "200.00", budget=lines(text))
    assert any(m.startswith("第1项预算金额") and message in m for m in exc.value.message_dict["budget_lines"])
    assert written() == before


def test_a_budget_line_with_only_a_zero_amount_is_not_dropped(world, account, login):
    data = project_post(line_amounts=("120.00", "80.00")) | {"lines-2-amount": "0"}
    response = login(world.secretary_a).post(reverse("funds:application_create", args=[account.pk]), data)
    assert response.status_code == 200
    assert "第3项预算缺少支出项目名称" in response.content.decode()


def test_application_page_reads_thousands_separators(world, account, login):
    response = login(world.secretary_a).post(
        reverse("funds:application_create", args=[account.pk]),
        project_post(amount="1,000.00", line_amounts=("600", "400.00")),
    )
    assert response.status_code == 302
    assert Application.objects.get().amount == Decimal("1000.00")


# --- settlement (报账) -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_settlement_page_refuses_a_bad_amount(world, disbursed, login, text, message):
    before = written()
    response = login(world.secretary_a).post(
        reverse("funds:application_settle", args=[disbursed.pk]), {"spent": text}, follow=True
    )
    assert response.redirect_chain and response.status_code == 200
    expected = said(text, "实际支出")
    assert message in expected
    assert expected in response.content.decode()
    disbursed.refresh_from_db()
    assert disbursed.status == Application.Status.DISBURSED and disbursed.spent_amount is None
    assert written() == before


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_settlement_service_refuses_a_bad_amount(world, disbursed, text, message):
    with pytest.raises(ValidationError) as exc:
        services.application_settle(application=disbursed, by=world.secretary_a, spent=text)
    assert any(m.startswith("实际支出") and message in m for m in exc.value.message_dict["spent"])


# --- the star table (奖补标准) -----------------------------------------------------------------

STAR_URL = "funds:star_rules"


def star_post(**over) -> dict:
    return {"stars": "2", "effective_from": "2026-07-01", "match_rate": "0.3", "subsidy_cap": "1200", "note": ""} | over


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_star_rule_page_refuses_a_bad_subsidy_cap(world, login, text, message):
    before = written()
    response = login(world.district).post(reverse(STAR_URL), star_post(subsidy_cap=text))
    assert response.status_code == 200
    errors = response.context["form"].errors["subsidy_cap"]
    assert errors[0].startswith("年度补助上限") and message in errors[0]
    assert errors[0] in response.content.decode()
    assert written() == before


@pytest.mark.parametrize(("text", "message"), BAD_AMOUNTS)
def test_star_rule_service_refuses_a_bad_subsidy_cap(world, text, message):
    with pytest.raises(ValidationError) as exc:
        services.star_rule_set(
            stars=2, effective_from=date(2026, 7, 1), match_rate="0.3", subsidy_cap=text, by=world.district
        )
    assert any(m.startswith("年度补助上限") and message in m for m in exc.value.message_dict["subsidy_cap"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e30", "格式不正确"),
        ("1E-2", "格式不正确"),
        ("NaN", "格式不正确"),
        ("1_0", "格式不正确"),
        ("１", "请使用半角数字"),
        ("0.00001", "最多保留4位小数"),
        # The column is numeric(5, 4): 10 itself would overflow on PostgreSQL.
        ("10", "不能超过 9.9999"),
        ("9999999999999", "不能超过 9.9999"),
        ("-0.1", "0至10之间"),
    ],
)
def test_star_rule_page_refuses_a_bad_match_rate(world, login, text, message):
    before = written()
    response = login(world.district).post(reverse(STAR_URL), star_post(match_rate=text))
    assert response.status_code == 200
    errors = response.context["form"].errors["match_rate"]
    assert errors[0].startswith("奖励配比") and message in errors[0]
    assert written() == before


def test_star_rule_takes_the_largest_rate_the_column_holds(world, login):
    response = login(world.district).post(reverse(STAR_URL), star_post(match_rate="9.9999", subsidy_cap="5,000"))
    assert response.status_code == 302
    rule = StarRule.objects.get(stars=2, effective_from=date(2026, 7, 1))
    assert (rule.match_rate, rule.subsidy_cap) == (Decimal("9.9999"), Decimal("5000.00"))

"""Dues at every bracket edge, exact to the fen (rounded half up)."""

from datetime import date
from decimal import Decimal

import pytest

from core.errors import ApplicationError
from dues.models import Bracket
from dues.rules import monthly_dues, parse_period, quarter_months, round_to_fen

ON = date(2026, 7, 1)


@pytest.mark.parametrize(
    ("income", "amount", "rate"),
    [
        ("3000.00", "15.00", "0.0050"),
        ("3000.01", "30.00", "0.0100"),
        ("5000.00", "50.00", "0.0100"),
        ("5000.01", "75.00", "0.0150"),
        ("10000.00", "150.00", "0.0150"),
        ("10000.01", "200.00", "0.0200"),
        ("0.00", "0.00", "0.0050"),
        ("2999.00", "15.00", "0.0050"),  # 14.995 rounds half up to 15.00
        ("4321.50", "43.22", "0.0100"),  # 43.215 → 43.22
    ],
)
def test_employed_brackets_at_their_edges(income, amount, rate):
    due = monthly_dues("employed", Decimal(income), on=ON)
    assert due.amount == Decimal(amount)
    assert due.bracket.rate == Decimal(rate)


@pytest.mark.parametrize(
    ("income", "amount"), [("5000.00", "25.00"), ("5000.01", "50.00"), ("4999.99", "25.00"), ("8000.00", "80.00")]
)
def test_retirees_at_both_sides_of_5000(income, amount):
    assert monthly_dues("retired", Decimal(income), on=ON).amount == Decimal(amount)


@pytest.mark.parametrize("category", ["student", "unemployed", "subsistence"])
def test_flat_categories_pay_twenty_fen_whatever_the_income(category):
    assert monthly_dues(category, None, on=ON).amount == Decimal("0.20")
    assert monthly_dues(category, Decimal("20000"), on=ON).amount == Decimal("0.20")


def test_rounding_is_half_up_to_the_fen():
    assert round_to_fen(Decimal("0.005")) == Decimal("0.01")
    assert round_to_fen(Decimal("12.344")) == Decimal("12.34")
    assert round_to_fen(Decimal("12.345")) == Decimal("12.35")


def test_brackets_are_data_with_dates():
    """A new table from a date on: months before it keep the old rate."""
    Bracket.objects.filter(category="employed", income_above__isnull=True).update(valid_to=date(2026, 12, 31))
    Bracket.objects.create(
        category="employed",
        income_up_to=Decimal("3000"),
        rate=Decimal("0.004"),
        valid_from=date(2027, 1, 1),
        label="新",
    )
    assert monthly_dues("employed", Decimal("2000"), on=date(2026, 12, 1)).amount == Decimal("10.00")
    assert monthly_dues("employed", Decimal("2000"), on=date(2027, 1, 1)).amount == Decimal("8.00")


def test_the_employed_need_an_income():
    with pytest.raises(ApplicationError) as exc:
        monthly_dues("employed", None, on=ON)
    assert "税后月收入" in str(exc.value.messages)


@pytest.mark.parametrize("text", ["2026-13", "2026/07", "202607", "", "２０２６-07", "2026-7"])
def test_a_period_is_yyyy_mm(text):
    with pytest.raises(ApplicationError) as exc:
        parse_period(text)
    assert "YYYY-MM" in exc.value.messages[0]


def test_quarters():
    assert quarter_months("2026Q3") == [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]
    with pytest.raises(ApplicationError):
        quarter_months("2026Q5")

"""The one money parser (`core.money.parse_money`) and the form and API
fields built on it: what it reads, what it refuses and in which words."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st
from rest_framework import serializers

from core.api import MoneySerializerField
from core.errors import ApplicationError
from core.money import CENT, MONEY_LIMIT, MONEY_PATTERN, MoneyField, MoneyFormField, parse_money, to_money

LIMIT_CENTS = int(MONEY_LIMIT / CENT)


def parse(value):
    return parse_money(value, field_label="申请金额")


def refusal(value) -> str:
    with pytest.raises(ApplicationError) as exc:
        parse(value)
    return "；".join(exc.value.messages)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.5", "1234.50"),
        (" 1,234.50 ", "1234.50"),
        ("12,345,678.90", "12345678.90"),
        ("100,000,000.00", "100000000.00"),
        ("-100000000", "-100000000.00"),
        ("+3", "3.00"),
        ("0.01", "0.01"),
        ("007", "7.00"),
        ("-0", "0.00"),
        ("-0.00", "0.00"),
    ],
)
def test_reads_plain_and_grouped_amounts(text, amount):
    assert str(parse(text)) == amount


def test_reads_ints_and_exact_decimals():
    assert parse(1500) == Decimal("1500.00")
    assert str(parse(Decimal("2.5"))) == "2.50"
    assert str(parse(Decimal("1E+2"))) == "100.00"
    assert str(parse(Decimal("1.000"))) == "1.00"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1e30", "请填写数字"),
        ("1E3", "请填写数字"),
        ("9999999999999", "不能超过 100,000,000.00 元"),
        ("100000000.01", "不能超过 100,000,000.00 元"),
        ("-100000000.01", "不能低于 -100,000,000.00 元"),
        ("5,0", "逗号只能用作千位分隔符"),
        ("1,00", "逗号只能用作千位分隔符"),
        ("1,0000", "逗号只能用作千位分隔符"),
        ("0,100", "逗号只能用作千位分隔符"),
        ("1_000", "请填写数字"),
        ("1 000", "请填写数字"),
        ("NaN", "请填写数字"),
        ("Infinity", "请填写数字"),
        ("-Infinity", "请填写数字"),
        ("-0.001", "最多保留2位小数"),
        ("1.005", "最多保留2位小数"),
        ("１２３", "请使用半角数字"),
        ("12３", "请使用半角数字"),
        ("١٢٣", "请使用半角数字"),
        ("１２3．5", "请使用半角数字"),
        ("100元", "请填写数字"),
        ("0x10", "请填写数字"),
        (".5", "请填写数字"),
        ("5.", "请填写数字"),
        ("--5", "请填写数字"),
        ("", "请填写申请金额"),
        ("   ", "请填写申请金额"),
        (None, "请填写申请金额"),
        (0.1, "不接受浮点数"),
        (True, "请填写数字"),
        ([1], "请填写数字"),
        (Decimal("NaN"), "请填写数字"),
        (Decimal("Infinity"), "请填写数字"),
        (Decimal("1E+30"), "不能超过"),
        (Decimal("0.001"), "最多保留2位小数"),
        (10**30, "不能超过"),
        ("9" * 200, "请填写数字"),
    ],
)
def test_refuses_with_a_chinese_message_naming_the_field(value, fragment):
    message = refusal(value)
    assert fragment in message
    assert "申请金额" in message


def test_code_held_amounts_keep_their_exceptions():
    assert str(to_money("1,234.50")) == "1234.50"
    assert str(to_money(Decimal("200000000.00"))) == "200000000.00"
    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(ValueError):
        to_money("1e30")
    with pytest.raises(ValueError):
        to_money(Decimal("1E+30"))


# --- properties ---------------------------------------------------------------------------------

cents = st.integers(min_value=-LIMIT_CENTS, max_value=LIMIT_CENTS)


def grouped(n: int) -> str:
    return f"{n:,}"


@st.composite
def money_texts(draw) -> tuple[str, Decimal]:
    """An amount written the ways a person may write it, and its value."""
    value = draw(cents)
    whole, fen = divmod(abs(value), 100)
    integer = grouped(whole) if draw(st.booleans()) else str(whole)
    fraction = draw(st.sampled_from(["two", "one", "none"]))
    if fraction == "two":
        text = f"{integer}.{fen:02d}"
    elif fraction == "one" and fen % 10 == 0:
        text = f"{integer}.{fen // 10}"
    elif fen == 0:
        text = integer
    else:
        text = f"{integer}.{fen:02d}"
    sign = "-" if value < 0 else draw(st.sampled_from(["", "+"]))
    pad = draw(st.sampled_from(["", " ", "\t", "\u3000"]))
    return f"{pad}{sign}{text}{pad}", Decimal(value) / 100


@given(money_texts())
@example((" 1,000.50 ", Decimal("1000.50")))
@example(("100,000,000.00", MONEY_LIMIT))
def test_valid_money_round_trips(written):
    text, value = written
    amount = parse(text)
    assert amount == value
    assert amount.as_tuple().exponent == -2
    # What it answers reads back as itself, plain or grouped.
    assert parse(str(amount)) == amount
    assert parse(f"{amount:,}") == amount


@given(cents)
def test_ints_and_decimals_round_trip(value):
    amount = Decimal(value) / 100
    assert parse(amount) == amount
    if value % 100 == 0:
        assert parse(value // 100) == amount


def _assert_money(amount: Decimal) -> None:
    assert isinstance(amount, Decimal) and amount.is_finite()
    assert abs(amount) <= MONEY_LIMIT
    assert amount.as_tuple().exponent == -2
    assert not (amount == 0 and amount.is_signed())


NEAR_MISSES = st.text(alphabet="0123456789,.+-_eE ０１２３。，NaIfinty", max_size=20)


@given(st.one_of(st.text(max_size=30), NEAR_MISSES))
@example("1e30")
@example("9999999999999")
@example("5,0")
@example("1_000")
@example("NaN")
@example("-0.001")
@example("１２３")
def test_anything_accepted_is_bounded_money_and_anything_else_is_a_message(text):
    try:
        amount = parse(text)
    except ApplicationError as exc:
        assert exc.messages and all("申请金额" in m for m in exc.messages)
        return
    _assert_money(amount)
    stripped = text.strip()
    assert stripped.isascii() and "_" not in stripped and "e" not in stripped.lower()
    assert Decimal(stripped.replace(",", "")) == amount


@given(
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.decimals(min_value=-MONEY_LIMIT, max_value=MONEY_LIMIT, places=3),
    )
)
def test_numbers_accepted_are_bounded_money_and_unchanged(value):
    try:
        amount = parse(value)
    except ApplicationError:
        return
    _assert_money(amount)
    assert amount == value


def test_schema_pattern_is_the_parsers():
    import re

    for text in ("1,234.50", "5", "-0.5", "100,000,000.00"):
        assert re.fullmatch(MONEY_PATTERN, text)
    for text in ("5,0", "1_000", "1e3", "1.005", "１２３"):
        assert not re.fullmatch(MONEY_PATTERN, text)


# --- the form field and the API field -----------------------------------------------------------


class AmountForm(forms.Form):
    amount = MoneyFormField(label="申请金额（元）", field_label="申请金额")
    line = MoneyFormField(label="金额（元）", required=False)


class AmountSerializer(serializers.Serializer):
    amount = MoneySerializerField(label="申请金额")


@pytest.mark.parametrize("text", ["1e30", "9999999999999", "5,0", "1_000", "NaN", "-0.001", "１２３", "abc"])
def test_page_and_api_fields_say_what_the_parser_says(text):
    expected = refusal(text)
    form = AmountForm({"amount": text, "line": ""})
    assert not form.is_valid()
    assert form.errors["amount"] == [expected]
    serializer = AmountSerializer(data={"amount": text})
    assert not serializer.is_valid()
    assert [str(m) for m in serializer.errors["amount"]] == [expected]


def test_form_field_reads_amounts_and_names_a_missing_one():
    form = AmountForm({"amount": " 1,000.5 ", "line": ""})
    assert form.is_valid()
    assert form.cleaned_data == {"amount": Decimal("1000.50"), "line": None}
    form = AmountForm({"amount": "", "line": "5,0"})
    assert not form.is_valid()
    assert form.errors["amount"] == ["请填写申请金额"]
    # Without a field_label the label names it.
    assert form.errors["line"][0].startswith("金额（元）格式不正确")
    assert 'inputmode="decimal"' in str(form["amount"])


def test_api_field_reads_strings_and_integers_not_floats():
    serializer = AmountSerializer(data={"amount": "1,234.50"})
    assert serializer.is_valid() and serializer.validated_data["amount"] == Decimal("1234.50")
    serializer = AmountSerializer(data={"amount": 200})
    assert serializer.is_valid() and serializer.validated_data["amount"] == Decimal("200.00")
    serializer = AmountSerializer(data={"amount": 200.5})
    assert not serializer.is_valid() and "不接受浮点数" in str(serializer.errors["amount"][0])
    assert AmountSerializer({"amount": Decimal("5")}).data == {"amount": "5.00"}


def test_a_model_amount_gets_the_money_form_field():
    field = MoneyField("金额").formfield()
    assert isinstance(field, MoneyFormField)
    with pytest.raises(ValidationError, match="逗号只能用作千位分隔符"):
        field.clean("5,0")

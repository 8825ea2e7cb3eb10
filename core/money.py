"""The one money type: Decimal with two places (yuan.fen), never float.

`parse_money` is the one way an amount from outside the code (a page, the
API, an import, a management command) becomes money. Its rules:

- an int, a Decimal, or text; text may have spaces around it, and an
  optional leading `+` or `-` (whether a negative amount makes sense is the
  caller's rule, so each service keeps its own "must be positive" message);
- ASCII digits only: full-width digits (`１２３`) and other scripts are
  refused with a hint to switch the input method to half-width, rather than
  read silently (Python's Decimal would accept them);
- at most two decimals, written after a `.` with a digit on both sides;
- a comma only as a thousands separator, every group of three in place
  (`1,000.50`); `5,0`, `1,00` and `1_000` are refused, not read as 50.00,
  100.00 or 1000.00;
- no exponent, `NaN` or `Infinity`, and no float (a float has already lost
  the exact value it was meant to hold);
- at most 100,000,000.00 yuan either way (`MONEY_LIMIT`), far below what the
  database column holds, so an absurd figure is a message, never an overflow.

Every refusal is an ApplicationError with a Chinese message that names the
field, so a page, the API and a service say the same thing.
"""

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .errors import ApplicationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_LIMIT = Decimal("100000000.00")
# What a MoneyField column (14 digits, 2 places) holds: the bound for amounts
# the code computes, which may sum inputs (a balance, a reversal of old books).
COLUMN_LIMIT = Decimal("999999999999.99")
# Longer text is no amount anyone typed; it is refused before any parsing.
TEXT_MAX_LENGTH = 64

_INTEGER = r"(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)"
_LOOSE = re.compile(r"[+-]?(?P<integer>[0-9][0-9,]*)(?:\.(?P<fraction>[0-9]+))?")


def number_pattern(places: int) -> str:
    """The text an amount with up to `places` decimals may be written as (also the API schema's pattern)."""
    return rf"^[+-]?{_INTEGER}(?:\.[0-9]{{1,{places}}})?$"


MONEY_PATTERN = number_pattern(2)


_SIGNED_NUMBER = re.compile(rf"[+-]?{_INTEGER}(?:\.[0-9]+)?")


def strip_thousands(text: str) -> str | None:
    """`text` without its thousands separators, or None where a comma is not
    one (`5,0`, `1,00`): the comma rule of `parse_money`, for readers with
    rules of their own about decimals (the survey's revenue in 万元)."""
    if "," not in text:
        return text
    return text.replace(",", "") if _SIGNED_NUMBER.fullmatch(text) else None


def _is_full_width(text: str) -> bool:
    return any(not ch.isascii() and (ch.isdigit() or "\uff01" <= ch <= "\uff5e") for ch in text)


def _text_refusal(text: str, *, field: str, places: int, example: str) -> str:
    """Why `text` (ASCII, not matching the pattern) is no amount, in words."""
    loose = _LOOSE.fullmatch(text)
    if loose:
        if "," in loose["integer"] and not re.fullmatch(_INTEGER, loose["integer"]):
            return _("%(field)s格式不正确：逗号只能用作千位分隔符，每三位一组（如 1,234.50）") % {"field": field}
        if loose["fraction"] and len(loose["fraction"]) > places:
            return _("%(field)s格式不正确：最多保留%(places)s位小数") % {"field": field, "places": places}
    return _("%(field)s格式不正确：请填写数字（如 %(example)s）") % {"field": field, "example": example}


def parse_decimal(
    value: object, *, field_label: str, places: int, limit: Decimal, unit: str = "", example: str = "0.5"
) -> Decimal:
    """A number with up to `places` decimals and at most `limit` either way,
    under the rules of the module docstring; or an ApplicationError naming
    the field. `parse_money` is this with two places, in yuan."""
    field = str(field_label)
    quantum = Decimal(1).scaleb(-places)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicationError(_("请填写%(field)s") % {"field": field}, code="required")
    if isinstance(value, float):
        raise ApplicationError(
            _('%(field)s不接受浮点数，请以文本填写（如 "%(example)s"）') % {"field": field, "example": example},
            code="float",
        )
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ApplicationError(
            _("%(field)s格式不正确：请填写数字（如 %(example)s）") % {"field": field, "example": example},
            code="invalid",
        )
    if isinstance(value, str):
        text = value.strip()
        if _is_full_width(text):
            raise ApplicationError(
                _("%(field)s格式不正确：请使用半角数字（如 %(example)s）") % {"field": field, "example": example},
                code="full_width",
            )
        if len(text) > TEXT_MAX_LENGTH or not text.isascii() or not re.fullmatch(number_pattern(places), text):
            raise ApplicationError(_text_refusal(text, field=field, places=places, example=example), code="invalid")
        number = Decimal(text.replace(",", ""))
    else:
        number = Decimal(value)
        if not number.is_finite():
            raise ApplicationError(
                _("%(field)s格式不正确：请填写数字（如 %(example)s）") % {"field": field, "example": example},
                code="invalid",
            )
    # The bound comes before any rounding: quantizing 1E+30 is itself an error.
    if number > limit:
        raise ApplicationError(
            _("%(field)s不能超过 %(limit)s%(unit)s") % {"field": field, "limit": f"{limit:,}", "unit": unit},
            code="limit",
        )
    if number < -limit:
        raise ApplicationError(
            _("%(field)s不能低于 -%(limit)s%(unit)s") % {"field": field, "limit": f"{limit:,}", "unit": unit},
            code="limit",
        )
    exact = number.quantize(quantum)
    if exact != number:
        raise ApplicationError(
            _("%(field)s格式不正确：最多保留%(places)s位小数") % {"field": field, "places": places}, code="places"
        )
    # "-0" is zero: no negative zero reaches the books or a message.
    return exact if exact else abs(exact)


def parse_money(value: object, *, field_label: str) -> Decimal:
    """An amount in yuan, exact to the fen, at most 100,000,000.00 either way."""
    return parse_decimal(
        value, field_label=field_label, places=2, limit=MONEY_LIMIT, unit=" " + _("元"), example="1234.50"
    )


def to_money(value: object) -> Decimal:
    """The same rules for amounts the code itself holds (a journal leg, a
    sum), bounded by what the column holds rather than by `MONEY_LIMIT`: a
    float is a TypeError, anything else refused a ValueError (a bug, not a
    message for a person)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        return parse_decimal(value, field_label="amount", places=2, limit=COLUMN_LIMIT)
    except ValidationError as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


class MoneyFormField(forms.Field):
    """A form's amount: `parse_money`'s rules and messages, naming
    `field_label` (the label without its unit, e.g. "申请金额" for
    "申请金额（元）"). Empty is None; "required" says which amount is missing."""

    widget = forms.TextInput

    def __init__(self, *, field_label: Any = None, **kwargs: Any) -> None:
        # A model field's formfield() passes the column's size; the bound here is tighter.
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        super().__init__(**kwargs)
        self.field_label = field_label

    def _name(self) -> str:
        return str(self.field_label or self.label or _("金额"))

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_money(value, field_label=self._name())
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages, code="invalid") from None

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise forms.ValidationError(_("请填写%(field)s") % {"field": self._name()}, code="required")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "maxlength": "20", "autocomplete": "off"})
        return attrs


class MoneyField(models.DecimalField):
    """Amounts in yuan with exactly two places, up to a trillion; a form
    for it (the admin's included) reads input with `parse_money`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        return models.Field.formfield(self, **{"form_class": MoneyFormField, **kwargs})

"""Checks for the identifiers the domain uses, with Chinese messages.

The check-character arithmetic is python-stdnum's (cn.uscc, cn.ric), a
maintained library that implements GB 32100-2015 and GB 11643-1999.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from .errors import ApplicationError

# GB 32100-2015: the characters a USCC is written in (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Years a survey (and anything filed per year) may carry.
YEAR_MIN, YEAR_MAX = 2000, 2100

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def credit_code_from_number(n: int, *, prefix: str = "91210204") -> str:
    """A valid USCC whose nine body characters spell `n` in base 31: distinct
    numbers give distinct codes (for test data, demos and benchmarks)."""
    body = ""
    for _position in range(9):
        body = USCC_ALPHABET[n % 31] + body
        n //= 31
    stem = prefix + body
    return stem + uscc.calc_check_digit(stem)


def validate_year(year: int) -> int:
    """A survey year (or any year a record is filed for)."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ApplicationError(_("年度应在2000至2100之间"))
    return year


def normalize_credit_code(value: str) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


def validate_credit_code(value: str) -> str:
    """Return the normalized USCC or raise ValidationError in Chinese."""
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位，当前为%(n)d位") % {"n": len(code)}, code="length")
    try:
        uscc.validate(code)
    except InvalidChecksum:
        raise ValidationError(_("统一社会信用代码校验位错误"), code="checksum") from None
    except StdnumError:
        raise ValidationError(_("统一社会信用代码含有非法字符"), code="format") from None
    return code


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


def validate_id_number(value: str) -> str:
    """Return the normalized resident ID number or raise ValidationError."""
    number = normalize_id_number(value)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(_("身份证号应为18位，前17位为数字，末位为数字或X"), code="format")
    try:
        ric.validate(number)
    except InvalidChecksum:
        raise ValidationError(_("身份证号校验位错误"), code="checksum") from None
    except StdnumError:
        raise ValidationError(_("身份证号中的出生日期无效"), code="birth_date") from None
    return number


def validate_phone(value: str) -> str:
    phone = re.sub(r"\s+", "", str(value or ""))
    if not PHONE_RE.fullmatch(phone):
        raise ValidationError(_("电话号码格式不正确：应为11位手机号或带区号的固定电话"), code="phone")
    return phone


def birth_date_from_id(number: str) -> date:
    return ric.get_birth_date(number)

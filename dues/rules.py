"""How much a member pays a month (DESIGN.md §9), exact to the fen.

The rate applies to the whole declared after-tax monthly income (not to
the part above a bracket's lower edge), by the bracket the income falls in:
on the job ≤3,000 yuan 0.5%, ≤5,000 1%, ≤10,000 1.5%, above 2%; retirees
0.5% up to 5,000 and 1% above; students, the unemployed and members on
subsistence pay 0.20 yuan. The brackets are rows of `Bracket` with dates,
so a change is a new row from a date on.

Rounding: income × rate is rounded half up to the fen (ROUND_HALF_UP to
0.01 yuan: 12.345 → 12.35, 12.344 → 12.34), the usual practice of branch
treasurers; the rules themselves name no rounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.money import CENT

from .models import FLAT_CATEGORIES, Bracket

ROUNDING_RULE = gettext_lazy("按税后月收入全额乘以所在档次比例计算，四舍五入到分（0.005 元进为 0.01 元）")


@dataclass(frozen=True)
class Due:
    amount: Decimal
    bracket: Bracket


def round_to_fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def brackets_in_force(on: date) -> list[Bracket]:
    return list(
        Bracket.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("category", "income_above")
    )


def bracket_for(category: str, income: Decimal | None, *, on: date, table: list[Bracket] | None = None) -> Bracket:
    """The bracket in force on `on` for a member of `category` with `income`."""
    rows = [b for b in (table if table is not None else brackets_in_force(on)) if b.category == category]
    for row in rows:
        if row.flat_amount is not None:
            return row
        if income is None:
            break
        above_ok = row.income_above is None or income > row.income_above
        below_ok = row.income_up_to is None or income <= row.income_up_to
        if above_ok and below_ok:
            return row
    if income is None and category not in FLAT_CATEGORIES:
        raise ApplicationError({"monthly_income": _("税后月收入：请填写（在职、离退休党员按收入计算党费）")})
    raise ApplicationError(_("%(on)s 没有适用的党费档次，请先维护党费档次") % {"on": on})


def monthly_dues(category: str, income: Decimal | None, *, on: date, table: list[Bracket] | None = None) -> Due:
    """The monthly amount and its bracket (see the module's rounding rule)."""
    bracket = bracket_for(category, income, on=on, table=table)
    if bracket.flat_amount is not None:
        return Due(bracket.flat_amount, bracket)
    assert income is not None and bracket.rate is not None
    return Due(round_to_fen(income * bracket.rate), bracket)


# --- months -------------------------------------------------------------------------------------

PERIOD_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(period: date, n: int) -> date:
    index = period.year * 12 + period.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included."""
    out, current = [], month_start(first)
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


def parse_period(value: object, *, field: str = "period") -> date:
    """A month written YYYY-MM (2026-07), or the refusal naming the field."""
    text = str(value or "").strip()
    match = PERIOD_RE.match(text)
    if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2099:
        raise ApplicationError({field: _("所属月份：格式应为 YYYY-MM（如 2026-07）")})
    return date(int(match[1]), int(match[2]), 1)


def format_period(period: date) -> str:
    return f"{period:%Y-%m}"


def quarter_months(quarter: str) -> list[date]:
    """The three months of `2026Q3`, or the refusal."""
    match = re.fullmatch(r"([0-9]{4})Q([1-4])", (quarter or "").strip().upper())
    if not match:
        raise ApplicationError({"quarter": _("季度：格式应为 YYYYQn（如 2026Q3）")})
    first = date(int(match[1]), 3 * int(match[2]) - 2, 1)
    return [first, add_months(first, 1), add_months(first, 2)]


def quarter_of(period: date) -> str:
    return f"{period.year}Q{(period.month - 1) // 3 + 1}"


# --- what is due --------------------------------------------------------------------------------

PAYING_STAGES = ("probationary", "formal")


def acceptance_date(member: Any) -> date | None:
    """The day the branch accepted the member (接收预备党员); for a member
    recorded as formal without it, the day they became formal."""
    return member.probationary_on or member.formal_on


class DuesBook:
    """What each member owes a month, with the bracket table loaded once."""

    def __init__(self) -> None:
        self.brackets = list(Bracket.objects.order_by("category", "income_above"))
        self._tables: dict[date, list[Bracket]] = {}

    def table_on(self, on: date) -> list[Bracket]:
        if on not in self._tables:
            self._tables[on] = [
                b for b in self.brackets if b.valid_from <= on and (b.valid_to is None or b.valid_to >= on)
            ]
        return self._tables[on]

    def full_amount(self, basis: Any, period: date) -> Due:
        return monthly_dues(basis.category, basis.income, on=period, table=self.table_on(period))

    def due(self, member: Any, basis: Any, period: date, reliefs: list[Any]) -> Decimal | None:
        """The amount due for `period`, or None where nothing is due: no
        basis, not (yet) a party member that month, before the first month
        of the basis, after leaving, suspended, or exempted. A reduction's
        monthly amount replaces the bracket's."""
        if basis is None or member.stage not in PAYING_STAGES or member.status == "suspended":
            return None
        accepted = acceptance_date(member)
        if accepted is None or period < month_start(accepted) or period < month_start(basis.due_from):
            return None
        if member.left_on and period > month_start(member.left_on):
            return None
        for relief in reliefs:
            if relief.first_period <= period <= relief.last_period:
                return None if relief.kind == "exempt" else relief.monthly_amount
        try:
            amount = self.full_amount(basis, period).amount
        except ApplicationError:
            return None
        return amount or None

"""What an organization may draw: its own balance plus the pool's reward or
subsidy by star (DESIGN.md §5).

- A depositing organization (enterprise deposits this calendar year, net of
  reversals) may take from the pool up to deposits × match rate for its star.
- An organization with no deposits this year may take a subsidy from the pool
  up to the yearly cap for its star.
- Either way only while the pool has money, and less what the pool already
  paid it this year (net of unspent money that flowed back).
- An organization with no rating in force gets no reward or subsidy: the
  star decides, and there is none yet.

The star is the one in force on the date asked about (the approval date for
an approval), read through `orgs.selectors.rating_in_force`; the rates and
caps are the `StarRule` rows in force on that date in the organization's
district (its own, else the default: orgs.rulebook), and the pool is its
district's.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from core.money import CENT, ZERO
from orgs.models import Region
from orgs.rulebook import RuleOwner, district_of, rule_owner, rules_in_force
from orgs.selectors import rating_in_force

from .models import Application, FundAccount, FundEntry, StarRule, TransactionKind
from .reference import DEFAULT_STAR_RULES


def money(value) -> Decimal:
    """A database sum as exact money. SQLite adds decimals as floats, so its
    sums carry noise below a fen; rounding to the fen restores the exact
    value (PostgreSQL's numeric sums are exact already)."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RuleValues:
    stars: int | None
    match_rate: Decimal
    subsidy_cap: Decimal


def star_rule_in_force(*, stars: int, on: date, region: Region | None = None) -> StarRule | None:
    """The row of the star table in force for `stars` in a region (orgs.rulebook:
    the district's own, else the default); each star is a family of its own."""
    rows = rules_in_force(
        StarRule.objects.filter(stars=stars).select_related("region"), region=region, on=on, key=lambda r: r.stars
    )
    return rows[0] if rows else None


def rule_values(*, stars: int | None, on: date, region: Region | None = None) -> RuleValues:
    if not stars:
        return RuleValues(stars=None, match_rate=Decimal("0"), subsidy_cap=ZERO)
    rule = star_rule_in_force(stars=stars, on=on, region=region)
    if rule is None:
        # A database that lost its reference rows still follows the published defaults.
        rate, cap = DEFAULT_STAR_RULES[stars]
        return RuleValues(stars=stars, match_rate=rate, subsidy_cap=cap)
    return RuleValues(stars=stars, match_rate=rule.match_rate, subsidy_cap=rule.subsidy_cap)


def star_rules_in_force(*, on: date, region: Region | None = None) -> list[RuleValues]:
    return [rule_values(stars=s, on=on, region=region) for s in range(1, 6)]


def star_rules_owner(*, on: date, region: Region | None = None) -> RuleOwner:
    """Whose star table is in force in a region, for the pages to say."""
    rows = [star_rule_in_force(stars=s, on=on, region=region) for s in range(1, 6)]
    return rule_owner(r for r in rows if r is not None)


def star_rules_with_owners(*, on: date, region: Region | None = None) -> list[tuple[RuleValues, RuleOwner]]:
    """Each star's values in force in a region with whose row they come from
    (a district may set one star and follow the defaults for the others)."""
    out = []
    for stars in range(1, 6):
        row = star_rule_in_force(stars=stars, on=on, region=region)
        out.append((rule_values(stars=stars, on=on, region=region), rule_owner([row] if row else [])))
    return out


def deposits_in_year(*, account: FundAccount, year: int) -> Decimal:
    """Enterprise deposits booked to the account in the year, net of their reversals."""
    total = FundEntry.objects.filter(
        Q(transaction__kind=TransactionKind.ENTERPRISE_DEPOSIT)
        | Q(transaction__kind=TransactionKind.REVERSAL, transaction__reverses__kind=TransactionKind.ENTERPRISE_DEPOSIT),
        account=account,
        transaction__occurred_on__year=year,
    ).aggregate(s=Sum("amount"))["s"]
    return money(total)


def pool_used_in_year(*, account: FundAccount, year: int, exclude_pk: int | None = None) -> Decimal:
    """What the pool has paid this account for applications approved in the year, net of money returned."""
    qs = Application.objects.filter(account=account, approved_on__year=year, disbursement__isnull=False)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    agg = qs.aggregate(paid=Sum("pool_amount"), back=Sum("pool_returned"))
    return money(agg["paid"]) - money(agg["back"])


@dataclass(frozen=True)
class CreditLine:
    on: date
    balance: Decimal
    stars: int | None
    mode: str  # "reward" (本金+奖励) or "subsidy" (无预存补助)
    match_rate: Decimal
    subsidy_cap: Decimal
    deposits_this_year: Decimal
    pool_cap: Decimal
    pool_used: Decimal
    pool_balance: Decimal
    pending: Decimal

    @property
    def pool_left(self) -> Decimal:
        return max(ZERO, self.pool_cap - self.pool_used)

    @property
    def pool_available(self) -> Decimal:
        return max(ZERO, min(self.pool_left, self.pool_balance))

    @property
    def drawable(self) -> Decimal:
        return max(ZERO, self.balance + self.pool_available - self.pending)

    @property
    def mode_label(self) -> str:
        return "本金+奖励" if self.mode == "reward" else "无预存补助"

    @property
    def own_plus_pool(self) -> Decimal:
        """What 本金+奖励 (or the subsidy alone) adds up to: the balance and
        what the pool can still add, before the applications in flight."""
        return self.balance + self.pool_available


def credit_line(
    *,
    account: FundAccount,
    on: date,
    values: RuleValues | None = None,
    exclude_application: Application | None = None,
    pool: FundAccount | None = None,
) -> CreditLine:
    """The amount `account` can draw on `on`. `pending` counts applications
    still in review or 公示, which have a claim on the same money."""
    organization = account.organization if account.organization_id else None
    district = district_of(organization) if organization is not None else None
    if values is None:
        rating = rating_in_force(organization=organization, on=on) if organization is not None else None
        values = rule_values(stars=rating.stars if rating else None, on=on, region=district)
    exclude_pk = exclude_application.pk if exclude_application else None
    deposits = deposits_in_year(account=account, year=on.year)
    if deposits > ZERO:
        mode = "reward"
        cap = (deposits * values.match_rate).quantize(CENT, rounding=ROUND_DOWN)
    else:
        mode = "subsidy"
        cap = values.subsidy_cap
    if pool is None and district is not None:
        # The organization's own district's pool; read only (a pool opens on its first posting).
        pool = FundAccount.objects.filter(kind=FundAccount.Kind.POOL, region=district).first()
    pending_qs = Application.objects.filter(account=account, status__in=Application.WAITING)
    if exclude_pk:
        pending_qs = pending_qs.exclude(pk=exclude_pk)
    return CreditLine(
        on=on,
        balance=account.balance,
        stars=values.stars,
        mode=mode,
        match_rate=values.match_rate,
        subsidy_cap=values.subsidy_cap,
        deposits_this_year=deposits,
        pool_cap=cap,
        pool_used=pool_used_in_year(account=account, year=on.year, exclude_pk=exclude_pk),
        pool_balance=pool.balance if pool else ZERO,
        pending=money(pending_qs.aggregate(s=Sum("amount"))["s"]),
    )

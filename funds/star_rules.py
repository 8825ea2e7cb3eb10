"""New rows of the star table (奖补标准): match rate and subsidy cap by star,
from a date on; earlier rows stay as history (reads are in funds.rules)."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.money import ZERO, parse_decimal, parse_money
from orgs import policy
from orgs.audit import audit_event
from orgs.models import Region, User
from orgs.policy import require
from orgs.rulebook import rule_region_refusal

from .models import StarRule

# A rate, not money: read by the same rules, with four places, below the
# column's 10 (numeric(5, 4) holds at most 9.9999).
MATCH_RATE_LIMIT = Decimal("9.9999")


def star_rule_check(
    *,
    stars: int,
    effective_from: date | None,
    match_rate: object,
    subsidy_cap: object,
    by: User,
    region: Region | None = None,
) -> tuple[Decimal, Decimal]:
    """Everything a new row must satisfy, before anything is written: the
    service and the admin's form both ask it, so the admin can never take a
    value the service refuses (and then fail while saving). `region` is whose
    rule it is: a district's own, a city's default, or None (the installation's)."""
    require(policy.may_set_any_rules(by), _("您没有办理此业务的权限"))
    if not policy.may_set_star_rules(by, region):
        raise ApplicationError({"region": [rule_region_refusal(region)]})
    if stars not in range(1, 6):
        raise ApplicationError({"stars": [_("星级应为1至5")]})
    try:
        rate = parse_decimal(match_rate, field_label=_("奖励配比"), places=4, limit=MATCH_RATE_LIMIT)
    except ApplicationError as exc:
        raise ApplicationError({"match_rate": exc.messages}) from None
    if rate < 0:
        raise ApplicationError({"match_rate": [_("奖励配比应为0至10之间、最多四位小数的数")]})
    try:
        cap = parse_money(subsidy_cap, field_label=_("年度补助上限"))
    except ApplicationError as exc:
        raise ApplicationError({"subsidy_cap": exc.messages}) from None
    if cap < ZERO:
        raise ApplicationError({"subsidy_cap": [_("补助上限不能为负数")]})
    if StarRule.objects.filter(stars=stars, effective_from=effective_from, region=region).exists():
        raise ApplicationError({"effective_from": [_("该星级在此日期已有标准，请选择其他生效日期")]})
    return rate, cap


@transaction.atomic
def star_rule_set(
    *,
    stars: int,
    effective_from: date,
    match_rate: object,
    subsidy_cap: object,
    by: User,
    note: str = "",
    region: Region | None = None,
) -> StarRule:
    """A new row of the star table from a date on, for `region` (None: the
    installation's default); earlier rows stay as history."""
    rate, cap = star_rule_check(
        stars=stars,
        effective_from=effective_from,
        match_rate=match_rate,
        subsidy_cap=subsidy_cap,
        by=by,
        region=region,
    )
    rule = StarRule.objects.create(
        stars=stars,
        effective_from=effective_from,
        match_rate=rate,
        subsidy_cap=cap,
        note=note,
        created_by=by,
        region=region,
    )
    audit_event(
        actor=by,
        instance=rule,
        event="fund.star_rule.set",
        detail={"rate": str(rate), "cap": str(cap), "region": region.pk if region else None},
    )
    return rule

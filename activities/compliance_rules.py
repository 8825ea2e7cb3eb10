"""New rows of the compliance rules (how many activities of a type an
organization holds per period), for a region from a date on; earlier rows
stay as history (reads are stats.compliance.active_rules)."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from orgs import policy
from orgs.audit import audit_event
from orgs.models import Region, User
from orgs.policy import require
from orgs.rulebook import rule_region_refusal

from .models import ActivityType, ComplianceRule

MINIMUM_LIMIT = 99


@transaction.atomic
def compliance_rule_set(
    *,
    by: User,
    region: Region | None,
    activity_type: str,
    period: str,
    minimum: object,
    applies_to: str = ComplianceRule.Condition.ALWAYS,
    active: bool = True,
    effective_from: date | None,
) -> ComplianceRule:
    """A district's own expectation for one activity type (or a city's or the
    installation's default) from a date on. Refused, naming the field, for a
    region the user does not hold; nothing is written on bad input."""
    require(policy.may_set_any_rules(by), _("您没有办理此业务的权限"))
    if not policy.may_set_rules(by, region):
        raise ApplicationError({"region": [rule_region_refusal(region)]})
    errors: dict[str, list[str]] = {}
    if activity_type not in ActivityType.values:
        errors["activity_type"] = [_("活动类型：请选择列表中的类型")]
    if period not in ComplianceRule.Period.values:
        errors["period"] = [_("周期：请选择每月、每季度或每年")]
    if applies_to not in ComplianceRule.Condition.values:
        errors["applies_to"] = [_("适用范围：请选择列表中的一项")]
    try:
        count = int(str(minimum).strip())
    except ValueError:
        count = 0
    if not 1 <= count <= MINIMUM_LIMIT:
        errors["minimum"] = [_("最少次数：请填写1至%(n)s之间的整数") % {"n": MINIMUM_LIMIT}]
    if effective_from is None:
        errors["effective_from"] = [_("生效日期：请填写日期")]
    elif ComplianceRule.objects.filter(
        activity_type=activity_type, effective_from=effective_from, region=region
    ).exists():
        errors["effective_from"] = [_("生效日期：该活动类型在此日期已有规则，请选择其他日期")]
    if errors:
        raise ApplicationError(errors)
    rule = ComplianceRule.objects.create(
        activity_type=activity_type,
        period=period,
        minimum=count,
        applies_to=applies_to,
        active=active,
        effective_from=effective_from,
        region=region,
    )
    audit_event(
        actor=by,
        instance=rule,
        event="activities.compliance_rule.set",
        detail={"type": activity_type, "period": period, "minimum": count, "region": region.pk if region else None},
    )
    return rule

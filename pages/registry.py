"""What the registry's pages (pages.views) show beyond the record itself:
an organization's rating with its evidence and the gap to the next star, its
term and its fund account; why an enterprise counts the way it does in the
coverage figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils.translation import gettext as _

from core.i18n import say
from funds.selectors import account_for_organization, entry_list
from orgs.models import BusinessStatus, Enterprise, OrgSetup, PartyOrganization, Rating
from orgs.rulebook import district_of
from orgs.selectors import criteria_in_force, rating_in_force
from stats.rating_gap import next_star_lines

if TYPE_CHECKING:
    from orgs.policy import AnyUser


def organization_rating(*, organization: PartyOrganization, on: date) -> Rating | None:
    """The rating the organization page shows: the one in force on `on`
    (orgs.selectors.rating_in_force, the rule the dashboards and the fund
    follow too). Where none is in force yet, the newest rating still waiting
    for publication, which the page marks as not yet published."""
    in_force = rating_in_force(organization=organization, on=on)
    if in_force is not None:
        return in_force
    waiting = Q(published_on__isnull=True) | Q(published_on__gt=on)
    return Rating.objects.filter(waiting, organization=organization).order_by("-computed_on").first()


def _text(value: object) -> str:
    if isinstance(value, dict) and ("id" in value or "list" in value):
        return say(value)
    if isinstance(value, dict):
        for k in ("message", "text", "missing", "reason", "note", "label", "name"):
            if value.get(k):
                return _text(value[k])
        return ""
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value)
    return str(value)


def rating_evidence(*, rating: Rating) -> list[dict]:
    """The evidence JSON as rows: criterion, points, weight and the records
    behind them. The nightly job decides the JSON's detail; this reads the
    shapes it may take (a mapping by criterion code, or a list of items)."""
    region = district_of(rating.organization)
    criteria = {c.code: c for c in criteria_in_force(on=rating.computed_on, region=region)}
    evidence = rating.evidence or {}
    items = evidence.get("criteria", evidence) if isinstance(evidence, dict) else evidence
    if isinstance(items, dict):
        items = [dict(v, code=k) if isinstance(v, dict) else {"code": k, "score": v} for k, v in items.items()]
    rows = []
    for item in items or []:
        if not isinstance(item, dict):
            rows.append({"name": _text(item), "score": None, "weight": None, "details": [], "order": (10**6, "")})
            continue
        code = item.get("code") or item.get("criterion") or ""
        details = []
        for k in ("evidence", "details", "records", "missing", "note", "notes", "reason"):
            v = item.get(k)
            if v:
                details.extend(_text(x) for x in v) if isinstance(v, list) else details.append(_text(v))
        criterion = criteria.get(code)
        rows.append(
            {
                "name": say(item.get("name") or (criterion.name if criterion else code)),
                "score": item.get("score", item.get("points")),
                "weight": item.get("weight", criterion.weight if criterion else None),
                "details": details,
                "order": (criterion.order, criterion.code) if criterion else (10**6, code),
            }
        )
    # PostgreSQL's jsonb does not keep key order: show criteria in the scheme's order.
    return sorted(rows, key=lambda r: r.get("order", (10**6, "")))


def rating_gap(*, rating: Rating) -> list[str]:
    """The gap to the next star as the rating page words it (stats.rating_gap.next_star_lines)."""
    return next_star_lines(rating)


def term_status(*, organization: PartyOrganization, on: date) -> str:
    if not organization.term_end:
        return _("任期未登记")
    if organization.term_end < on:
        return _("已届满，应及时换届")
    if organization.term_end <= on + relativedelta(days=60):
        return _("60天内届满")
    return _("任期内")


def organization_fund(*, user: AnyUser, organization: PartyOrganization, limit: int = 10) -> dict | None:
    """The organization's fund account with its latest entries."""
    account = account_for_organization(user=user, organization=organization)
    if account is None:
        return None
    return {"account": account, "entries": list(entry_list(account=account)[:limit])}


def enterprise_coverage(
    *, enterprise: Enterprise, organizations: Iterable[PartyOrganization], visible_ids: set[int], on: date
) -> dict:
    """Why one enterprise counts the way it does in the figures (DESIGN §3),
    read from its own records: the status, the organizations that cover it,
    an instructor assignment active on the day. All covering organizations
    count; only those in the reader's scope are named."""
    reasons: list[str] = []
    in_base = enterprise.status == BusinessStatus.OPERATING
    orgs = [o for o in organizations if o.dissolved_on is None or o.dissolved_on > on]
    active_assignment = (
        enterprise.instructor_assignments.filter(start_on__lte=on)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .exists()
    )
    if not in_base:
        reasons.append(
            _("经营状态为“%(status)s”，不计入覆盖率的企业基数。") % {"status": enterprise.get_status_display()}
        )
    if orgs:
        named = [f"“{o.name}”（{o.get_formation_mode_display()}）" for o in orgs if o.pk in visible_ids]
        hidden = len(orgs) - len(named)
        if hidden:
            named.append(_("%(n)d个其他党组织") % {"n": hidden})
        reasons.append(_("由%(orgs)s覆盖，计入组织覆盖和工作覆盖。") % {"orgs": "、".join(named)})
    elif active_assignment:
        reasons.append(_("尚无党组织覆盖；已选派党建指导员，计入工作覆盖。"))
    else:
        reasons.append(_("尚无党组织覆盖，也没有在岗的党建指导员。"))
    eligible = enterprise.members_formal >= 3
    own = any(o.formation_mode == "own" for o in orgs)
    if eligible and in_base:
        if own:
            reasons.append(_("正式党员%(n)d名，已单独组建，计入单独组建率。") % {"n": enterprise.members_formal})
        elif orgs:
            reasons.append(
                _("正式党员%(n)d名，具备单独组建条件但未单独组建（单独组建率的分母）。")
                % {"n": enterprise.members_formal}
            )
        else:
            reasons.append(_("正式党员%(n)d名，达到3名以上却未建党组织：应建未建。") % {"n": enterprise.members_formal})
    if enterprise.org_setup != OrgSetup.NONE and not orgs:
        reasons.append(_("排查表填报已建党组织，但系统中没有覆盖该企业的党组织记录，以系统记录为准。"))
    if enterprise.org_setup == OrgSetup.NONE and orgs:
        reasons.append(_("排查表填报未建党组织，但系统中有党组织覆盖该企业，以系统记录为准。"))
    if not in_base:
        status, level = _("不计入"), "muted"
    elif orgs:
        status, level = _("组织覆盖"), "ok"
    elif active_assignment:
        status, level = _("工作覆盖"), "warn"
    else:
        status, level = (_("应建未建") if eligible else _("未覆盖")), "bad"
    return {"status": status, "level": level, "reasons": reasons}

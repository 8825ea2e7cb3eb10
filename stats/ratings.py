"""Star rating (DESIGN.md §4), driven by RatingCriterion and StarThreshold rows.

All inputs are read for every organization at once (a fixed number of
queries), each criterion turns its inputs into points with the evidence;
stats.rating_publish writes one Rating row per organization and date.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from activities.models import SERVICE_TYPES, THREE_MEETINGS_ONE_LECTURE, ActivityType
from core.errors import ApplicationError
from core.i18n import label, said
from funds.models import INCOME_KINDS, FundEntry, TransactionKind
from members.models import Member, Stage
from orgs import policy
from orgs.audit import audit_event
from orgs.models import (
    PartyOrganization,
    Rating,
    RatingCriterion,
    RatingVeto,
    Region,
    VenueChecklist,
)
from orgs.policy import require
from orgs.reference import THRESHOLDS
from orgs.selectors import criteria_in_force, thresholds_in_force

from . import compliance

COMMITTEE_FROM_FORMAL = 7
TWO_PLACES = Decimal("0.01")


@dataclass
class Inputs:
    on: date
    window_start: date
    counts: compliance.ActivityCounts
    rules: compliance.RulesByDistrict
    formal: dict[int, int]
    development: dict[int, int]
    venue: dict[int, VenueChecklist]
    fund_entries: dict[int, int]
    mass: dict[int, tuple[int, int, int]]
    vetoes: dict[int, str]
    service: dict[int, int] = field(default_factory=dict)


@dataclass
class RatingRun:
    on: date
    ratings: int = 0
    messages: list[str] = field(default_factory=list)


def active_organizations(on: date):
    return PartyOrganization.objects.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=on)).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)
    )


def load_inputs(*, on: date, organization_ids: list[int] | None = None) -> Inputs:
    window_start = compliance.add_months(on.replace(day=1), -11)
    year_ago = on - timedelta(days=365)

    def narrow(qs, path):
        return qs.filter(**{f"{path}__in": organization_ids}) if organization_ids is not None else qs

    active_members = Member.objects.exclude(status=Member.Status.SUSPENDED).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )
    formal = dict(
        narrow(active_members, "organization_id")
        .filter(Q(formal_on__lte=on) | Q(formal_on__isnull=True, stage=Stage.FORMAL))
        .values_list("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    development = dict(
        narrow(active_members, "organization_id")
        .filter(
            Q(applied_on__gt=year_ago, applied_on__lte=on)
            | Q(activist_on__gt=year_ago, activist_on__lte=on)
            | Q(probationary_on__gt=year_ago, probationary_on__lte=on)
        )
        .values_list("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    venue_qs = narrow(VenueChecklist.objects.filter(year__lte=on.year, year__gte=on.year - 1), "organization_id")
    venue: dict[int, VenueChecklist] = {}
    for v in venue_qs.order_by("year"):
        venue[v.organization_id] = v  # the latest year wins
    fund_entries = dict(
        narrow(FundEntry.objects.all(), "account__organization_id")
        .filter(
            account__organization__isnull=False,
            transaction__occurred_on__gt=year_ago,
            transaction__occurred_on__lte=on,
            transaction__kind__in=[*INCOME_KINDS, TransactionKind.DISBURSEMENT],
        )
        .values_list("account__organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    link = PartyOrganization.enterprises.through.objects.all()
    mass = {
        org_id: (n, u, lg)
        for org_id, n, u, lg in narrow(link, "partyorganization_id")
        .values_list("partyorganization_id")
        .annotate(
            n=Count("id"),
            u=Count("id", filter=Q(enterprise__union_established=True)),
            lg=Count("id", filter=Q(enterprise__league_established=True)),
        )
        .order_by()
    }
    vetoes = dict(
        narrow(RatingVeto.objects.filter(year=on.year, revoked_at__isnull=True), "organization_id").values_list(
            "organization_id", "reason"
        )
    )
    counts = compliance.activity_counts(start=window_start, end=on, organization_ids=organization_ids)
    service: dict[int, int] = defaultdict(int)
    for (org_id, activity_type, _y, _m), n in counts.counts.items():
        if activity_type in SERVICE_TYPES:
            service[org_id] += n
    return Inputs(
        on=on,
        window_start=window_start,
        counts=counts,
        service=dict(service),
        rules=compliance.RulesByDistrict.load(on),
        formal=formal,
        development=development,
        venue=venue,
        fund_entries=fund_entries,
        mass=mass,
        vetoes=vetoes,
    )


# --- Criteria: each returns (share 0..1, evidence dict) --------------------


def _organization(org, inputs: Inputs, params: dict) -> tuple[float, dict]:
    checks, missing = 0, []
    if org.secretary_name:
        checks += 1
    else:
        missing.append(label(gettext_noop("未配备书记")))
    formal = inputs.formal.get(org.pk, 0)
    if formal < COMMITTEE_FROM_FORMAL or org.has_committee:
        checks += 1
    else:
        missing.append(said(gettext_noop("正式党员%(n)d人，应设支部委员会"), n=formal))
    if org.term_end and org.term_end >= inputs.on:
        checks += 1
    elif org.term_end:
        missing.append(said(gettext_noop("任期已于%(d)s届满"), d=org.term_end))
    else:
        missing.append(label(gettext_noop("未录入任期")))
    return checks / 3, {"formal_members": formal, "missing": missing}


def _meetings(org, inputs: Inputs, types) -> tuple[float, dict]:
    """Share of expected meetings held: closed periods count, an open period only once it is met."""
    results = compliance.evaluate(
        org=org,
        rules=inputs.rules.for_org(org),
        counts=inputs.counts,
        start=inputs.window_start,
        on=inputs.on,
        types=types,
    )
    expected = [r for r in results if r.colour in (compliance.GREEN, compliance.RED)]
    met = [r for r in expected if r.colour == compliance.GREEN]
    missing = [
        said(
            gettext_noop("%(type)s %(period)s"),
            type=label(ActivityType(r.rule.activity_type).label),
            period=r.period.said,
        )
        for r in expected
        if r.colour == "red"
    ]
    held = defaultdict(int)
    for r in results:
        held[r.rule.activity_type] += r.held
    evidence = {
        "expected": len(expected),
        "met": len(met),
        "held": dict(held),
        "exempt": sum(1 for r in results if r.colour == compliance.EXEMPT),
        "missing": missing,
    }
    if not expected:
        evidence["note"] = label(gettext_noop("统计期内无应开会议"))
        return 1.0, evidence
    return len(met) / len(expected), evidence


@functools.cache
def _type_labels() -> dict[str, dict]:
    """Each activity type's label as a stored message (core.i18n)."""
    return {value: label(text) for value, text in ActivityType.choices}


def _three_meetings(org, inputs, params):
    return _meetings(org, inputs, set(THREE_MEETINGS_ONE_LECTURE))


def _theme_day(org, inputs, params):
    return _meetings(org, inputs, {ActivityType.THEME_DAY})


def _venue(org, inputs, params):
    checklist = inputs.venue.get(org.pk)
    if checklist is None:
        return 0.0, {"missing": [label(gettext_noop("街道尚未录入六有检查"))]}
    missing = [
        label(VenueChecklist._meta.get_field(i).verbose_name) for i in VenueChecklist.ITEMS if not getattr(checklist, i)
    ]
    return checklist.score / 6, {"checklist": checklist.pk, "year": checklist.year, "missing": missing}


def _development(org, inputs, params):
    target = Decimal(str(params.get("target_ratio", "0.10"))) or Decimal("0.10")
    size = max(inputs.formal.get(org.pk, 0), 1)
    new = inputs.development.get(org.pk, 0)
    share = min(1.0, float(Decimal(new) / size / target))
    evidence = {"new_in_year": new, "formal_members": size, "target_ratio": str(target), "missing": []}
    if share < 1:
        need = int((target * size).to_integral_value(rounding="ROUND_CEILING")) - new
        evidence["missing"].append(
            said(gettext_noop("近一年还需发展%(n)d人（申请人、积极分子或预备党员）"), n=max(need, 1))
        )
    return share, evidence


def _service(org, inputs, params):
    target = int(params.get("target", 4)) or 4
    held = inputs.service.get(org.pk, 0)
    evidence = {"held": held, "target": target, "missing": []}
    if held < target:
        evidence["missing"].append(
            said(gettext_noop("近12个月还需开展%(n)d次志愿服务或党员先锋岗活动"), n=target - held)
        )
    return min(1.0, held / target), evidence


def _fund(org, inputs, params):
    n = inputs.fund_entries.get(org.pk, 0)
    if n:
        return 1.0, {"entries": n, "missing": []}
    return 0.0, {"entries": 0, "missing": [label(gettext_noop("近一年公积金账户无预存或报账"))]}


def _mass_orgs(org, inputs, params):
    n, union, league = inputs.mass.get(org.pk, (0, 0, 0))
    if not n:
        return 0.0, {"missing": [label(gettext_noop("党组织未关联企业"))]}
    missing = []
    if union < n:
        missing.append(said(gettext_noop("%(k)d家企业未建工会"), k=n - union))
    if league < n:
        missing.append(said(gettext_noop("%(k)d家企业未建团组织"), k=n - league))
    return (union + league) / (2 * n), {"enterprises": n, "union": union, "league": league, "missing": missing}


CRITERIA = {
    "organization": _organization,
    "three_meetings": _three_meetings,
    "theme_day": _theme_day,
    "venue": _venue,
    "development": _development,
    "service": _service,
    "fund": _fund,
    "mass_orgs": _mass_orgs,
}


def _q(value) -> Decimal:
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def stars_for(score: Decimal, thresholds: list[tuple[int, Decimal]]) -> int:
    for stars, minimum in thresholds:
        if score >= minimum:
            return stars
    return 1


@dataclass
class Scheme:
    """The criteria (active ones) and star thresholds a district rates by on a date."""

    criteria: list[RatingCriterion]
    thresholds: list[tuple[int, Decimal]]
    # Whose scheme it is: the region of its criteria rows (None: the installation's default).
    owner_id: int | None = None
    defaulted_thresholds: bool = False

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)


def scheme_in_force(*, on: date, region: Region | None = None) -> Scheme:
    """The rating scheme in force in a region on a date (orgs.rulebook), the
    default thresholds standing in for a table that has none."""
    every = criteria_in_force(on=on, region=region)
    rows = [(t.stars, t.min_score) for t in thresholds_in_force(on=on, region=region)]
    defaulted = not rows
    if defaulted:
        rows = [(s, Decimal(m)) for s, m in THRESHOLDS]
    return Scheme(
        criteria=[c for c in every if c.active],
        thresholds=rows,
        owner_id=every[0].region_id if every else None,
        defaulted_thresholds=defaulted,
    )


class SchemesByDistrict:
    """Every district's scheme on a date, resolved once per district;
    `override` replaces the scheme of the districts it names."""

    def __init__(self, on: date, override: dict[int | None, Scheme] | None = None) -> None:
        self.on = on
        self.override = override or {}
        self.schemes: dict[int | None, Scheme] = {}
        self.districts = {r.pk: r for r in Region.objects.filter(kind=Region.Kind.DISTRICT)}

    def of(self, district_id: int | None) -> Scheme:
        if district_id in self.override:
            return self.override[district_id]
        if district_id not in self.schemes:
            self.schemes[district_id] = scheme_in_force(on=self.on, region=self.districts.get(district_id or 0))
        return self.schemes[district_id]


def rate_organization(org, *, inputs: Inputs, criteria, total_weight: int, thresholds) -> dict:
    lines, raw = [], Decimal(0)
    for c in criteria:
        fn = CRITERIA.get(c.code)
        if fn is None:
            share, evidence = 0.0, {"missing": [label(gettext_noop("该指标暂无自动计算，未计分"))]}
        else:
            share, evidence = fn(org, inputs, c.params or {})
        points = _q(Decimal(str(share)) * c.weight)
        raw += points
        lines.append({"code": c.code, "name": c.name, "weight": c.weight, "points": str(points), **evidence})
    score = _q(raw * 100 / total_weight) if total_weight != 100 else _q(raw)
    stars = stars_for(score, thresholds)
    veto = inputs.vetoes.get(org.pk)
    if veto is not None:
        stars = 1
    gap: list[dict] = []
    if veto is not None:
        gap.append({"veto": veto, "message": said(gettext_noop("一票否决：%(r)s"), r=veto)})
    elif stars < 5:
        target = (
            next(m for s, m in sorted(thresholds) if s == stars + 1)
            if any(s == stars + 1 for s, _m in thresholds)
            else None
        )
        if target is not None:
            gap.append({"target_stars": stars + 1, "points_needed": str(_q(target - score))})
        for line in sorted(lines, key=lambda ln: Decimal(ln["weight"]) - Decimal(ln["points"]), reverse=True):
            lost = _q(Decimal(line["weight"]) - Decimal(line["points"]))
            if lost > 0:
                gap.append(
                    {
                        "criterion": line["code"],
                        "name": line["name"],
                        "lost": str(lost),
                        "missing": line.get("missing", []),
                    }
                )
    return {
        "score": score,
        "stars": stars,
        "vetoed": veto is not None,
        "evidence": {"criteria": lines, "total_weight": total_weight, "raw_points": str(_q(raw))},
        "gap": gap,
    }


def rate_all(
    *, on: date, schemes: SchemesByDistrict, inputs: Inputs | None = None, organization_ids: list[int] | None = None
) -> list[tuple[PartyOrganization, dict]]:
    """Every organization existing on `on` (of `organization_ids` when given)
    with its result under its district's scheme, in memory: the nightly run
    writes it, the scheme's preview compares it. A district whose scheme
    weighs nothing is left out."""
    inputs = inputs if inputs is not None else load_inputs(on=on, organization_ids=organization_ids)
    active = active_organizations(on)
    if organization_ids is not None:
        active = active.filter(pk__in=organization_ids)
    orgs = list(
        active.annotate(district_id=F("street__parent_id")).only(
            "id",
            "name",
            "street_id",
            "secretary_name",
            "has_committee",
            "has_groups",
            "term_end",
            "founded_on",
            "dissolved_on",
        )
    )
    results = []
    for org in orgs:
        scheme = schemes.of(org.district_id)
        if scheme.total_weight <= 0:
            continue
        result = rate_organization(
            org,
            inputs=inputs,
            criteria=scheme.criteria,
            total_weight=scheme.total_weight,
            thresholds=scheme.thresholds,
        )
        results.append((org, result))
    return results


@transaction.atomic
def rating_override(*, rating: Rating, stars: int, reason: str, by) -> Rating:
    """District staff set the stars with a written reason; the computed value stays beside it."""
    require(policy.may_override_rating(by), _("只有区两新工委工作人员可以调整星级"))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("调整星级须填写理由"))
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise ApplicationError(_("星级应为1至5的整数")) from None
    if not 1 <= stars <= 5:
        raise ApplicationError(_("星级应为1至5的整数"))
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    before = rating.stars
    rating.override_stars = stars
    rating.override_reason = reason
    rating.override_by = by
    rating.override_at = timezone.now()
    rating.save(update_fields=["override_stars", "override_reason", "override_by", "override_at"])
    audit_event(
        actor=by,
        instance=rating,
        event="rating_override",
        detail={"computed_stars": rating.computed_stars, "before": before, "after": stars, "reason": reason},
    )
    return rating

"""The compliance engine: expected activities per period (ComplianceRule rows,
DESIGN.md §2) set against APPROVED activities, with a colour per organization,
activity type and period.

Colours:
- green: the period's minimum is met;
- yellow: the period is still open and not yet met (none or only part held);
- red: the period has closed and the minimum was not met;
- exempt: a ComplianceExemption overlapping the period takes it out;
- future: the period has not started; none: the rule does not apply
  (no committee / no groups, or the organization did not exist then).
"""

from __future__ import annotations

import calendar
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connections
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityType, ComplianceExemption, ComplianceRule
from core.i18n import said
from orgs.models import PartyOrganization, Region
from orgs.rulebook import district_of, rules_in_force

GREEN, YELLOW, RED, EXEMPT, FUTURE, NONE = "green", "yellow", "red", "exempt", "future", "none"
COLOUR_LABELS = {
    GREEN: gettext_noop("已完成"),
    YELLOW: gettext_noop("进行中"),
    RED: gettext_noop("未完成"),
    EXEMPT: gettext_noop("已豁免"),
    FUTURE: gettext_noop("未开始"),
    NONE: gettext_noop("不适用"),
}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        return _period_label(self.kind, self.start)

    @property
    def said(self) -> dict:
        """The label as a stored message (core.i18n), for text written now and read later."""
        if self.kind == ComplianceRule.Period.MONTH:
            return said(gettext_noop("%(y)d年%(m)d月"), y=self.start.year, m=self.start.month)
        if self.kind == ComplianceRule.Period.QUARTER:
            return said(gettext_noop("%(y)d年第%(q)d季度"), y=self.start.year, q=(self.start.month - 1) // 3 + 1)
        return said(gettext_noop("%(y)d年"), y=self.start.year)

    def months(self) -> list[tuple[int, int]]:
        return _months(self.start, self.end)


@functools.lru_cache(maxsize=4096)
def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _period_label(kind: str, start: date) -> str:
    # Cached per language, so a page in English still gets English labels.
    return _period_label_in(kind, start, get_language())


@functools.lru_cache(maxsize=4096)
def _period_label_in(kind: str, start: date, language: str | None) -> str:
    if kind == ComplianceRule.Period.MONTH:
        return _("%(y)d年%(m)d月") % {"y": start.year, "m": start.month}
    if kind == ComplianceRule.Period.QUARTER:
        return _("%(y)d年第%(q)d季度") % {"y": start.year, "q": (start.month - 1) // 3 + 1}
    return _("%(y)d年") % {"y": start.year}


def period_containing(kind: str, day: date) -> Period:
    if kind == ComplianceRule.Period.MONTH:
        first = day.replace(day=1)
    elif kind == ComplianceRule.Period.QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    else:
        first = date(day.year, 1, 1)
    months = {"month": 1, "quarter": 3}.get(kind, 12)
    end_month = first.month + months - 1
    end = date(first.year, end_month, calendar.monthrange(first.year, end_month)[1])
    return Period(kind=kind, start=first, end=end)


def add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@functools.lru_cache(maxsize=1024)
def periods_between(kind: str, start: date, last_day: date) -> tuple[Period, ...]:
    """Periods whose start lies in [start, last_day]."""
    out = []
    p = period_containing(kind, start)
    if p.start < start:
        p = period_containing(kind, add_months(p.end, 1))
    while p.start <= last_day:
        out.append(p)
        p = period_containing(kind, add_months(p.end, 1))
    return tuple(out)


def active_rules(*, region: Region | None = None, on: date | None = None) -> list[ComplianceRule]:
    """The expectations in force in a region on a date (orgs.rulebook: the
    district's own row for an activity type, else the default); each
    activity type is set on its own. No region: the defaults."""
    rows = rules_in_force(
        ComplianceRule.objects.all(),
        region=region,
        on=on or timezone.localdate(),
        key=lambda r: r.activity_type,
        family=lambda r: r.activity_type,
    )
    return sorted((r for r in rows if r.active), key=lambda r: r.pk)


@dataclass
class RulesByDistrict:
    """The compliance rules of every district on a date, resolved once per
    district, for the runs that go through every organization."""

    on: date
    street_district: dict[int, int | None] = field(default_factory=dict)
    by_district: dict[int | None, list[ComplianceRule]] = field(default_factory=dict)

    @classmethod
    def load(cls, on: date) -> RulesByDistrict:
        streets = dict(Region.objects.filter(kind=Region.Kind.STREET).values_list("pk", "parent_id"))
        return cls(on=on, street_district=streets)

    def for_org(self, org) -> list[ComplianceRule]:
        district_id = self.street_district.get(org.street_id)
        if district_id not in self.by_district:
            region = Region.objects.filter(pk=district_id).first() if district_id else None
            self.by_district[district_id] = active_rules(region=region, on=self.on)
        return self.by_district[district_id]


def rule_applies(rule: ComplianceRule, org) -> bool:
    if rule.applies_to == ComplianceRule.Condition.HAS_COMMITTEE:
        return bool(org.has_committee)
    if rule.applies_to == ComplianceRule.Condition.HAS_GROUPS:
        return bool(org.has_groups)
    return True


def org_exists_in(org, period: Period) -> bool:
    if org.founded_on and org.founded_on > period.end:
        return False
    return not (org.dissolved_on and org.dissolved_on < period.start)


def colour(*, held: int, minimum: int, period: Period, on: date, exempt: bool) -> str:
    if exempt:
        return EXEMPT
    if period.start > on:
        return FUTURE
    if held >= minimum:
        return GREEN
    return RED if period.end < on else YELLOW


@dataclass
class ActivityCounts:
    """Approved activities per (organization, type, year, month), from one grouped query."""

    counts: dict[tuple[int, str, int, int], int] = field(default_factory=dict)
    exemptions: dict[tuple[int, str], list[tuple[date, date]]] = field(default_factory=dict)

    def held(self, org_id: int, activity_type: str, period: Period) -> int:
        return sum(self.counts.get((org_id, activity_type, y, m), 0) for y, m in period.months())

    def exempt(self, org_id: int, activity_type: str, period: Period) -> bool:
        return any(s <= period.end and e >= period.start for s, e in self.exemptions.get((org_id, activity_type), ()))


def activity_counts(*, start: date, end: date, organization_ids: list[int] | None = None) -> ActivityCounts:
    """Two queries whatever the number of organizations."""
    if organization_ids is not None and not organization_ids:
        return ActivityCounts()  # none to count (a part of a run without organizations)
    qs = Activity.objects.filter(status=Activity.Status.APPROVED, held_on__gte=start, held_on__lte=end)
    ex = ComplianceExemption.objects.filter(period_end__gte=start, period_start__lte=end)
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
        ex = ex.filter(organization_id__in=organization_ids)
    grouped = (
        qs.annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
        .values_list("organization_id", "activity_type", "y", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    # Up to a million grouped rows at district scale: fetched as plain tuples,
    # skipping the ORM's per-row work (the SQL is still the ORM's).
    sql, params = grouped.query.get_compiler(using=grouped.db).as_sql()
    result = ActivityCounts()
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20000):
            for org_id, activity_type, y, m, n in batch:
                result.counts[(org_id, activity_type, int(y), int(m))] = n
    exemptions: dict[tuple[int, str], list[tuple[date, date]]] = defaultdict(list)
    for org_id, activity_type, s, e in ex.values_list("organization_id", "activity_type", "period_start", "period_end"):
        exemptions[(org_id, activity_type)].append((s, e))
    result.exemptions = dict(exemptions)
    return result


@dataclass
class PeriodResult:
    rule: ComplianceRule
    period: Period
    held: int
    colour: str


def evaluate(
    *, org, rules: list[ComplianceRule], counts: ActivityCounts, start: date, on: date, types=None
) -> list[PeriodResult]:
    """Every applicable (rule, period) of `org` with a period starting in [start, on]."""
    out = []
    for rule in rules:
        if types is not None and rule.activity_type not in types:
            continue
        if not rule_applies(rule, org):
            continue
        for period in periods_between(rule.period, start, on):
            if not org_exists_in(org, period):
                continue
            held = counts.held(org.pk, rule.activity_type, period)
            exempt = counts.exempt(org.pk, rule.activity_type, period)
            out.append(
                PeriodResult(
                    rule=rule,
                    period=period,
                    held=held,
                    colour=colour(held=held, minimum=rule.minimum, period=period, on=on, exempt=exempt),
                )
            )
    return out


# --- Reads for pages (the secretary workspace includes the partial) --------


@dataclass
class CalendarRow:
    activity_type: str
    label: str
    period: str
    minimum: int
    cells: list[dict]


@dataclass
class ComplianceCalendar:
    organization: PartyOrganization
    year: int
    on: date
    months: list[int]
    rows: list[CalendarRow]
    colour_labels: dict[str, str]


def organization_calendar(*, organization: PartyOrganization, year: int, on: date) -> ComplianceCalendar:
    """A months × required-types grid for one organization and year. A cell
    carries the colour of the period containing that month (so a quarter's
    three months share its colour) and the approved activities held that month."""
    rules = active_rules(region=district_of(organization), on=on)
    start, end = date(year, 1, 1), date(year, 12, 31)
    counts = activity_counts(start=start, end=end, organization_ids=[organization.pk])
    return _calendar(organization=organization, year=year, on=on, rules=rules, counts=counts)


def _calendar(
    *, organization: PartyOrganization, year: int, on: date, rules: list[ComplianceRule], counts: ActivityCounts
) -> ComplianceCalendar:
    """The calendar from rules and counts already read (`counts` covers the year)."""
    rows = []
    for rule in rules:
        if not rule_applies(rule, organization):
            continue
        cells = []
        for month in range(1, 13):
            period = period_containing(rule.period, date(year, month, 1))
            if not org_exists_in(organization, period):
                c, held = NONE, 0
            else:
                held = counts.held(organization.pk, rule.activity_type, period)
                c = colour(
                    held=held,
                    minimum=rule.minimum,
                    period=period,
                    on=on,
                    exempt=counts.exempt(organization.pk, rule.activity_type, period),
                )
            cells.append(
                {
                    "month": month,
                    "colour": c,
                    "colour_label": _(COLOUR_LABELS[c]),
                    "held_this_month": counts.counts.get((organization.pk, rule.activity_type, year, month), 0),
                    "held_in_period": held,
                    "period": period.label,
                }
            )
        rows.append(
            CalendarRow(
                activity_type=rule.activity_type,
                label=ActivityType(rule.activity_type).label,
                period=rule.get_period_display(),
                minimum=rule.minimum,
                cells=cells,
            )
        )
    return ComplianceCalendar(
        organization=organization,
        year=year,
        on=on,
        months=list(range(1, 13)),
        rows=rows,
        colour_labels={k: _(v) for k, v in COLOUR_LABELS.items()},
    )


def next_due(*, organization: PartyOrganization, on: date) -> list[dict]:
    """What the organization still owes in the periods now open, soonest deadline first."""
    rules = active_rules(region=district_of(organization), on=on)
    earliest = min((period_containing(r.period, on).start for r in rules), default=on)
    counts = activity_counts(start=earliest, end=on, organization_ids=[organization.pk])
    return _next_due(organization=organization, on=on, rules=rules, counts=counts)


def _next_due(
    *, organization: PartyOrganization, on: date, rules: list[ComplianceRule], counts: ActivityCounts
) -> list[dict]:
    """What is due from rules and counts already read (`counts`: activities held up to `on`)."""
    due = []
    for rule in rules:
        if not rule_applies(rule, organization):
            continue
        period = period_containing(rule.period, on)
        if not org_exists_in(organization, period) or counts.exempt(organization.pk, rule.activity_type, period):
            continue
        held = counts.held(organization.pk, rule.activity_type, period)
        if held < rule.minimum:
            due.append(
                {
                    "activity_type": rule.activity_type,
                    "label": ActivityType(rule.activity_type).label,
                    "period": period.label,
                    "due_by": period.end,
                    "days_left": (period.end - on).days,
                    "held": held,
                    "minimum": rule.minimum,
                }
            )
    return sorted(due, key=lambda d: (d["due_by"], d["activity_type"]))


@dataclass
class CompliancePanel:
    organization: PartyOrganization
    calendar: ComplianceCalendar
    next_due: list[dict]


def compliance_panels(*, organizations: list[PartyOrganization], on: date) -> list[CompliancePanel]:
    """`organization_calendar` of `on`'s year and `next_due` on `on` for each
    organization, as those functions give them, for a page: the rules read once
    per district and the activities counted in one query for all of them
    (every period of a rule lies in one calendar year, so the year's counts
    answer both; `next_due` counts only what was held up to `on`)."""
    organizations = list(organizations)
    if not organizations:
        return []
    year = on.year
    start, end = date(year, 1, 1), date(year, 12, 31)
    ids = [org.pk for org in organizations]
    year_counts, to_date = ActivityCounts(), ActivityCounts()
    grouped = (
        Activity.objects.filter(
            status=Activity.Status.APPROVED, held_on__gte=start, held_on__lte=end, organization_id__in=ids
        )
        .annotate(y=ExtractYear("held_on"), m=ExtractMonth("held_on"))
        .values_list("organization_id", "activity_type", "y", "m")
        .annotate(n=Count("id"), n_to_date=Count("id", filter=Q(held_on__lte=on)))
        .order_by()
    )
    for org_id, activity_type, y, m, n, n_to_date in grouped:
        year_counts.counts[(org_id, activity_type, int(y), int(m))] = n
        if n_to_date:
            to_date.counts[(org_id, activity_type, int(y), int(m))] = n_to_date
    exemptions = ComplianceExemption.objects.filter(
        period_end__gte=start, period_start__lte=end, organization_id__in=ids
    ).values_list("organization_id", "activity_type", "period_start", "period_end")
    for org_id, activity_type, s, e in exemptions:
        year_counts.exemptions.setdefault((org_id, activity_type), []).append((s, e))
    by_district: dict[int | None, list[ComplianceRule]] = {}
    panels = []
    for org in organizations:
        district = district_of(org)
        key = district.pk if district else None
        if key not in by_district:
            by_district[key] = active_rules(region=district, on=on)
        rules = by_district[key]
        # next_due reads the activities held from the start of the earliest
        # open period up to `on`, and the exemptions overlapping that span.
        earliest = min((period_containing(r.period, on).start for r in rules), default=on)
        to_date.exemptions = {
            k: [(s, e) for s, e in spans if s <= on and e >= earliest]
            for k, spans in year_counts.exemptions.items()
            if k[0] == org.pk
        }
        panels.append(
            CompliancePanel(
                organization=org,
                calendar=_calendar(organization=org, year=year, on=on, rules=rules, counts=year_counts),
                next_due=_next_due(organization=org, on=on, rules=rules, counts=to_date),
            )
        )
    return panels

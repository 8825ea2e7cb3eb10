"""Dashboards: reads of what the nightly statistics stored.

Everything here reads result tables (coverage snapshots, ratings, warnings)
and the fund accounts; nothing recomputes coverage. The page for a scope is
as cheap at a hundred thousand enterprises as at a hundred, because the
nightly run already did the counting: a fixed number of small queries per
page, whatever the size of the district.

Scope goes through `scope_for` like every other read. District staff and
district leaders see the district; street staff and street leaders their
street; secretaries and instructors have no dashboard (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import (
    Alert,
    BusinessStatus,
    CoverageSnapshot,
    Enterprise,
    Industry,
    OrgSetup,
    PartyOrganization,
    Rating,
    RatingCriterion,
    Region,
    Role,
)
from orgs.scoping import Scope, scope_for

DASHBOARD_ROLES = (Role.DISTRICT, Role.STREET, Role.LEADER)

# The figures a dashboard shows, in display order. Keys are what
# `drilldown_url` understands and what the export and the bulletin call them.
FIGURES: dict[str, str] = {
    "enterprises": gettext_lazy("在营企业"),
    "organizations": gettext_lazy("党组织"),
    "members": gettext_lazy("党员"),
    "org_coverage": gettext_lazy("组织覆盖率"),
    "work_coverage": gettext_lazy("工作覆盖率"),
    "own_org_rate": gettext_lazy("单独组建率"),
    "should_form": gettext_lazy("应建未建"),
}
RATE_FIGURES = ("org_coverage", "work_coverage", "own_org_rate")

# --- Drill-down: the ONE place that maps a figure to the list behind it. ----

# Filters the enterprise list already understands. The list of the nightly
# statistics (with the reason each enterprise is in it) replaces this target
# later; only this mapping changes then.
_OPERATING = {"status": BusinessStatus.OPERATING}
_DRILLDOWN_FILTERS: dict[str, dict[str, str]] = {
    "enterprises": _OPERATING,
    "members": _OPERATING,
    "org_coverage": {**_OPERATING, "covered": "true"},
    # Instructor-only coverage has no list filter yet: the base set is shown.
    "work_coverage": _OPERATING,
    "own_org_rate": {**_OPERATING, "min_formal": "3"},
    "should_form": {**_OPERATING, "min_formal": "3", "covered": "false"},
}


# Figures the statistics drill-down lists (street and 规上 scopes); parks and
# industries fall back to the filtered enterprise list.
_STATS_FIGURES = {
    "enterprises": "enterprises",
    "org_coverage": "org_covered",
    "work_coverage": "work_covered",
    "own_org_rate": "own_org",
    "should_form": "should_form_not_formed",
}


def drilldown_url(
    figure: str,
    *,
    date: date,
    street: Region | int | None = None,
    park: Region | int | None = None,
    industry: Industry | str | None = None,
    above_scale: bool = False,
) -> str:
    """The list of records behind one number on a dashboard."""
    stats_figure = _STATS_FIGURES.get(figure)
    if stats_figure and park is None and industry is None:
        # The nightly statistics list the exact enterprises behind the figure,
        # each with the reason it is counted, as of the snapshot's date.
        params = {"date": date.isoformat()}
        if street is not None:
            params["street"] = str(getattr(street, "pk", street))
        if above_scale:
            params["above_scale"] = "1"
        return f"{reverse('orgs:stats_drilldown', args=[stats_figure])}?{urlencode(params)}"
    return drilldown_list_url(figure, date=date, street=street, park=park, industry=industry, above_scale=above_scale)


def drilldown_list_url(
    figure: str,
    *,
    date: date,
    street: Region | int | None = None,
    park: Region | int | None = None,
    industry: Industry | str | None = None,
    above_scale: bool = False,
) -> str:
    """The filtered enterprise (or organization) list standing in for a figure
    the statistics drill-down does not scope: members, organizations, parks, industries."""

    def key(value):
        return getattr(value, "pk", value)

    params: dict[str, str] = {}
    if figure == "organizations":
        target = reverse("orgs:organization_list")
    else:
        target = reverse("orgs:enterprise_list")
        params.update(_DRILLDOWN_FILTERS.get(figure, {}))
        if industry is not None:
            params["industry"] = str(key(industry))
        if above_scale:
            params["above_scale"] = "true"
    if street is not None:
        params["street"] = str(key(street))
    if park is not None:
        params["park"] = str(key(park))
    params["figure"] = figure
    params["date"] = date.isoformat()
    return f"{target}?{urlencode(params)}"


def figure_label(figure: str) -> str:
    return str(FIGURES.get(figure, ""))


# --- What the user asked for ------------------------------------------------


@dataclass
class DashboardQuery:
    """The parsed filter state; everything in it came from the URL."""

    scope: Scope
    date: date
    street: Region | None = None
    park: Region | None = None
    industry: Industry | None = None
    above_scale: bool = False
    sort: str = ""
    notices: list[str] = field(default_factory=list)

    @property
    def is_district(self) -> bool:
        return self.street is None

    def snapshot_key(self) -> tuple[str, str]:
        if self.park is not None:
            return CoverageSnapshot.ScopeKind.PARK, str(self.park.pk)
        if self.street is not None:
            return CoverageSnapshot.ScopeKind.STREET, str(self.street.pk)
        if self.industry is not None:
            return CoverageSnapshot.ScopeKind.INDUSTRY, self.industry.pk
        return CoverageSnapshot.ScopeKind.DISTRICT, ""

    def params(self, **overrides) -> dict[str, str]:
        values = {
            "date": self.date.isoformat() if self.date != timezone.localdate() else "",
            "street": str(self.street.pk) if self.street else "",
            "park": str(self.park.pk) if self.park else "",
            "industry": self.industry.pk if self.industry else "",
            "above_scale": "1" if self.above_scale else "",
            "sort": self.sort,
        }
        values.update({k: ("" if v is None else str(v)) for k, v in overrides.items()})
        return {k: v for k, v in values.items() if v}

    def querystring(self, **overrides) -> str:
        return urlencode(self.params(**overrides))

    def drill(self, figure: str, *, on: date, street=None, park=None) -> str:
        return drilldown_url(
            figure,
            date=on,
            street=street if street is not None else self.street,
            park=park if park is not None else self.park,
            industry=self.industry,
            above_scale=self.above_scale,
        )


def _parse_int(raw: str) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def dashboard_query(*, user, params) -> DashboardQuery:
    """Read the filters. A value that does not parse is dropped with a
    notice; a street or park outside the user's reach is a 404 like any
    other record outside scope."""
    scope = scope_for(user)
    if not scope.has_role(*DASHBOARD_ROLES) or not (scope.everything or scope.street_ids):
        raise Http404(_("统计看板仅向区、街道工作人员和领导开放"))
    today = timezone.localdate()
    q = DashboardQuery(scope=scope, date=today)

    raw_date = (params.get("date") or "").strip()
    if raw_date:
        try:
            q.date = datetime.strptime(raw_date, "%Y-%m-%d").date()
        except ValueError:
            q.notices.append(_("日期“%(value)s”格式不正确，应为 年-月-日，已显示最新数据。") % {"value": raw_date[:20]})
        else:
            if q.date > today:
                q.notices.append(_("所选日期晚于今天，已显示最新数据。"))
                q.date = today

    streets = Region.objects.filter(scope.regions_q(), kind=Region.Kind.STREET)
    raw_street = (params.get("street") or "").strip()
    if raw_street:
        pk = _parse_int(raw_street)
        if pk is None:
            q.notices.append(_("街道参数无效，已忽略。"))
        else:
            q.street = streets.filter(pk=pk).first()
            if q.street is None:
                raise Http404(_("该街道不存在或不在您的管辖范围内"))
    if q.street is None and not scope.everything:
        # Street staff land on their own street; with several, the first by name.
        q.street = streets.order_by("name").first()
        if q.street is None:
            raise Http404(_("统计看板仅向区、街道工作人员和领导开放"))

    raw_park = (params.get("park") or "").strip()
    if raw_park:
        pk = _parse_int(raw_park)
        if pk is None:
            q.notices.append(_("园区参数无效，已忽略。"))
        else:
            park = Region.objects.filter(scope.regions_q(), kind=Region.Kind.PARK, pk=pk).select_related("parent")
            q.park = park.first()
            if q.park is None:
                raise Http404(_("该园区不存在或不在您的管辖范围内"))
            if q.street is None:
                q.street = q.park.parent
            elif q.park.parent_id != q.street.pk:
                q.notices.append(_("所选园区不属于所选街道，已忽略园区条件。"))
                q.park = None

    raw_industry = (params.get("industry") or "").strip().upper()
    if raw_industry:
        q.industry = Industry.objects.filter(pk=raw_industry[:1]).first() if len(raw_industry) == 1 else None
        if q.industry is None:
            q.notices.append(_("行业门类“%(value)s”不存在，已忽略。") % {"value": raw_industry[:10]})
        elif q.street is not None:
            # Industry snapshots are district-wide; a street view must not show them.
            q.notices.append(_("行业统计按全区计算，街道视图暂不支持按行业筛选，已忽略行业条件。"))
            q.industry = None

    raw_scale = (params.get("above_scale") or "").strip().lower()
    if raw_scale in ("1", "true", "on", "yes"):
        q.above_scale = True
    elif raw_scale not in ("", "0", "false", "off", "no"):
        q.notices.append(_("规上参数无效，已显示全部企业。"))

    q.sort = (params.get("sort") or "").strip()[:30]
    return q


# --- Snapshots --------------------------------------------------------------


def _rate(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class Figures:
    """The figures of one snapshot row in the shape the pages use."""

    date: date
    enterprises: int
    organizations: int
    members: int
    org_coverage: float | None
    work_coverage: float | None
    own_org_rate: float | None
    should_form: int
    org_covered: int = 0
    work_covered: int = 0
    own_org: int = 0
    own_org_eligible: int = 0

    @classmethod
    def of(cls, snap: CoverageSnapshot | None) -> Figures | None:
        if snap is None:
            return None
        return cls(
            date=snap.date,
            enterprises=snap.enterprises,
            organizations=snap.organizations,
            members=snap.members_formal + snap.members_probationary,
            org_coverage=snap.org_coverage_rate,
            work_coverage=snap.work_coverage_rate,
            own_org_rate=snap.own_org_rate,
            should_form=snap.should_form_not_formed,
            org_covered=snap.org_covered,
            work_covered=snap.work_covered,
            own_org=snap.own_org,
            own_org_eligible=snap.own_org_eligible,
        )

    def get(self, figure: str):
        return getattr(self, figure)


def delta(current: Figures | None, previous: Figures | None, figure: str):
    if current is None or previous is None:
        return None
    a, b = current.get(figure), previous.get(figure)
    if a is None or b is None:
        return None
    return round(a - b, 4) if figure in RATE_FIGURES else a - b


_SNAPSHOT_FIELDS = (
    "date",
    "scope_kind",
    "scope_key",
    "above_scale_only",
    "enterprises",
    "org_covered",
    "work_covered",
    "own_org_eligible",
    "own_org",
    "should_form_not_formed",
    "organizations",
    "members_formal",
    "members_probationary",
)


def _snapshots():
    # The details JSON can be large and no dashboard table needs it.
    return CoverageSnapshot.objects.only(*_SNAPSHOT_FIELDS)


def snapshot_latest(*, kind: str, key: str, above_scale: bool, on: date) -> CoverageSnapshot | None:
    return (
        _snapshots()
        .filter(scope_kind=kind, scope_key=key, above_scale_only=above_scale, date__lte=on)
        .order_by("-date")
        .first()
    )


def month_end(day: date) -> date:
    return day + relativedelta(day=31)


@dataclass
class Overview:
    """One scope's figures: now, a month earlier, and twelve months of trend."""

    current: Figures | None
    previous: Figures | None
    trend: list[dict]

    @property
    def kpis(self) -> list[dict]:
        if self.current is None:
            return []
        return [
            {
                "figure": figure,
                "label": str(label),
                "value": self.current.get(figure),
                "delta": delta(self.current, self.previous, figure),
                "is_rate": figure in RATE_FIGURES,
            }
            for figure, label in FIGURES.items()
        ]


def overview(*, kind: str, key: str, above_scale: bool, on: date) -> Overview:
    """Two queries: the latest snapshot on or before `on`, then the twelve
    months before it (for the trend and the comparison with last month's end)."""
    latest = snapshot_latest(kind=kind, key=key, above_scale=above_scale, on=on)
    if latest is None:
        return Overview(current=None, previous=None, trend=[])
    first_month = (latest.date - relativedelta(months=12)).replace(day=1)
    rows = list(
        _snapshots()
        .filter(
            scope_kind=kind,
            scope_key=key,
            above_scale_only=above_scale,
            date__gte=first_month,
            date__lte=latest.date,
        )
        .order_by("date")
    )
    # "Since last month" compares with the last snapshot of the previous
    # calendar month (月末), the figure the bulletins of that month used.
    month_start = latest.date.replace(day=1)
    previous = None
    by_month: dict[tuple[int, int], CoverageSnapshot] = {}
    for row in rows:
        if row.date < month_start:
            previous = row
        by_month[(row.date.year, row.date.month)] = row  # rows are in date order: the month's last wins
    trend = []
    for back in range(11, -1, -1):
        month = latest.date - relativedelta(months=back)
        snap = by_month.get((month.year, month.month))
        figures = Figures.of(snap)
        trend.append(
            {
                "month": f"{month.year}-{month.month:02d}",
                "org_coverage": figures.org_coverage if figures else None,
                "work_coverage": figures.work_coverage if figures else None,
                "own_org_rate": figures.own_org_rate if figures else None,
                "should_form": figures.should_form if figures else None,
            }
        )
    return Overview(current=Figures.of(latest), previous=Figures.of(previous), trend=trend)


TABLE_SORTS = ("name", "enterprises", "organizations", "members", *RATE_FIGURES, "should_form", "org_coverage_delta")


def breakdown(
    *,
    q: DashboardQuery,
    kind: str,
    regions: list[Region],
    current: Figures,
    previous: Figures | None,
) -> list[dict]:
    """One row per street (or park) from the snapshots written on the same
    nightly run as the overview's: two queries whatever the number of rows."""
    keys = [str(r.pk) for r in regions]
    dates = [current.date] + ([previous.date] if previous else [])
    snaps = {
        (s.date, s.scope_key): s
        for s in _snapshots().filter(
            scope_kind=kind, scope_key__in=keys, above_scale_only=q.above_scale, date__in=dates
        )
    }
    rows = []
    for region in regions:
        now = Figures.of(snaps.get((current.date, str(region.pk))))
        before = Figures.of(snaps.get((previous.date, str(region.pk)))) if previous else None
        street = region if kind == CoverageSnapshot.ScopeKind.STREET else region.parent
        park = region if kind == CoverageSnapshot.ScopeKind.PARK else None
        row = {"region": region, "name": region.name, "figures": now, "cells": []}
        for figure in FIGURES:
            row["cells"].append(
                {
                    "figure": figure,
                    "value": now.get(figure) if now else None,
                    "delta": delta(now, before, figure),
                    "is_rate": figure in RATE_FIGURES,
                    "url": q.drill(figure, on=current.date, street=street, park=park),
                }
            )
            row[figure] = now.get(figure) if now else None
        row["org_coverage_delta"] = delta(now, before, "org_coverage")
        rows.append(row)
    return sort_rows(rows, q.sort)


def sort_rows(rows: list[dict], sort: str) -> list[dict]:
    key = sort.lstrip("-")
    if key not in TABLE_SORTS:
        return rows
    reverse_ = sort.startswith("-")
    if key == "name":
        return sorted(rows, key=lambda r: r["name"], reverse=reverse_)
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    # Rows without figures go last either way, so a sort never hides them in the middle.
    return sorted(present, key=lambda r: r[key], reverse=reverse_) + missing


# --- Ratings, warnings, organizations, fund ---------------------------------


def _stars_in_force(on: date):
    latest = Rating.objects.filter(
        organization=OuterRef("pk"), published_on__isnull=False, published_on__lte=on
    ).order_by("-published_on", "-computed_on")
    return Subquery(
        latest.annotate(s=Coalesce("override_stars", "computed_stars")).values("s")[:1],
        output_field=IntegerField(),
    )


def dashboard_organizations(*, q: DashboardQuery):
    qs = PartyOrganization.objects.filter(q.scope.organizations_q(), dissolved_on__isnull=True)
    if q.park is not None:
        qs = qs.filter(park=q.park)
    elif q.street is not None:
        qs = qs.filter(street=q.street)
    return qs


def star_distribution(*, q: DashboardQuery, on: date) -> list[dict]:
    """Organizations by the star rating in force on `on`: one query."""
    counts = {
        row["stars"]: row["n"]
        for row in dashboard_organizations(q=q)
        .annotate(stars=_stars_in_force(on))
        .values("stars")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = [{"stars": s, "label": "★" * s, "count": counts.get(s, 0)} for s in range(5, 0, -1)]
    rows.append({"stars": None, "label": _("未评定"), "count": counts.get(None, 0)})
    return rows


_LEVEL_ORDER = Case(
    When(level=Alert.Level.RED, then=Value(0)),
    When(level=Alert.Level.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def alerts_open(*, q: DashboardQuery, on: date):
    """Warnings open on `on` in the scope of the query."""
    qs = Alert.objects.filter(q.scope.streets_q("street"), opened_on__lte=on).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=on)
    )
    if q.park is not None:
        qs = qs.filter(Q(organization__park=q.park) | Q(enterprise__park=q.park))
    elif q.street is not None:
        qs = qs.filter(street=q.street)
    return qs


def alerts_top(*, q: DashboardQuery, on: date, limit: int = 8) -> list[Alert]:
    """The most urgent open warnings: red first, oldest first. The few ids are
    picked before the joins, so the joins touch `limit` rows, not all warnings."""
    order = ("level_rank", "opened_on", "pk")
    top = alerts_open(q=q, on=on).annotate(level_rank=_LEVEL_ORDER).order_by(*order).values("pk")[:limit]
    return list(
        Alert.objects.filter(pk__in=Subquery(top))
        .select_related("street", "organization", "enterprise")
        .annotate(level_rank=_LEVEL_ORDER)
        .order_by(*order)
    )


def alert_counts(*, q: DashboardQuery, on: date) -> list[dict]:
    counts = {row["level"]: row["n"] for row in alerts_open(q=q, on=on).values("level").annotate(n=Count("pk"))}
    return [{"level": v, "label": str(label), "count": counts.get(v, 0)} for v, label in Alert.Level.choices]


def should_form_list(*, q: DashboardQuery, on: date):
    """应建未建 enterprises as the nightly run found them (its warnings)."""
    return (
        alerts_open(q=q, on=on)
        .filter(kind=Alert.Kind.SHOULD_FORM, enterprise__isnull=False)
        .select_related("enterprise", "enterprise__street", "enterprise__park")
        .order_by("enterprise__street__name", "enterprise__name")
    )


def street_organizations(*, q: DashboardQuery, on: date):
    return (
        dashboard_organizations(q=q)
        .annotate(stars=_stars_in_force(on), covered=Count("enterprises", distinct=True))
        .select_related("street", "park")
        .order_by("name")
    )


def fund_summary(*, q: DashboardQuery) -> dict:
    """Organization accounts of the scope: how many, and their balances now.
    A stand-in until the fund overview (applications, 公示, flows) is merged;
    the month's flows are left to it, since they need the journal's indexes."""
    from funds.models import FundAccount

    accounts = FundAccount.objects.filter(
        q.scope.organizations_q("organization"), kind=FundAccount.Kind.ORGANIZATION, closed_on__isnull=True
    )
    if q.park is not None:
        accounts = accounts.filter(organization__park=q.park)
    elif q.street is not None:
        accounts = accounts.filter(organization__street=q.street)
    totals = accounts.aggregate(n=Count("pk"), balance=Sum("balance"))
    pool = None
    if q.scope.everything and q.street is None:
        pool = FundAccount.objects.filter(kind=FundAccount.Kind.POOL).values_list("balance", flat=True).first()
    return {"accounts": totals["n"] or 0, "balance": totals["balance"] or Decimal("0.00"), "pool": pool}


# --- The pages' data ----------------------------------------------------------


def dashboard_data(*, q: DashboardQuery) -> dict:
    kind, key = q.snapshot_key()
    ov = overview(kind=kind, key=key, above_scale=q.above_scale, on=q.date)
    data: dict = {"q": q, "overview": ov, "rows": [], "row_kind": None, "statistics_ran": True}
    if ov.current is None:
        # Tell "the nightly run never ran" from "it ran, but not for this scope".
        data["statistics_ran"] = CoverageSnapshot.objects.filter(date__lte=q.date).exists()
        return data
    on = ov.current.date
    if q.street is None:
        regions = list(Region.objects.filter(q.scope.regions_q(), kind=Region.Kind.STREET).order_by("name"))
        data["row_kind"] = "street"
        data["rows"] = breakdown(
            q=q, kind=CoverageSnapshot.ScopeKind.STREET, regions=regions, current=ov.current, previous=ov.previous
        )
        if q.industry is not None:
            q.notices.append(_("街道排名表按街道全部行业统计（快照不含街道×行业交叉数据）。"))
    else:
        regions = list(
            Region.objects.filter(kind=Region.Kind.PARK, parent=q.street).select_related("parent").order_by("name")
        )
        data["row_kind"] = "park"
        data["rows"] = breakdown(
            q=q, kind=CoverageSnapshot.ScopeKind.PARK, regions=regions, current=ov.current, previous=ov.previous
        )
    data["stars"] = star_distribution(q=q, on=on)
    data["alerts"] = alerts_top(q=q, on=on)
    data["alert_counts"] = alert_counts(q=q, on=on)
    data["fund"] = fund_summary(q=q)
    data["kpi_links"] = {figure: q.drill(figure, on=on) for figure in FIGURES}
    return data


def filter_options(*, q: DashboardQuery) -> dict:
    streets = Region.objects.filter(q.scope.regions_q(), kind=Region.Kind.STREET).order_by("name")
    parks = Region.objects.filter(q.scope.regions_q(), kind=Region.Kind.PARK).order_by("name")
    if q.street is not None:
        parks = parks.filter(parent=q.street)
    return {
        "streets": list(streets.values_list("pk", "name")),
        "parks": list(parks.values_list("pk", "name")),
        "industries": list(Industry.objects.values_list("pk", "name")) if q.street is None else [],
    }


# --- Organization and enterprise pages -----------------------------------------


def rating_latest(*, organization: PartyOrganization) -> Rating | None:
    """The organization's newest rating; published ones first, since that is
    the rating in force, else the newest computed one (shown as not yet published)."""
    return (
        Rating.objects.filter(organization=organization)
        .order_by(
            Case(When(published_on__isnull=False, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "-published_on",
            "-computed_on",
        )
        .first()
    )


def _text(value) -> str:
    if isinstance(value, dict):
        for k in ("message", "text", "missing", "reason", "note", "label", "name"):
            if value.get(k):
                return str(value[k])
        return "；".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value)
    return str(value)


def rating_evidence(*, rating: Rating) -> list[dict]:
    """The evidence JSON as rows: criterion, points, weight and the records
    behind them. The nightly job decides the JSON's detail; this reads the
    shapes it may take (a mapping by criterion code, or a list of items)."""
    criteria = {c.code: c for c in RatingCriterion.objects.all()}
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
                "name": item.get("name") or (criterion.name if criterion else code),
                "score": item.get("score", item.get("points")),
                "weight": item.get("weight", criterion.weight if criterion else None),
                "details": details,
                "order": (criterion.order, criterion.code) if criterion else (10**6, code),
            }
        )
    # PostgreSQL's jsonb does not keep key order: show criteria in the scheme's order.
    return sorted(rows, key=lambda r: r.get("order", (10**6, "")))


def rating_gap(*, rating: Rating) -> list[str]:
    gap = rating.next_star_gap or []
    if isinstance(gap, dict):
        gap = gap.get("items", [gap])
    return [_text(item) for item in gap if item]


def term_status(*, organization: PartyOrganization, on: date) -> str:
    if not organization.term_end:
        return _("任期未登记")
    if organization.term_end < on:
        return _("已届满，应及时换届")
    if organization.term_end <= on + relativedelta(days=60):
        return _("60天内届满")
    return _("任期内")


def organization_fund(*, organization: PartyOrganization, limit: int = 10) -> dict | None:
    """The organization's fund account with its latest entries; reached through
    an organization the caller already fetched in scope."""
    from funds.models import FundAccount, FundEntry

    account = FundAccount.objects.filter(organization=organization).first()
    if account is None:
        return None
    entries = FundEntry.objects.filter(account=account).select_related("transaction").order_by("-seq")[:limit]
    return {"account": account, "entries": list(entries)}


def enterprise_coverage(*, enterprise: Enterprise, organizations, visible_ids: set[int], on: date) -> dict:
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


def drilldown_context(params) -> dict | None:
    """What a list page says when it was opened from a dashboard number."""
    figure = params.get("figure", "")
    if figure not in FIGURES:
        return None
    conditions = []
    if params.get("status") == BusinessStatus.OPERATING:
        conditions.append(_("在营"))
    if params.get("covered") in ("true", "false"):
        conditions.append(_("有党组织覆盖") if params["covered"] == "true" else _("无党组织覆盖"))
    if (params.get("min_formal") or "").isdigit():
        conditions.append(_("正式党员不少于%(n)s名") % {"n": params["min_formal"]})
    if params.get("above_scale") == "true":
        conditions.append(_("规上企业"))
    if params.get("industry"):
        conditions.append(_("行业门类 %(code)s") % {"code": params["industry"][:2]})
    return {
        "figure": figure,
        "label": figure_label(figure),
        "date": (params.get("date") or "")[:10],
        "conditions": conditions,
    }

"""Coverage figures as the nightly statistics stored them (DESIGN.md §3):
one scope's snapshot now and a month earlier, twelve months of trend, and the
table of streets (or parks) beside it. Nothing here recomputes coverage; the
number of queries does not depend on the size of the district.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.urls import reverse

from orgs.models import CoverageSnapshot, Region
from stats.coverage import ABOVE_STREET

from .drilldown import DASHBOARD_FIGURES, RATE_FIGURES
from .query import DashboardQuery

Number = int | float


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
    union_rate: float | None = None
    union_membership_rate: float | None = None
    league_rate: float | None = None

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
            union_rate=snap.union_rate,
            union_membership_rate=snap.union_membership_rate,
            league_rate=snap.league_rate,
        )

    def get(self, figure: str) -> Number | None:
        return getattr(self, figure)


def delta(current: Figures | None, previous: Figures | None, figure: str) -> Number | None:
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
    "union_enterprises",
    "union_members",
    "union_member_base",
    "league_enterprises",
)


def _snapshots() -> QuerySet[CoverageSnapshot]:
    # The details JSON can be large and no dashboard table needs it.
    return CoverageSnapshot.objects.only(*_SNAPSHOT_FIELDS)


def snapshot_latest(*, kind: str, keys: list[str], above_scale: bool, on: date) -> CoverageSnapshot | None:
    """The latest row on or before `on` of a scope (its keys: stats.nodes.node_keys)."""
    return (
        _snapshots()
        .filter(scope_kind=kind, scope_key__in=keys, above_scale_only=above_scale, date__lte=on)
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
            for figure, label in DASHBOARD_FIGURES.items()
        ]


def overview(*, kind: str, keys: list[str], above_scale: bool, on: date) -> Overview:
    """Two queries: the latest snapshot on or before `on`, then the twelve
    months before it (for the trend and the comparison with last month's end)."""
    latest = snapshot_latest(kind=kind, keys=keys, above_scale=above_scale, on=on)
    if latest is None:
        return Overview(current=None, previous=None, trend=[])
    first_month = (latest.date - relativedelta(months=12)).replace(day=1)
    rows = list(
        _snapshots()
        .filter(
            scope_kind=kind,
            scope_key__in=keys,
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
    industry: str | None = None,
) -> list[dict]:
    """One row per child region (a city's districts, a district's streets, a
    street's parks) from the snapshots written on the same nightly run as the
    overview's: two queries whatever the number of rows. Regions above the
    streets have rows per industry (`industry`); a row of theirs links to
    that region's own dashboard."""
    keys = {CoverageSnapshot.industry_key(r.pk, industry) if industry else str(r.pk): r for r in regions}
    dates = [current.date] + ([previous.date] if previous else [])
    snaps = {
        (s.date, s.scope_key): s
        for s in _snapshots().filter(
            scope_kind=CoverageSnapshot.ScopeKind.INDUSTRY if industry else kind,
            scope_key__in=list(keys),
            above_scale_only=q.above_scale,
            date__in=dates,
        )
    }
    rows = []
    for key, region in keys.items():
        now = Figures.of(snaps.get((current.date, key)))
        before = Figures.of(snaps.get((previous.date, key))) if previous else None
        street = region if kind == CoverageSnapshot.ScopeKind.STREET else region.parent
        park = region if kind == CoverageSnapshot.ScopeKind.PARK else None
        row = {"region": region, "name": region.name, "figures": now, "cells": []}
        child_page = _dashboard_of(q, region) if kind in ABOVE_STREET else ""
        for figure in DASHBOARD_FIGURES:
            row["cells"].append(
                {
                    "figure": figure,
                    "value": now.get(figure) if now else None,
                    "delta": delta(now, before, figure),
                    "is_rate": figure in RATE_FIGURES,
                    # Snapshots have no street × industry cells: a street's row is all its
                    # industries, and so is the list behind it (the table says so).
                    "url": child_page or q.drill(figure, on=current.date, street=street, park=park, industry=False),
                }
            )
            row[figure] = now.get(figure) if now else None
        row["org_coverage_delta"] = delta(now, before, "org_coverage")
        rows.append(row)
    return sort_rows(rows, q.sort)


def _dashboard_of(q: DashboardQuery, region: Region) -> str:
    """A child region's own dashboard under this page's filters."""
    return f"{reverse('orgs:dashboard')}?{q.querystring(region=region.pk, street='', park='', sort='')}"


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

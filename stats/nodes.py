"""Coverage figures of any node of the region tree (DESIGN.md §8), read from
the stored snapshots: the region a user reaches, the one they land on, its
rows, and its children's rows with the change since the previous month.

A node's rows have the region's kind and its id as key (stats.coverage
writes them); a district at the root of the tree is also found under the
key it had before regions had levels (CoverageSnapshot.legacy_keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from orgs.models import CoverageSnapshot, Industry, Region
from orgs.scoping import Scope, scope_for

from .coverage import ABOVE_STREET, NODE_KINDS, Cell
from .coverage_reads import coverage_streets


def coverage_regions(*, user) -> QuerySet[Region]:
    """The regions whose figures `user` may read: the subtrees of their grants,
    and the streets of their organizations or assigned enterprises."""
    regions = Region.objects.filter(kind__in=NODE_KINDS)
    scope = scope_for(user)
    if scope.everything:
        return regions
    return regions.filter(scope.regions_q() | Q(pk__in=coverage_streets(user=user).values("pk")))


def region_or_404(*, user, region_id) -> Region:
    """A region among the user's coverage regions; 404 for any other id or a malformed one."""
    try:
        return coverage_regions(user=user).get(pk=int(region_id))
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def top_regions(scope: Scope) -> list[Region]:
    """The highest regions above the streets that a scope holds, highest first:
    the root for whoever reaches everything (none where the tree has no single
    root), otherwise the regions of the grants above a street."""
    if scope.everything:
        roots = list(Region.objects.filter(parent__isnull=True, kind__in=ABOVE_STREET)[:2])
        return roots if len(roots) == 1 else []
    tops = Region.objects.filter(pk__in=scope.region_roots, kind__in=ABOVE_STREET)
    return sorted(tops, key=lambda r: (ABOVE_STREET.index(r.kind), r.name))


def home_region(*, user) -> Region | None:
    """The region a user's figures default to: their top region, else their
    only street; 404 for a user of several streets (they must say which)."""
    tops = top_regions(scope_for(user))
    if tops:
        return tops[0]
    if scope_for(user).everything:
        return None  # the whole installation, as its rows were keyed before regions had levels
    streets = list(coverage_streets(user=user)[:2])
    if len(streets) != 1:
        raise Http404(_("请指定街道"))
    return streets[0]


def node_keys(region: Region | None, industry: Industry | str | None = None) -> tuple[str, list[str]]:
    """The kind and the keys (newest first) of a node's rows; of its rows per
    industry with `industry`. No region: the whole installation's old rows."""
    code = getattr(industry, "pk", industry)
    if region is None:
        if code:
            return CoverageSnapshot.ScopeKind.INDUSTRY, [str(code)]
        return CoverageSnapshot.ScopeKind.DISTRICT, [CoverageSnapshot.LEGACY_DISTRICT_KEY]
    if code:
        keys = [CoverageSnapshot.industry_key(region.pk, str(code)), *CoverageSnapshot.legacy_keys(region, str(code))]
        return CoverageSnapshot.ScopeKind.INDUSTRY, keys
    return region.kind, [str(region.pk), *CoverageSnapshot.legacy_keys(region)]


def _rows(kind: str, keys: list[str], above_scale: bool) -> QuerySet[CoverageSnapshot]:
    return CoverageSnapshot.objects.filter(scope_kind=kind, scope_key__in=keys, above_scale_only=above_scale)


def node_snapshot(*, user, region_id=None, on: date | None = None, above_scale: bool = False) -> CoverageSnapshot:
    """One node's figures: the region asked for (404 outside the user's
    reach), or without one the user's home region; the latest on or before `on`."""
    region = home_region(user=user) if region_id in (None, "") else region_or_404(user=user, region_id=region_id)
    kind, keys = node_keys(region)
    snapshot = _rows(kind, keys, above_scale).filter(**({"date__lte": on} if on else {})).order_by("-date").first()
    if snapshot is None:
        raise Http404(_("该日期尚无覆盖率统计结果"))
    return snapshot


# Counts whose change since last month a child's row carries (every count a
# cell sums, and the organizations counted once per scope), then the rates.
CHANGE_COUNTS = (*Cell.COUNTS, "organizations")
CHANGE_RATES = (
    "org_coverage_rate",
    "work_coverage_rate",
    "own_org_rate",
    "union_rate",
    "union_membership_rate",
    "league_rate",
)


def change(now: CoverageSnapshot, before: CoverageSnapshot | None) -> dict | None:
    """Each figure minus the previous month's (a rate's change from the two rates); None without one."""
    if before is None:
        return None
    result: dict = {"since": before.date}
    for name in CHANGE_COUNTS:
        result[name] = getattr(now, name) - getattr(before, name)
    for name in CHANGE_RATES:
        a, b = getattr(now, name), getattr(before, name)
        result[name] = None if a is None or b is None else round(a - b, 4)
    return result


def child_regions(region: Region) -> list[Region]:
    """The children of a node that have rows of their own (communities have none)."""
    return list(Region.objects.filter(parent=region, kind__in=NODE_KINDS).order_by("kind", "name"))


@dataclass
class ChildFigures:
    region: Region
    snapshot: CoverageSnapshot
    previous: CoverageSnapshot | None


def node_children(*, user, region_id=None, on: date | None = None, above_scale: bool = False) -> list[ChildFigures]:
    """Each child of a node, with its row on the node's date and its row at
    the end of the previous month (the month-on-month change). Three queries
    whatever the number of children."""
    parent = home_region(user=user) if region_id in (None, "") else region_or_404(user=user, region_id=region_id)
    if parent is None:
        raise Http404(_("请指定区域"))
    now = node_snapshot(user=user, region_id=parent.pk, on=on, above_scale=above_scale)
    children = child_regions(parent)
    month_start = now.date.replace(day=1)
    rows = CoverageSnapshot.objects.filter(
        scope_key__in=[str(c.pk) for c in children],
        scope_kind__in={c.kind for c in children},
        above_scale_only=above_scale,
    )
    current = {(s.scope_kind, s.scope_key): s for s in rows.filter(date=now.date)}
    previous_date = rows.filter(date__lt=month_start).order_by("-date").values_list("date", flat=True).first()
    previous = {(s.scope_kind, s.scope_key): s for s in rows.filter(date=previous_date)} if previous_date else {}
    found = []
    for child in children:
        snapshot = current.get((child.kind, str(child.pk)))
        if snapshot is not None:
            found.append(ChildFigures(child, snapshot, previous.get((child.kind, str(child.pk)))))
    return found

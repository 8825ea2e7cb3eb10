"""Coverage figures for pages and the API, read from the stored snapshots
(stats.coverage computes them), always through scope_for."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.db.models import Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.models import CoverageSnapshot, Enterprise, PartyOrganization, Region
from orgs.scoping import scope_for


def coverage_streets(*, user):
    """The streets whose figures `user` may read: their own streets, the
    streets of their organizations, the streets of their assigned enterprises."""
    scope = scope_for(user)
    streets = Region.objects.filter(kind=Region.Kind.STREET)
    if scope.everything:
        return streets.order_by("name")
    reach = scope.regions_q()
    if scope.organization_ids:
        reach |= Q(pk__in=PartyOrganization.objects.filter(scope.organizations_q()).values("street_id"))
    if scope.instructor_user_id:
        reach |= Q(pk__in=Enterprise.objects.filter(scope.enterprises_q()).values("street_id"))
    return streets.filter(reach).order_by("name")


def street_or_404(*, user, street_id) -> Region:
    """A street among the user's coverage streets; 404 for any other id or a malformed one."""
    try:
        return coverage_streets(user=user).get(pk=int(street_id))
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def coverage_date(*, on: date | None = None) -> date | None:
    """The snapshot date answering `on`: the latest on or before it (default: the latest)."""
    qs = CoverageSnapshot.objects.all()
    if on is not None:
        qs = qs.filter(date__lte=on)
    return qs.aggregate(d=Max("date"))["d"]


def coverage_by_street(
    *, user, on: date | None = None, above_scale: bool = False
) -> tuple[date | None, list[tuple[Region, CoverageSnapshot | None]]]:
    """Every street the user may read, with its snapshot of the answering date."""
    answer = coverage_date(on=on)
    streets = list(coverage_streets(user=user))
    if answer is None:
        return None, [(s, None) for s in streets]
    snapshots = {
        s.scope_key: s
        for s in CoverageSnapshot.objects.filter(
            date=answer,
            scope_kind=CoverageSnapshot.ScopeKind.STREET,
            scope_key__in=[str(s.pk) for s in streets],
            above_scale_only=above_scale,
        )
    }
    return answer, [(s, snapshots.get(str(s.pk))) for s in streets]


# The coverage page's columns: the snapshot's value, the set its link lists,
# whether it is a rate, and a rate's two sides as the snapshot counts them.
COVERAGE_COLUMNS = (
    ("enterprises", "enterprises", False, "enterprises", None),
    ("org_coverage_rate", "org_covered", True, "org_covered", "enterprises"),
    ("work_coverage_rate", "work_covered", True, "work_covered", "enterprises"),
    ("own_org_rate", "own_org", True, "own_org", "own_org_eligible"),
    ("should_form_not_formed", "should_form_not_formed", False, "should_form_not_formed", None),
    ("enterprises_without_member", "enterprises_without_member", False, "enterprises_without_member", None),
    ("union_rate", "union_established", True, "union_enterprises", "enterprises"),
    ("union_membership_rate", "union_membership", True, "union_members", "union_member_base"),
    ("league_rate", "league_established", True, "league_enterprises", "enterprises"),
)


def coverage_table(
    *, user, on: date | None = None, above_scale: bool = False, total: tuple[Region | None, list[str]] | None = None
) -> tuple[date | None, list[dict]]:
    """The coverage page's rows: the user's top region first (`total`: the
    region and the keys of its rows, stats.nodes), then each street in reach;
    every cell with the link to the list whose count it is (a rate's list is
    its numerator, and says its base)."""
    answer, streets = coverage_by_street(user=user, on=on, above_scale=above_scale)
    if answer is None:
        return None, []
    rows = []
    if total is not None:
        region, keys = total
        kind = region.kind if region is not None else CoverageSnapshot.ScopeKind.DISTRICT
        snapshot = CoverageSnapshot.objects.filter(
            date=answer, scope_kind=kind, scope_key__in=keys, above_scale_only=above_scale
        ).first()
        below_root = region if region is not None and region.parent_id is not None else None
        name = below_root.name if below_root else str(CoverageSnapshot.ScopeKind(kind).label)
        rows.append(
            _coverage_row(
                name=name, street=None, snapshot=snapshot, on=answer, above_scale=above_scale, region=below_root
            )
        )
    for street, snapshot in streets:
        rows.append(
            _coverage_row(name=street.name, street=street, snapshot=snapshot, on=answer, above_scale=above_scale)
        )
    return answer, rows


def _coverage_row(*, name: str, street, snapshot, on: date, above_scale: bool, region=None) -> dict:
    params = {"date": on.isoformat()}
    if region is not None:
        params["region"] = str(region.pk)
    if street is not None:
        params["street"] = str(street.pk)
    if above_scale:
        params["above_scale"] = "1"
    cells = []
    for attr, figure, is_rate, count, base in COVERAGE_COLUMNS if snapshot is not None else ():
        cells.append(
            {
                "figure": figure,
                "value": getattr(snapshot, attr),
                "is_rate": is_rate,
                "count": getattr(snapshot, count),
                "base": getattr(snapshot, base) if base else None,
                "url": f"{reverse('orgs:stats_drilldown', args=[figure])}?{urlencode(params)}",
            }
        )
    return {"name": name, "street": street, "total": street is None, "cells": cells}

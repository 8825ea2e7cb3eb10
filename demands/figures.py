"""The demand library's figures (a selector): projects by class and state,
the share claimed, the completion rate, the mean satisfaction, exits,
overdue and unchecked projects; for the user's whole reach or a region, with
a row per district and per street. The dashboard, the bulletin and the
library page show them through templates/demands/_figures.html, and the
nightly warnings read the same conditions (`overdue_q`, `unchecked_q`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orgs.models import Region
from orgs.scoping import AnyUser

from .models import DemandCheck, DemandClaim, DemandProject
from .selectors import demand_list, overdue_q

State = DemandProject.State
LIVE = (State.OPEN, State.CLAIMED, State.RECTIFYING)
# An A or B project is checked every quarter (跟单): three months without one is a warning.
CHECK_MONTHS = 3


def check_due_since(on: date) -> date:
    """A check on or after this date counts as this quarter's."""
    return on - relativedelta(months=CHECK_MONTHS)


def unchecked_q(*, on: date) -> Q:
    """A live A or B project set up a quarter ago or more, with no check in the last quarter."""
    since = check_due_since(on)
    recent = DemandCheck.objects.filter(project=OuterRef("pk"), checked_on__gt=since, checked_on__lte=on)
    return Q(level__in=[DemandProject.Level.A, DemandProject.Level.B], state__in=LIVE, set_up_on__lte=since) & ~Q(
        Exists(recent)
    )


def _in_region(qs: QuerySet[DemandProject], region: Region | None) -> QuerySet[DemandProject]:
    if region is None:
        return qs
    if region.kind == Region.Kind.STREET:
        return qs.filter(street=region)
    if region.kind == Region.Kind.DISTRICT:
        return qs.filter(district=region)
    return qs.filter(Q(district__parent=region) | Q(district__parent__parent=region))


def _counts(on: date) -> dict[str, Any]:
    claimed = Exists(DemandClaim.objects.filter(project=OuterRef("pk")))
    return {
        "total": Count("pk"),
        "claimed": Count("pk", filter=Q(claimed)),
        "completed": Count("pk", filter=Q(state=State.COMPLETED)),
        "exited": Count("pk", filter=Q(state=State.EXITED)),
        "rectifying": Count("pk", filter=Q(state=State.RECTIFYING)),
        "overdue": Count("pk", filter=overdue_q(on=on)),
        "unchecked": Count("pk", filter=unchecked_q(on=on)),
        "satisfaction": Avg("satisfaction", filter=Q(state=State.COMPLETED)),
    }


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    total = row["total"]
    row["claimed_share"] = row["claimed"] / total if total else None
    row["completion_rate"] = row["completed"] / total if total else None
    if row["satisfaction"] is not None:
        row["satisfaction"] = round(float(row["satisfaction"]), 2)
    return row


def demands_figures(*, user: AnyUser, region: Region | None = None, on: date | None = None) -> dict[str, Any]:
    """The figures of the projects the user reaches (in `region`, if given).

    claimed_share = projects with at least one claim / projects;
    completion_rate = completed / projects; satisfaction = the mean of the
    completed projects' ratings (None without one); overdue = past the target
    date, neither completed nor exited; unchecked = live A/B projects with no
    check in the last quarter."""
    on = on or timezone.localdate()
    qs = _in_region(demand_list(user=user), region).order_by()
    counts = _counts(on)
    totals = _rates(qs.aggregate(**counts))
    by_level_state = {
        (row["level"], row["state"]): row["n"] for row in qs.values("level", "state").annotate(n=Count("pk"))
    }
    levels = [
        {
            "level": level,
            "label": label,
            "states": [by_level_state.get((level, state), 0) for state in State.values],
            "total": sum(by_level_state.get((level, state), 0) for state in State.values),
        }
        for level, label in DemandProject.Level.choices
    ]
    districts = [
        _rates({**row, "name": row["district__name"]})
        for row in qs.values("district_id", "district__name").annotate(**counts).order_by("district__name")
    ]
    streets = [
        _rates({**row, "name": row["street__name"]})
        for row in qs.filter(street__isnull=False)
        .values("street_id", "street__name")
        .annotate(**counts)
        .order_by("street__name")
    ]
    return {
        "on": on,
        "totals": totals,
        "states": State.choices,
        "levels": levels,
        "districts": districts,
        "streets": streets,
    }

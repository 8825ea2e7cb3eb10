"""The parts of a nightly run (stats.run): what each computes and stages,
and how the run is cut into them.

A part is a set of regions used as streets: it looks at the organizations
whose street is one of them and the enterprises whose latest survey on the
date puts them in one of them. The parts of a run cut every region into
disjoint sets (each district's regions, or for a district of more than
STATS_PART_MAX_ENTERPRISES enterprises shares of its streets, and the
regions under no district), so every organization and every enterprise is
looked at by exactly one part. The single run is one part of every region.

A part computes everything that depends on its own organizations and
enterprises alone, and stages it under the run's token (stats.models):
  - ratings: every organization is rated on its own inputs;
  - coverage: the facts of its enterprises summed per (street, park,
    industry, above scale) cell, and the distinct (organization, cell)
    pairs; a cell lies in one street, so in one part;
  - warnings: the drafts about its organizations and enterprises.
What needs the whole stays in the final step: the sums over the region tree
(a park or an industry row spans the streets of several parts, a city its
districts, an organization is counted once per scope whichever parts its
enterprises fall in), the run's messages and the producers of the whole run
(data quality, fund applications), and the set difference against the open
alerts. Those are a few thousand cells and tens of thousands of drafts at
100,000 enterprises, cheap next to the parts' work.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from orgs.models import Enterprise, PartyOrganization, Region

from .coverage import active_org_rows, coverage_cells, facts_table
from .models import StagedPart, StagedRating
from .rating_publish import ratings_staged
from .warnings import PRODUCERS, AlertDraft, Context, enterprise_problems, warnings_drafts

NO_DISTRICT = "no district"


def parts_plan(*, max_enterprises: int) -> list[dict]:
    """The parts of a fanned-out run: {"label", "streets"} each. A district
    is one part, unless more than `max_enterprises` enterprises have their
    street in it: then its streets are cut into shares of at most that many
    (a street larger than that is a share of its own). The enterprises'
    current streets size the shares; which part looks at an enterprise is
    decided by its survey (parts_compute), so a stale count only makes a
    share larger or smaller, never wrong."""
    regions = sorted(Region.objects.values_list("pk", "kind", "parent_id"))
    districts = {pk for pk, kind, _parent in regions if kind == Region.Kind.DISTRICT}
    groups: dict[int | None, list[int]] = defaultdict(list)
    for pk, _kind, parent in regions:
        groups[parent if parent in districts else None].append(pk)
    sizes = dict(Enterprise.objects.values_list("street_id").annotate(n=Count("id")).order_by())
    parts = []
    for district in sorted(groups, key=lambda d: (d is None, d or 0)):
        name = NO_DISTRICT if district is None else f"district {district}"
        shares = _shares(groups[district], sizes, max_enterprises)
        for i, streets in enumerate(shares, 1):
            label = name if len(shares) == 1 else f"{name} streets {i}/{len(shares)}"
            parts.append({"label": label, "streets": streets})
    return parts


def _shares(streets: list[int], sizes: dict[int, int], limit: int) -> list[list[int]]:
    if sum(sizes.get(s, 0) for s in streets) <= limit:
        return [streets]
    shares: list[list[int]] = []
    current: list[int] = []
    n = 0
    for street in streets:
        size = sizes.get(street, 0)
        if current and n + size > limit:
            shares.append(current)
            current, n = [], 0
        current.append(street)
        n += size
    if current:
        shares.append(current)
    return shares


def part_compute(*, on: date, token: str, label: str, streets: list[int] | None) -> dict:
    """Compute one part (`streets`; None: every region, the single run) and
    stage it under `token`, in one transaction: a part interrupted before the
    end stages nothing. The summary returned is small (it goes through the
    broker): the label, the number of ratings, the seconds per step."""
    seconds: dict[str, float] = {}
    organization_ids = None
    if streets is not None:
        organization_ids = list(PartyOrganization.objects.filter(street_id__in=streets).values_list("pk", flat=True))

    started = time.monotonic()
    ratings = ratings_staged(on=on, token=token, organization_ids=organization_ids)
    seconds["ratings"] = round(time.monotonic() - started, 3)

    started = time.monotonic()
    with facts_table(on=on, streets=streets) as cursor:
        cells = coverage_cells(cursor)
        org_rows = [list(row) for row in active_org_rows(cursor, on)]
        problems = enterprise_problems(cursor)
    seconds["coverage"] = round(time.monotonic() - started, 3)

    started = time.monotonic()
    ctx = Context(on=on, data_issues=[], enterprise_problems=problems, organization_ids=organization_ids)
    drafts = warnings_drafts(ctx, [p for p in PRODUCERS if not p.whole_run])
    seconds["warnings"] = round(time.monotonic() - started, 3)

    started = time.monotonic()
    with transaction.atomic():
        StagedRating.objects.bulk_create(ratings, batch_size=2000)
        StagedPart.objects.create(
            token=token,
            on=on,
            label=label,
            payload={
                "cells": cells,
                "org_rows": org_rows,
                "drafts": [dataclasses.asdict(d) for d in drafts],
            },
        )
    seconds["stage"] = round(time.monotonic() - started, 3)
    return {"label": label, "ratings": len(ratings), "seconds": seconds}


@dataclasses.dataclass
class Staged:
    """Every part's staged results of one run, put together."""

    labels: list[str]
    cells: list[list]
    org_rows: list[list]
    drafts: list[AlertDraft]


def staged_load(*, token: str) -> Staged:
    staged = Staged(labels=[], cells=[], org_rows=[], drafts=[])
    for part in StagedPart.objects.filter(token=token).order_by("pk"):
        staged.labels.append(part.label)
        staged.cells.extend(part.payload["cells"])
        staged.org_rows.extend(part.payload["org_rows"])
        staged.drafts.extend(AlertDraft(**d) for d in part.payload["drafts"])
    return staged


def staged_discard(*, token: str) -> None:
    """Drop what a run staged (its final step published it, or it failed)."""
    StagedPart.objects.filter(token=token).delete()
    StagedRating.objects.filter(token=token).delete()


def staged_sweep(*, on: date, keep: str, older_than: timedelta) -> None:
    """Drop what runs that died left staged: of `on` (whose mark the caller
    holds, so no other run of it is under way) or older than `older_than`."""
    stale = (Q(on=on) | Q(created_at__lt=timezone.now() - older_than)) & ~Q(token=keep)
    StagedPart.objects.filter(stale).delete()
    StagedRating.objects.filter(stale).delete()

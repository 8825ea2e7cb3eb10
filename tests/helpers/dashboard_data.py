"""Stand-ins for the nightly statistics, for tests, screenshots and the benchmark.

The real snapshots, ratings and warnings are written by the statistics
engine. Dashboard tests only need the tables filled plausibly, so these
helpers derive rough figures from whatever records exist and invent a
twelve-month history around them. Not an engine: never import this from the
application.
"""

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, Sum

from orgs.models import (
    Alert,
    BusinessStatus,
    CoverageSnapshot,
    Enterprise,
    FormationMode,
    InstructorAssignment,
    PartyOrganization,
    Rating,
    RatingCriterion,
)

FIELDS = (
    "enterprises",
    "org_covered",
    "work_covered",
    "own_org_eligible",
    "own_org",
    "should_form_not_formed",
    "organizations",
    "members_formal",
    "members_probationary",
    "employees",
    "enterprises_without_member",
)


def _current_groups(on: date):
    orgs = PartyOrganization.objects.filter(enterprises=OuterRef("pk"), dissolved_on__isnull=True)
    active = InstructorAssignment.objects.filter(enterprise=OuterRef("pk"), start_on__lte=on).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on)
    )
    eligible = Q(members_formal__gte=3)
    return (
        Enterprise.objects.filter(status=BusinessStatus.OPERATING)
        .annotate(
            has_org=Exists(orgs),
            has_own=Exists(orgs.filter(formation_mode=FormationMode.OWN)),
            has_instructor=Exists(active),
        )
        .values("street_id", "park_id", "industry_id", "above_scale")
        .annotate(
            enterprises=Count("pk"),
            org_covered=Count("pk", filter=Q(has_org=True)),
            work_covered=Count("pk", filter=Q(has_org=True) | Q(has_instructor=True)),
            own_org_eligible=Count("pk", filter=eligible),
            own_org=Count("pk", filter=eligible & Q(has_own=True)),
            should_form_not_formed=Count("pk", filter=eligible & Q(has_org=False)),
            members_formal=Sum("members_formal"),
            members_probationary=Sum("members_probationary"),
            employees=Sum("employees"),
            enterprises_without_member=Count("pk", filter=Q(members_total=0)),
        )
        .order_by()
    )


def fill_snapshots(*, end: date, months: int = 13, seed: int = 7) -> int:
    """Write snapshots for every scope at `end` and at the end of each of the
    `months - 1` months before, with coverage rising gently towards `end`."""
    rng = random.Random(seed)
    totals: dict[tuple[str, str, bool], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for g in _current_groups(end):
        keys = [("district", ""), ("street", str(g["street_id"]))]
        if g["park_id"]:
            keys.append(("park", str(g["park_id"])))
        if g["industry_id"]:
            keys.append(("industry", g["industry_id"]))
        for above in {False, g["above_scale"]}:
            for kind, key in keys:
                row = totals[(kind, key, above)]
                for f in FIELDS:
                    if f != "organizations":
                        row[f] += g[f] or 0
    # The engine writes every street and park, also those with nothing in them.
    from orgs.models import Region

    for region in Region.objects.filter(kind__in=[Region.Kind.STREET, Region.Kind.PARK]).only("pk", "kind"):
        for above in (False, True):
            totals[(region.kind, str(region.pk), above)]  # noqa: B018 - touching the defaultdict creates the row
    org_counts = defaultdict(int)
    for o in PartyOrganization.objects.filter(dissolved_on__isnull=True).values("street_id", "park_id"):
        org_counts[("district", "")] += 1
        org_counts[("street", str(o["street_id"]))] += 1
        if o["park_id"]:
            org_counts[("park", str(o["park_id"]))] += 1
    for (kind, key, above), row in totals.items():
        share = 1.0 if not above else (row["enterprises"] / max(totals[(kind, key, False)]["enterprises"], 1))
        row["organizations"] = org_counts.get((kind, key)) or row["org_covered"] // 2
        row["organizations"] = max(1, round(row["organizations"] * share)) if row["org_covered"] else 0

    snapshots = []
    for back in range(months):
        day = end if back == 0 else end + relativedelta(months=-back, day=31)
        for (kind, key, above), row in totals.items():
            fade = 1 - 0.01 * back * (0.6 + 0.8 * rng.random())
            org_covered = int(row["org_covered"] * fade)
            snapshots.append(
                CoverageSnapshot(
                    date=day,
                    scope_kind=kind,
                    scope_key=key,
                    above_scale_only=above,
                    enterprises=row["enterprises"],
                    org_covered=org_covered,
                    work_covered=max(org_covered, int(row["work_covered"] * fade)),
                    own_org_eligible=row["own_org_eligible"],
                    own_org=int(row["own_org"] * fade),
                    should_form_not_formed=row["should_form_not_formed"] + (row["org_covered"] - org_covered) // 3,
                    organizations=int(row["organizations"] * fade),
                    members_formal=row["members_formal"],
                    members_probationary=row["members_probationary"],
                    employees=row["employees"],
                    enterprises_without_member=row["enterprises_without_member"],
                )
            )
    CoverageSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    return len(snapshots)


STAR_FLOORS = ((5, 90), (4, 80), (3, 70), (2, 60), (1, 0))


def fill_ratings(*, on: date, seed: int = 7) -> int:
    rng = random.Random(seed)
    criteria = list(RatingCriterion.objects.filter(active=True))
    ratings = []
    for org in PartyOrganization.objects.filter(dissolved_on__isnull=True).only("pk"):
        evidence, gap, total = {}, [], Decimal("0")
        for c in criteria:
            got = Decimal(c.weight) * Decimal(rng.choice((1, 1, 1, 0.9, 0.8, 0.6, 0.5, 0.3)))
            got = got.quantize(Decimal("0.01"))
            total += got
            evidence[c.code] = {
                "score": float(got),
                "weight": c.weight,
                "evidence": [f"{c.description or c.name}：已核对{rng.randint(1, 12)}条记录"],
            }
            if got < c.weight:
                gap.append(f"{c.name}：还差{float(c.weight - got):.1f}分")
        stars = next(s for s, floor in STAR_FLOORS if total >= floor)
        ratings.append(
            Rating(
                organization=org,
                year=on.year,
                computed_on=on,
                published_on=on,
                score=total,
                computed_stars=stars,
                evidence=evidence,
                next_star_gap=gap[:3],
            )
        )
    Rating.objects.bulk_create(ratings, batch_size=2000)
    return len(ratings)


def fill_alerts(*, on: date, seed: int = 7) -> int:
    rng = random.Random(seed)
    alerts = []
    uncovered = Enterprise.objects.filter(status=BusinessStatus.OPERATING, members_formal__gte=3).exclude(
        organizations__isnull=False
    )
    for e in uncovered.only("pk", "name", "street_id", "members_formal"):
        alerts.append(
            Alert(
                kind=Alert.Kind.SHOULD_FORM,
                level=Alert.Level.RED,
                street_id=e.street_id,
                enterprise=e,
                subject_key=f"enterprise:{e.pk}",
                message=f"{e.name}有正式党员{e.members_formal}名，尚未建立党组织",
                link=f"/orgs/enterprises/{e.pk}/",
                opened_on=on - relativedelta(days=rng.randint(1, 200)),
                last_seen_on=on,
            )
        )
    for org in PartyOrganization.objects.filter(dissolved_on__isnull=True).only(
        "pk", "name", "street_id", "term_end", "secretary_name"
    ):
        if org.term_end and org.term_end <= on + relativedelta(days=60):
            alerts.append(
                Alert(
                    kind=Alert.Kind.TERM_EXPIRING,
                    level=Alert.Level.YELLOW if org.term_end >= on else Alert.Level.RED,
                    street_id=org.street_id,
                    organization=org,
                    subject_key=f"org:{org.pk}",
                    message=f"{org.name}任期{org.term_end:%Y-%m-%d}届满，请及时换届",
                    link=f"/orgs/organizations/{org.pk}/",
                    opened_on=on - relativedelta(days=rng.randint(1, 60)),
                    last_seen_on=on,
                )
            )
        elif rng.random() < 0.1:
            alerts.append(
                Alert(
                    kind=Alert.Kind.NO_ACTIVITY_90,
                    level=Alert.Level.BLUE,
                    street_id=org.street_id,
                    organization=org,
                    subject_key=f"org:{org.pk}",
                    message=f"{org.name}已超过90天没有审核通过的组织生活",
                    link=f"/orgs/organizations/{org.pk}/",
                    opened_on=on - relativedelta(days=rng.randint(1, 30)),
                    last_seen_on=on,
                )
            )
    Alert.objects.bulk_create(alerts, batch_size=2000)
    return len(alerts)


def fill_all(*, on: date) -> None:
    fill_snapshots(end=on)
    fill_ratings(on=on)
    fill_alerts(on=on)

"""District overview at district scale: server-side render time, median.

Builds (once, into an empty database of its own) a district of N enterprises
with organizations, ratings, warnings, fund accounts and a year of nightly
coverage snapshots, then renders, in the same run and process:

- the baseline: the plain home page of an enterprise party secretary;
- the district overview (district staff), plain and filtered to 规上;
- a street view.

Usage (PostgreSQL recommended; use a database of your own, it is filled):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench \\
        python bench/bench_dashboard.py --enterprises 100000 --runs 30

Prints the medians, the ratio to the baseline and the query count per page.
The data stays; a second run reuses it.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.validators import credit_code_from_number  # noqa: E402
from funds.models import FundAccount, FundEntry, FundTransaction  # noqa: E402
from orgs.models import (  # noqa: E402
    Alert,
    CoverageSnapshot,
    Enterprise,
    Industry,
    PartyOrganization,
    Rating,
    Region,
    Role,
    RoleGrant,
    User,
)
from orgs.reference import ensure_reference_data  # noqa: E402

STREETS = 12
PARKS_PER_STREET = 3


def credit_code(i: int) -> str:
    return credit_code_from_number(i, prefix="91330300")


def org_row(name, street_id, park_id, mode, rng, today) -> PartyOrganization:
    return PartyOrganization(
        name=name,
        street_id=street_id,
        park_id=park_id,
        formation_mode=mode,
        org_type="joint_branch" if mode == "joint" else "branch",
        secretary_name="张三",
        term_start=today - timedelta(days=rng.randint(100, 1200)),
        term_end=today + timedelta(days=rng.randint(-100, 900)),
    )


def build(n: int, today: date) -> None:
    rng = random.Random(42)
    ensure_reference_data()
    industries = list(Industry.objects.values_list("pk", flat=True))
    with transaction.atomic():
        district = Region.objects.create(name="基准区", kind=Region.Kind.DISTRICT)
        streets = [Region.objects.create(name=f"基准{i}街道", kind="street", parent=district) for i in range(STREETS)]
        parks = {
            s.pk: [
                Region.objects.create(name=f"{s.name}{j}园区", kind="park", parent=s) for j in range(PARKS_PER_STREET)
            ]
            for s in streets
        }
        print(f"enterprises: {n}", flush=True)
        batch = []
        for i in range(n):
            street = streets[i % STREETS]
            # Most small enterprises have no party member; about one in eight has three or more.
            formal = rng.choices((0, 1, 2, 3, 5, 12), weights=(70, 12, 6, 6, 4, 2))[0]
            batch.append(
                Enterprise(
                    credit_code=credit_code(i),
                    name=f"基准企业{i}有限公司",
                    street=street,
                    park=rng.choice(parks[street.pk]) if rng.random() < 0.3 else None,
                    industry_id=rng.choice(industries),
                    above_scale=rng.random() < 0.15,
                    employees=rng.randint(3, 500),
                    members_total=formal,
                    members_formal=formal,
                )
            )
            if len(batch) == 5000:
                Enterprise.objects.bulk_create(batch)
                batch = []
        Enterprise.objects.bulk_create(batch)

        print("organizations, ratings, warnings", flush=True)
        enterprise_rows = list(Enterprise.objects.values_list("pk", "street_id", "park_id", "members_formal"))
        # Own organizations where three or more formal members work (most of
        # them), and joint organizations covering ten small enterprises each
        # (a fifth of the small ones): the proportions of the demo district.
        orgs, links, joint_pending = [], [], {}
        for pk, street_id, park_id, formal in enterprise_rows:
            if formal >= 3 and rng.random() < 0.7:
                orgs.append(org_row(f"中共基准企业{pk}支部委员会", street_id, park_id, "own", rng, today))
                links.append([pk])
            elif formal < 3 and rng.random() < 0.2:
                group = joint_pending.setdefault(street_id, [])
                group.append(pk)
                if len(group) == 10:
                    orgs.append(org_row(f"中共基准{pk}联合支部委员会", street_id, None, "joint", rng, today))
                    links.append(group)
                    joint_pending[street_id] = []
        orgs = PartyOrganization.objects.bulk_create(orgs, batch_size=5000)
        through = PartyOrganization.enterprises.through
        through.objects.bulk_create(
            [
                through(partyorganization_id=o.pk, enterprise_id=e)
                for o, group in zip(orgs, links, strict=True)
                for e in group
            ],
            batch_size=5000,
        )
        ratings = []
        for o in orgs:
            for back in (400, 30, 1):
                day = today - timedelta(days=back)
                ratings.append(
                    Rating(
                        organization=o,
                        year=day.year,
                        computed_on=day,
                        published_on=day,
                        score=Decimal(rng.randint(40, 99)),
                        computed_stars=rng.randint(1, 5),
                        evidence={"organization": {"score": 15}},
                    )
                )
        Rating.objects.bulk_create(ratings, batch_size=5000)
        alerts = []
        for o in orgs:
            if rng.random() < 0.4:
                alerts.append(
                    Alert(
                        kind=rng.choice(Alert.Kind.values),
                        level=rng.choice(Alert.Level.values),
                        street_id=o.street_id,
                        organization=o,
                        subject_key=f"org:{o.pk}",
                        message=f"{o.name}预警",
                        opened_on=today - timedelta(days=rng.randint(1, 400)),
                        last_seen_on=today,
                        closed_on=None if rng.random() < 0.6 else today - timedelta(days=rng.randint(0, 30)),
                    )
                )
        Alert.objects.bulk_create(alerts, batch_size=5000)

        print("fund accounts", flush=True)
        accounts = FundAccount.objects.bulk_create(
            [
                FundAccount(
                    kind="organization",
                    name=f"{o.name}账户",
                    organization=o,
                    opened_on=today,
                    balance=Decimal(rng.randint(0, 50000)),
                )
                for o in orgs[: len(orgs) // 2]
            ],
            batch_size=5000,
        )
        FundAccount.objects.create(kind="pool", name="资金池", opened_on=today, balance=Decimal("1000000"))
        entries = []
        for a in accounts:
            for seq in range(1, 5):
                txn = FundTransaction(
                    kind="enterprise_deposit", occurred_on=today - timedelta(days=seq * 20), memo="预存"
                )
                entries.append((txn, a, seq))
        txns = FundTransaction.objects.bulk_create([t for t, _a, _s in entries], batch_size=5000)
        FundEntry.objects.bulk_create(
            [
                FundEntry(
                    transaction=t, account=a, amount=Decimal("100"), seq=s, balance_after=Decimal("100"), hash="x" * 64
                )
                for t, (_t, a, s) in zip(txns, entries, strict=True)
            ],
            batch_size=5000,
        )

        print("a year of nightly snapshots", flush=True)
        scopes = [("district", "")]
        scopes += [("street", str(s.pk)) for s in streets]
        scopes += [("park", str(p.pk)) for ps in parks.values() for p in ps]
        scopes += [("industry", code) for code in industries]
        snaps = []
        for back in range(400):
            day = today - timedelta(days=back)
            for kind, key in scopes:
                for above in (False, True):
                    size = {"district": n, "street": n // STREETS, "park": n // 100, "industry": n // 20}[kind]
                    size = size // 7 if above else size
                    covered = int(size * (0.35 - back * 0.0002))
                    snaps.append(
                        CoverageSnapshot(
                            date=day,
                            scope_kind=kind,
                            scope_key=key,
                            above_scale_only=above,
                            enterprises=size,
                            org_covered=covered,
                            work_covered=int(covered * 1.4),
                            own_org_eligible=size // 4,
                            own_org=size // 6,
                            should_form_not_formed=size // 40,
                            organizations=covered,
                            members_formal=size * 2,
                            details={"by_type": {"branch": covered}},
                        )
                    )
            if len(snaps) >= 10000:
                CoverageSnapshot.objects.bulk_create(snaps)
                snaps = []
        CoverageSnapshot.objects.bulk_create(snaps)

        district_user = User.objects.create(username="bench_district")
        RoleGrant.objects.create(user=district_user, role=Role.DISTRICT)
        secretary = User.objects.create(username="bench_secretary")
        RoleGrant.objects.create(user=secretary, role=Role.SECRETARY, organization=orgs[0])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def measure(client: Client, url: str, runs: int) -> tuple[float, int]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if not User.objects.filter(username="bench_district").exists():
        if Enterprise.objects.exists():
            sys.exit("The database holds other data: give the benchmark a database of its own.")
        start = time.perf_counter()
        build(args.enterprises, today)
        print(f"built in {time.perf_counter() - start:.0f} s")
    # Measure as production runs: no per-query bookkeeping of DEBUG.
    settings.DEBUG = False
    district_user = User.objects.get(username="bench_district")
    secretary = User.objects.get(username="bench_secretary")
    street = Region.objects.filter(kind="street").order_by("pk").first()

    print(
        f"database: {connection.vendor}; enterprises: {Enterprise.objects.count():,}; "
        f"organizations: {PartyOrganization.objects.count():,}; ratings: {Rating.objects.count():,}; "
        f"open warnings: {Alert.objects.filter(closed_on__isnull=True).count():,}; "
        f"snapshots: {CoverageSnapshot.objects.count():,}"
    )
    baseline_client = Client()
    baseline_client.force_login(secretary)
    client = Client()
    client.force_login(district_user)
    base, base_q = measure(baseline_client, "/", args.runs)
    print(f"{'page':44} {'median ms':>10} {'x baseline':>11} {'queries':>8}")
    print(f"{'baseline: secretary home page':44} {base:10.1f} {1:11.2f} {base_q:8}")
    for label, url in (
        ("district overview", "/orgs/dashboard/"),
        ("district overview, 规上, sorted", "/orgs/dashboard/?above_scale=1&sort=-org_coverage"),
        ("street view", f"/orgs/dashboard/?street={street.pk}"),
        ("monthly bulletin", "/orgs/dashboard/bulletin/"),
    ):
        ms, queries = measure(client, url, args.runs)
        print(f"{label:44} {ms:10.1f} {ms / base:11.2f} {queries:8}")


if __name__ == "__main__":
    main()

"""Benchmark of the nightly statistics on PostgreSQL.

Build the data once per size with seed_demo into its own database, then run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_stats_bench \\
        python bench/bench_stats.py --date 2026-11-20 [--runs 2]

It prints the data sizes, a baseline (bare COUNT(*) over the tables the run
reads, and a bare SELECT 1 round trip), the time of each compute_stats run
with its parts, and the median time to read one coverage figure through the
selector and through the API, next to their baselines.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from datetime import date  # noqa: E402

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from activities.models import Activity  # noqa: E402
from members.models import Member  # noqa: E402
from orgs.models import Enterprise, EnterpriseSurvey, PartyOrganization, Region, User  # noqa: E402
from stats.nodes import node_snapshot  # noqa: E402
from stats.run import compute_stats  # noqa: E402

TABLES = [
    EnterpriseSurvey,
    Enterprise,
    PartyOrganization,
    PartyOrganization.enterprises.through,
    Member,
    Activity,
]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def pad_activities(target: int, on: date) -> None:
    """Top the activity table up to `target` rows in one INSERT ... SELECT:
    approved records spread over the year before `on`, on random organizations."""
    missing = target - Activity.objects.count()
    if missing <= 0:
        return
    started = time.perf_counter()
    types = ["theme_day", "general_meeting", "party_lecture", "committee_meeting", "group_meeting", "volunteer"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Activity._meta.db_table} (organization_id, activity_type, held_on, place, topic, host,
              recorder, minutes, decisions, due_count, attended_count, absent_count, status, return_reason,
              created_at)
            SELECT o.ids[1 + (g %% array_length(o.ids, 1))], (%s::text[])[1 + (g %% 6)],
              %s::date - (g %% 365), '', 'padding', '', '', '', '', 0, 0, 0, 'approved', '', now()
            FROM generate_series(1, %s) g,
              (SELECT array_agg(id ORDER BY id) AS ids FROM {PartyOrganization._meta.db_table}) o""",
            [types, on, missing],
        )
        cursor.execute(f"ANALYZE {Activity._meta.db_table}")
    print(f"padded activities with {missing} rows in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", type=date.fromisoformat, required=True)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--pad-activities",
        type=int,
        default=0,
        help="add synthetic approved activities until the table holds this many (seed_demo gives ~4 per member)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database filled by seed_demo")
    if args.pad_activities:
        pad_activities(args.pad_activities, args.date)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
    sizes = {m._meta.db_table: m.objects.count() for m in TABLES}
    print("data:", ", ".join(f"{k}={v}" for k, v in sizes.items()))

    def count_all():
        with connection.cursor() as cursor:
            for model in TABLES:
                cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
                cursor.fetchone()

    baseline = statistics.median(timed(count_all, 5))
    print(f"baseline: bare count(*) over those {len(TABLES)} tables, median of 5: {baseline:.3f} s")

    for i in range(args.runs):
        started = time.perf_counter()
        result = compute_stats(on=args.date)
        elapsed = time.perf_counter() - started
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
        print(
            f"compute_stats run {i + 1}: {elapsed:.1f} s ({parts}); ratio to baseline {elapsed / baseline:.0f}x; "
            f"snapshots={result.snapshots} ratings={result.ratings} alerts opened/kept/closed="
            f"{result.alerts_opened}/{result.alerts_kept}/{result.alerts_closed}"
        )

    user = User.objects.filter(is_superuser=True).first() or User.objects.get(username="district")
    street = Region.objects.filter(kind=Region.Kind.STREET).order_by("pk").first()

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    def read_selector():
        user.__dict__.pop("_scope_cache", None)  # each read pays for the scope look-up, as a request does
        node_snapshot(user=user, region_id=street.pk)

    client = Client()
    client.force_login(user)

    def read_api():
        response = client.get(f"/api/v1/stats/coverage/?street={street.pk}")
        assert response.status_code == 200, response.content

    read_api()  # warm up
    one = statistics.median(timed(select_one, 50)) * 1000
    sel = statistics.median(timed(read_selector, 50)) * 1000
    api = statistics.median(timed(read_api, 50)) * 1000
    print(
        f"read one coverage figure, median of 50: selector {sel:.2f} ms, API {api:.2f} ms "
        f"(baseline SELECT 1: {one:.2f} ms)"
    )


if __name__ == "__main__":
    main()

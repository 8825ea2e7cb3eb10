"""The first pages each user opens: server-side render time against the login page.

Seeds (once, into an empty database of its own) the demo district with
`seed_demo --enterprises N` and runs `compute_stats`, then, `DEBUG` off and
through Django's test client in this process, renders each page a few times to
warm up and times `--runs` requests, printing the median, the ratio to the
login page measured in the same run and the page's query count:

- the login page (the baseline: a plain page through the same stack);
- the secretary's home, the district workbench;
- the dashboard, the monthly bulletin, the coverage page;
- an organization page (the secretary's own organization);
- the main lists (enterprises, organizations, members, activities).

Usage (PostgreSQL; use a database of your own, it is filled):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_pages \\
        python bench/bench_pages.py --enterprises 40000 --runs 15

The data stays; a second run reuses it (whatever N it was seeded with).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from activities.models import Activity  # noqa: E402
from members.models import Member  # noqa: E402
from orgs.models import Enterprise, PartyOrganization, RoleGrant, User  # noqa: E402

WARM_UP = 3


def seed(enterprises: int) -> None:
    start = time.perf_counter()
    call_command("seed_demo", enterprises=enterprises, verbosity=0)
    print(f"seeded in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    call_command("compute_stats", verbosity=0)
    print(f"compute_stats in {time.perf_counter() - start:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client: Client, url: str, runs: int) -> tuple[float, int]:
    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx.captured_queries)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", default="", help="comma-separated labels (substrings) to time, besides the login")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="district").exists():
        if Enterprise.objects.exists():
            sys.exit("The database holds other data: give the benchmark a database of its own.")
        seed(args.enterprises)
    # Measure as production runs: no per-query bookkeeping of DEBUG.
    settings.DEBUG = False

    print(
        f"database: {connection.vendor}; enterprises: {Enterprise.objects.count():,}; "
        f"organizations: {PartyOrganization.objects.count():,}; members: {Member.objects.count():,}; "
        f"activities: {Activity.objects.count():,}; load: {os.getloadavg()[0]:.2f}"
    )
    secretary = client_for("secretary")
    district = client_for("district")
    own = RoleGrant.objects.filter(user__username="secretary", organization__isnull=False).first()
    assert own is not None, "the demo secretary has no organization"
    pages = [
        ("secretary's home", secretary, "/"),
        ("district workbench", district, "/"),
        ("dashboard (district)", district, "/orgs/dashboard/"),
        ("bulletin (district)", district, "/orgs/dashboard/bulletin/"),
        ("coverage (district)", district, "/orgs/stats/coverage/"),
        ("organization page (secretary)", secretary, f"/orgs/organizations/{own.organization_id}/"),
        ("enterprise list (district)", district, "/orgs/enterprises/"),
        ("organization list (district)", district, "/orgs/organizations/"),
        ("member list (district)", district, "/members/"),
        ("activity list (district)", district, "/activities/"),
        ("member list (secretary)", secretary, "/members/"),
        ("activity list (secretary)", secretary, "/activities/"),
    ]
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        pages = [p for p in pages if any(w in p[0] for w in wanted)]

    base, base_q = measure(Client(), "/accounts/login/", args.runs)
    print(f"{'page':34} {'median ms':>10} {'x login':>8} {'queries':>8}")
    print(f"{'login page (baseline)':34} {base:10.1f} {1:8.1f} {base_q:8}")
    for label, client, url in pages:
        ms, queries = measure(client, url, args.runs)
        print(f"{label:34} {ms:10.1f} {ms / base:8.1f} {queries:8}")
    # The baseline again, to show the drift of the shared machine over the run.
    again, _ = measure(Client(), "/accounts/login/", args.runs)
    print(f"{'login page (again, at the end)':34} {again:10.1f} {again / base:8.1f}")


if __name__ == "__main__":
    main()

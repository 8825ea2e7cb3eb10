"""The first pages each user opens: server-side render time against the login page.

Seeds (once, into an empty database of its own) the demo district with
`seed_demo --enterprises N` and runs `compute_stats`, then, `DEBUG` off and
through Django's test client in this process, renders each page a few times to
warm up and times `--runs` requests, each after a request for the login
page, printing the page's median, the login page's median over the same
moments and their ratio, wall-clock and CPU time of this process (which
serves the request: the CPU time leaves out the database server and moves
less with the machine's load), and the page's query count:

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
LOGIN = "/accounts/login/"


def seed(enterprises: int) -> None:
    start = time.perf_counter()
    call_command("seed_demo", enterprises=enterprises, verbosity=0)
    print(f"seeded in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    call_command("compute_stats", verbosity=0)
    print(f"compute_stats in {time.perf_counter() - start:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client: Client, url: str) -> tuple[float, float, int]:
    """Wall and CPU ms of one request (CPU: this process's, the whole Django
    side; it leaves out the database server and time spent descheduled, so it
    moves less with the load of a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, response.status_code


def measure(client: Client, url: str, runs: int, login: Client) -> dict:
    """Medians of the page and of the login page, requested in turn (the
    shared machine's load drifts: each page is set against the login page
    timed at the same moments), and the page's query count."""
    for _ in range(WARM_UP):
        status = client.get(url).status_code
        assert status == 200, (url, status)
    page_wall, page_cpu, base_wall, base_cpu = [], [], [], []
    for _ in range(runs):
        wall, cpu, _status = timed(login, LOGIN)
        base_wall.append(wall)
        base_cpu.append(cpu)
        wall, cpu, status = timed(client, url)
        assert status == 200, url
        page_wall.append(wall)
        page_cpu.append(cpu)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    median = statistics.median
    return {
        "ms": median(page_wall),
        "login": median(base_wall),
        "cpu": median(page_cpu),
        "login_cpu": median(base_cpu),
        "queries": len(ctx.captured_queries),
    }


def report(label: str, m: dict) -> None:
    print(
        f"{label:34} {m['ms']:9.1f} {m['login']:9.1f} {m['ms'] / m['login']:8.1f}"
        f" {m['cpu']:8.1f} {m['login_cpu']:9.1f} {m['cpu'] / m['login_cpu']:8.1f} {m['queries']:8}"
    )


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

    login = Client()
    print(
        f"{'page':34} {'ms':>9} {'login ms':>9} {'x login':>8} {'CPU ms':>8} {'login CPU':>9} {'x login':>8}"
        f" {'queries':>8}"
    )
    report("login page (baseline)", measure(login, LOGIN, args.runs, Client()))
    for label, client, url in pages:
        report(label, measure(client, url, args.runs, login))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""The survey ledger (.xlsx) of 100,000 enterprises as an export job.

Builds (once, into an empty database of its own) the district of
bench/bench_dashboard.py, then measures in the same run and process, with
DEBUG off:

- the baseline: the ledger's query (the same scoped selector, rows built
  cell by cell) streamed to /dev/null, no spreadsheet;
- the direct export as the page sends it at once, on the first 20,000
  enterprises (what a request did before, inside gunicorn's 30 s);
- the export as a job: the ledger link (district staff, every enterprise,
  past EXPORT_INLINE_MAX_ROWS) answers with the job page; then the task
  runs as a worker runs it (outside any request) and writes the file
  through storage, with its progress updates.

Usage (PostgreSQL; use a database of your own, it is filled):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench_export \\
        python bench/bench_export.py --enterprises 100000

Prints seconds, rows per second and the ratio to the baseline, the file's
size and the process's peak memory. The data stays; a second run reuses it.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import bench_dashboard  # noqa: E402  (sets Django up, and builds the district)
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

import exports.services  # noqa: E402
from exports.models import ExportJob  # noqa: E402
from exports.tasks import export_task  # noqa: E402
from orgs.models import Enterprise, User  # noqa: E402
from surveys.export import ledger_rows, ledger_xlsx  # noqa: E402
from surveys.selectors import ledger_for_export  # noqa: E402

DIRECT_ROWS = 20_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="bench_district").exists():
        if Enterprise.objects.exists():
            sys.exit("The database holds other data: give the benchmark a database of its own.")
        start = time.perf_counter()
        bench_dashboard.build(args.enterprises, timezone.localdate())
        print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
    settings.DEBUG = False
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-export-")
    district = User.objects.get(username="bench_district")
    total = Enterprise.objects.count()
    print(f"database: {connection.vendor}; enterprises: {total:,}; peak before: {peak_mb():.0f} MB", flush=True)

    start = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        rows = 0
        for row in ledger_rows(ledger_for_export(user=district, filters={})):
            devnull.write(repr(row))
            rows += 1
    baseline = time.perf_counter() - start
    print(f"{'measurement':52} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'x base':>7}")
    label = "baseline: ledger query streamed to /dev/null"
    print(f"{label:52} {rows:8,} {baseline:8.2f} {rows / baseline:8.0f} {1:7.2f}")

    first = Enterprise.objects.order_by("pk").values_list("pk", flat=True)[DIRECT_ROWS - 1]
    start = time.perf_counter()
    content = ledger_xlsx(ledger_for_export(user=district, filters={}).filter(pk__lte=first))
    direct = time.perf_counter() - start
    per = direct / DIRECT_ROWS * rows
    label = f"direct export at once, {DIRECT_ROWS:,} rows"
    print(f"{label:52} {DIRECT_ROWS:8,} {direct:8.2f} {DIRECT_ROWS / direct:8.0f} {per / baseline:7.2f}")
    print(f"   ({len(content) / 1e6:.1f} MB; peak memory of the process so far {peak_mb():.0f} MB)", flush=True)

    # The page: counts, creates the job, hands it to the broker (recorded
    # here), answers with the job page. The worker's part runs after it.
    ExportJob.objects.all().delete()
    sent: list[tuple] = []
    exports.services.jobs.send = lambda task, *task_args: sent.append(task_args)  # type: ignore[assignment]
    client = Client()
    client.force_login(district)
    start = time.perf_counter()
    response = client.get("/orgs/survey/ledger.xlsx")
    page = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    job = ExportJob.objects.get()
    print(f"{'the link answers with the job page':52} {job.rows:8,} {page:8.2f}", flush=True)

    start = time.perf_counter()
    export_task.apply(args=sent[0], throw=True)
    task = time.perf_counter() - start
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    size = job.file.size
    label = f"export job (task, file saved through storage), {job.rows:,} rows"
    print(f"{label:52} {job.rows:8,} {task:8.2f} {job.rows / task:8.0f} {task / baseline:7.2f}")
    print(f"   ({size / 1e6:.1f} MB; progress {job.progress}%; peak memory of the process {peak_mb():.0f} MB)")


if __name__ == "__main__":
    main()

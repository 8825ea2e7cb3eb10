"""Benchmark of the fanned-out nightly run with 1 and 2 Celery workers.

Seed a database with seed_demo (several districts), then, with a Redis
database of its own for broker and results:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_fanout_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 \\
        python bench/bench_stats_fanout.py --date 2026-11-20 --workers 1 2 --runs 2

It times the single run in this process (compute_stats: one part of
everything, then the final step), then for each worker count starts that
many worker processes (concurrency 1 each), sends compute_stats_task with
fan_out=True (parts as stats.parts.parts_plan cuts them, with
STATS_PART_MAX_ENTERPRISES from the environment) and waits for the final
step; the time is from sending to the final step's result. It stops the
workers it started.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from datetime import date  # noqa: E402

from celery.result import AsyncResult  # noqa: E402
from django.db import connection  # noqa: E402

from config.celery_app import app  # noqa: E402
from orgs.models import Enterprise, PartyOrganization, Region  # noqa: E402
from stats.run import compute_stats  # noqa: E402
from stats.tasks import compute_stats_task  # noqa: E402


def start_workers(n: int, log_dir: Path) -> list[subprocess.Popen]:
    workers = []
    for i in range(n):
        log = open(log_dir / f"bench_worker_{i}.log", "w")  # noqa: SIM115
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "--concurrency", "1",
                 "-n", f"bench{i}@%h", "--without-gossip", "--without-mingle", "-l", "warning"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = app.control.inspect(timeout=1).ping() or {}
        if sum(1 for name in replies if name.startswith("bench")) >= n:
            return workers
    stop_workers(workers)
    raise SystemExit("workers did not answer within 60 s")


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        w.wait(timeout=120)


def fanned_out_run(on: date) -> tuple[float, int, dict]:
    started = time.perf_counter()
    sent = compute_stats_task.apply_async(kwargs={"on": on.isoformat(), "fan_out": True}).get(timeout=3600)
    if sent.get("skipped"):
        raise SystemExit(f"run skipped: {sent}")
    final = AsyncResult(sent["finish"], app=app).get(timeout=3600)
    return time.perf_counter() - started, sent["fanned_out"], final


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", type=date.fromisoformat, required=True)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--log-dir", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    if app.conf.task_always_eager:
        raise SystemExit("set REDIS_URL: without a broker tasks run inline")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"enterprises {Enterprise.objects.count()}, organizations {PartyOrganization.objects.count()}, "
        f"districts {Region.objects.filter(kind=Region.Kind.DISTRICT).count()}, cores {os.cpu_count()}"
    )
    for i in range(args.runs):
        started = time.perf_counter()
        result = compute_stats(on=args.date)
        print(f"single run {i + 1}: {time.perf_counter() - started:.1f} s {result.seconds}")
    connection.close()  # the workers need no share of this process's connection
    for n in args.workers:
        workers = start_workers(n, args.log_dir)
        try:
            for i in range(args.runs):
                elapsed, parts, final = fanned_out_run(args.date)
                print(
                    f"{n} worker(s), fanned-out run {i + 1}: {elapsed:.1f} s; {parts} parts, ratings "
                    f"{final['ratings']}, snapshots {final['snapshots']}; seconds {final['seconds']} "
                    "(ratings, coverage, warnings, stage: sums over the parts; final, publish: the final step)"
                )
        finally:
            stop_workers(workers)


if __name__ == "__main__":
    main()

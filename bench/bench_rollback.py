"""Rollback of a committed survey batch: a 100,000-row first import undone, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_rollback_bench \\
        python bench/bench_rollback.py [--rows 100000] [--repeat 3]

Each round empties the database of enterprises, surveys, organizations and
batches, imports the generated file into the empty district (every row
new: the largest rollback of a first import) and rolls that batch back as
the task does (`survey_batch_rollback_start`, then `survey_batch_rollback_run`).
Printed side by side, medians over the rounds:

- baseline: the import itself (read, validate, write, in one transaction);
- the rollback, with the time of each of its steps (from its progress notes),
  the audit entries it wrote and the rows left behind (all zero when the
  database is back to its state before the import).

The file is bench_survey_import's (the sample survey's rows, each with its
own credit code and name), generated once into the temp directory. Each
step runs in a subprocess of its own, with DEBUG off and throwaway keys, as
deployed. The database named by DATABASE_URL is emptied: give it one of its own.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_survey_import import (
    ROOT,
    SAMPLE,
    YEAR,
    child_reset,
    generate,
    peak_mb,
    production_env,
    setup_django,
    streets_in,
)

COUNTED = {
    "enterprises": "orgs_enterprise",
    "surveys": "orgs_enterprisesurvey",
    "organizations": "orgs_partyorganization",
    "links": "orgs_partyorganization_enterprises",
    "assignments": "orgs_instructorassignment",
    "regions": "orgs_region",
}


def child_reset_all(streets: list[str]) -> dict:
    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        # The journal and the audit trail refuse a TRUNCATE reaching them unless the session says so.
        cursor.execute("SET partybuilding.allow_truncate = on")
    child_reset(streets)
    return child_counts()


def child_counts() -> dict:
    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for name, table in {**COUNTED, "audit": "auditlog_logentry"}.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    return counts


def child_import(path: str) -> dict:
    setup_django()
    from django.db import connection

    from surveys.services import survey_import

    assert connection.vendor == "postgresql", "the benchmark measures the PostgreSQL path"
    start = time.perf_counter()
    report = survey_import(path=path, year=YEAR, by=None)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "batch": report.batch, "created": report.created, "peak_mb": peak_mb()}


def child_rollback(pk: str) -> dict:
    setup_django()
    from orgs.models import ImportBatch
    from surveys.rollback import survey_batch_rollback_run, survey_batch_rollback_start

    # (what begins, when): the start's checks, the run's lock and checks, then each progress note.
    steps: list[tuple[str, float]] = []

    def progress(pct: int, note: str) -> None:
        steps.append((f"{pct}% {note}", time.perf_counter()))

    audit_before = child_counts()["audit"]
    start = time.perf_counter()
    batch = survey_batch_rollback_start(batch=ImportBatch.objects.get(pk=int(pk)), by=None)
    steps.append(("run: lock, checks", time.perf_counter()))
    batch = survey_batch_rollback_run(batch=batch, by=None, progress=progress)
    end = time.perf_counter()
    marks = [("start: checks, status 撤销中", start), *steps, ("", end)]
    return {
        "seconds": end - start,
        "status": batch.status,
        # Each step's time: from its mark to the next one (the last one ends with the commit).
        "steps": [(marks[i][0], marks[i + 1][1] - marks[i][1]) for i in range(len(marks) - 1)],
        "audit_entries": child_counts()["audit"] - audit_before,
        "peak_mb": peak_mb(),
    }


ENV = production_env()


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True, cwd=ROOT, env=ENV
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", default=SAMPLE)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {
            "reset": lambda: child_reset_all(rest),
            "counts": child_counts,
            "import": lambda: child_import(rest[0]),
            "rollback": lambda: child_rollback(rest[0]),
        }[kind]()
        print(json.dumps(result))
        return

    path = Path(tempfile.gettempdir()) / f"survey_bench_{args.rows}.xlsx"
    if not path.exists():
        print(f"generating {path} ({args.rows} rows)...", flush=True)
        generate(path, args.rows, args.sample)
    streets = streets_in(args.sample)

    imports, rollbacks = [], []
    for i in range(args.repeat):
        before = run_child("reset", *streets)
        imported = run_child("import", str(path))
        after_import = run_child("counts")
        rolled = run_child("rollback", str(imported["batch"]))
        after = run_child("counts")
        left = {k: after[k] - before[k] for k in COUNTED}
        print(f"round {i + 1}: import {imported['seconds']:.1f} s ({imported['created']:,} new), "
              f"rollback {rolled['seconds']:.1f} s, {rolled['status']}, "
              f"{rolled['audit_entries']} audit entries, rows left {left}", flush=True)  # fmt: skip
        imports.append(imported)
        rollbacks.append({**rolled, "left": left, "imported": {k: after_import[k] - before[k] for k in COUNTED}})

    baseline = statistics.median(r["seconds"] for r in imports)
    rollback = statistics.median(r["seconds"] for r in rollbacks)
    print()
    print(f"survey batch rollback, first import of {args.rows:,} rows, PostgreSQL, median of {args.repeat}")
    print(f"{'measurement':<52}{'seconds':>10}{'× import':>10}")
    print(f"{'baseline: the import itself (all new)':<52}{baseline:>10.2f}{1:>10.2f}")
    print(f"{'rollback of that batch (start + run)':<52}{rollback:>10.2f}{rollback / baseline:>10.2f}")
    typical = sorted(rollbacks, key=lambda r: r["seconds"])[len(rollbacks) // 2]
    for note, seconds in typical["steps"]:
        print(f"  {note:<50}{seconds:>10.2f}")
    print(f"rows the import wrote: {typical['imported']}")
    print(f"rows left after the rollback: {typical['left']}")
    print(f"audit entries written by a rollback: {sorted({r['audit_entries'] for r in rollbacks})}")
    print(f"peak memory: import {max(r['peak_mb'] for r in imports):.0f} MB, "
          f"rollback {max(r['peak_mb'] for r in rollbacks):.0f} MB")  # fmt: skip
    ok = rollback < 60 and all(r["status"] == "rolled_back" and not any(r["left"].values()) for r in rollbacks)
    print(f"target (< 60 s, nothing left, one audit entry): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()

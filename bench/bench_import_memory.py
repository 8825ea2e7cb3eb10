"""Peak memory of a survey import at the row cap (300,000 rows), .xlsx and .csv.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench \\
        python bench/bench_import_memory.py [--rows 300000] [--sparse] [--no-rollback]

Each step runs in a subprocess of its own and reports its peak resident
memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss`), next to baselines
measured in the same run:

- baseline: a bare parse of the same file, every row in a list
  (python-calamine `to_python()` for the .xlsx, `csv.reader` for the .csv);
- the page's steps on a batch: the check (preview), the confirmed import,
  and the rollback, for
  1. the .xlsx into an empty district (every row new), then
  2. the .csv of the same firms with every firm's headcount changed
     (every row changed: the largest rollback data, the previous values of
     300,000 firms and their snapshots), then its rollback.

Also printed: the size of the batch's report kept in the database (jsonb)
and of the files the batch keeps in storage (full report, rollback data).

The files are generated once into the temp directory from the sample
survey's rows (see bench_survey_import.py). A 300,000-row .csv with every
column filled is about 85 MB, over the default 50 MB upload limit: the
children run with SURVEY_MAX_UPLOAD_MB=200 so the row cap, not the byte
limit, is what bounds the file; the figures are an upper bound for any
accepted file. The database named by DATABASE_URL is emptied of
enterprises, surveys, organizations and batches: give it one of its own.

--sparse: the .csv is instead the largest one the page accepts with every
row changing a recorded firm: the template's columns in order, as many as
keep the file under SPARSE_LIMIT_BYTES (the member counts left out, so the
validation keeps every row's raw cells, the heavier path), up to --rows
rows. The children then run with the deployed 50 MB limit, not a raised one.
--no-rollback: stop before the rollback step (it takes many minutes at
300,000 rows and its memory stays flat).
"""

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from bench_survey_import import ROOT, SAMPLE, YEAR, child_reset, generate, production_env, sample_rows, streets_in

TARGET_MB = 1024
# Under the deployed upload limit (50 MB of 1,048,576 bytes) by half a megabyte.
SPARSE_LIMIT_BYTES = (50 - 0.5) * 1024 * 1024
# Never left out of the sparse file: the required columns and the one that changes.
SPARSE_KEEP = ("统一社会信用代码", "企业名称", "所属街道", "从业人员数")
# Left out of it: without all three the member check runs on the merged facts
# and the validation keeps each row's raw cells (the heavier path).
SPARSE_DROP = ("党员总数", "正式党员数", "预备党员数")


def peak_mb(who: str = "self") -> float:
    import resource

    usage = resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN
    return resource.getrusage(usage).ru_maxrss / 1024


def _changed_rows(n: int, sample_csv: str) -> tuple[list[str], Iterator[list[str]]]:
    """The same firms as the .xlsx (same credit codes and names), every
    headcount one higher, so each row changes its firm and its snapshot."""
    from core.validators import credit_code_from_number

    headers, template = sample_rows(sample_csv)
    code_at = headers.index("统一社会信用代码")
    staff_at = headers.index("从业人员数")
    number = re.compile(r"\d{5}")

    def rows() -> Iterator[list[str]]:
        for i in range(n):
            row = list(template[i % len(template)])
            row[code_at] = credit_code_from_number(i)
            row = [number.sub(f"{i:06d}", c, count=1) if ("有限公司" in c or "企业" in c) else c for c in row]
            row[staff_at] = str(int(row[staff_at] or 0) + 1)
            yield row

    return headers, rows()


def _write_csv(path: Path, headers: list[str], rows: Iterable[list[str]], keep: list[int]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["2026年度非公有制企业党建工作排查摸底表"])
        writer.writerow([headers[k] for k in keep])
        for row in rows:
            writer.writerow([row[k] for k in keep])


def generate_csv(path: Path, n: int, sample_csv: str) -> None:
    headers, rows = _changed_rows(n, sample_csv)
    _write_csv(path, headers, rows, list(range(len(headers))))


def generate_sparse_csv(path: Path, n: int, sample_csv: str) -> None:
    """Every row changing its firm, as many columns as fit under SPARSE_LIMIT_BYTES."""
    headers, rows = _changed_rows(n, sample_csv)
    rows = list(rows)
    # Bytes a column adds to the file: its cells, a comma and any quoting.
    width = [sum(len(r[k].encode()) + 1 + 2 * ("," in r[k] or '"' in r[k]) for r in rows) for k in range(len(headers))]
    keep = [headers.index(h) for h in SPARSE_KEEP]
    total = sum(width[k] for k in keep)
    for k, header in enumerate(headers):
        if k in keep or header in SPARSE_DROP:
            continue
        if total + width[k] < SPARSE_LIMIT_BYTES:
            keep.append(k)
            total += width[k]
    _write_csv(path, headers, rows, sorted(keep))


# --- children -------------------------------------------------------------------


def child_parse(path: str) -> dict:
    start = time.perf_counter()
    if path.endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    else:
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    return {"seconds": time.perf_counter() - start, "rows": len(rows), "peak_mb": peak_mb()}


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _sizes(batch) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(report), pg_column_size(undo), octet_length(report::text), octet_length(undo::text)"
            " FROM orgs_importbatch WHERE id = %s",
            [batch.pk],
        )
        stored_report, stored_undo, report_text, undo_text = cursor.fetchone()
    files = {}
    for name in ("details", "undo_file"):
        field = getattr(batch, name, None)
        if field:
            files[name] = field.size
    return {
        "report_jsonb": stored_report,
        "undo_jsonb": stored_undo,
        "report_text": report_text,
        "undo_text": undo_text,
        "files": files,
    }


def child_batch(path: str, step: str, pk: str) -> dict:
    """One of the page's steps: open + check, confirm + import, or roll back."""
    _setup()
    from django.core.files import File

    from orgs.models import ImportBatch, User
    from surveys.batches import survey_batch_confirm, survey_batch_process
    from surveys.rollback import survey_batch_rollback

    by = User.objects.filter(is_superuser=True).first()
    start = time.perf_counter()
    if step == "check":
        batch = ImportBatch(kind=ImportBatch.Kind.SURVEY, year=YEAR, file_name=os.path.basename(path), created_by=by,
                            status=ImportBatch.Status.CHECKING, file_hash="")  # fmt: skip
        with open(path, "rb") as fh:
            batch.source.save(os.path.basename(path), File(fh), save=True)
        survey_batch_process(batch=batch, commit=False)
    elif step == "commit":
        batch = ImportBatch.objects.get(pk=int(pk))
        survey_batch_confirm(batch=batch, by=by)
        survey_batch_process(batch=batch, commit=True)
    else:
        batch = ImportBatch.objects.get(pk=int(pk))
        survey_batch_rollback(batch=batch, by=by)
    seconds = time.perf_counter() - start
    batch.refresh_from_db()
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        # The .xlsx reader runs in a process of its own (surveys/sandbox.py).
        "reader_peak_mb": peak_mb("children"),
        "batch": batch.pk,
        "status": batch.status,
        "error": (batch.report or {}).get("error"),
        "rows": batch.rows,
        "created": batch.created,
        "updated": batch.updated,
        "rejected": batch.rejected,
        **_sizes(batch),
    }


def child_superuser() -> dict:
    _setup()
    from orgs.models import User

    if not User.objects.filter(is_superuser=True).exists():
        User.objects.create_superuser(username="bench", password=None)
    return {}


def child_reset_all(streets: list[str]) -> dict:
    """bench_survey_import's reset, on a database whose append-only tables
    refuse a TRUNCATE reaching them unless the session allows it."""
    _setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET partybuilding.allow_truncate = on")
    return child_reset(streets)


# One set of throwaway keys for every step of a run: a phone one step
# encrypts, the next step must decrypt.
CHILD_ENV = {**production_env(), "SURVEY_MAX_UPLOAD_MB": "200"}


def run_child(*args: str, env: dict | None = None) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT, env=env or CHILD_ENV
    )
    if done.returncode:
        raise SystemExit(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--sample", default=SAMPLE)
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--sparse", action="store_true", help="the largest accepted .csv instead of a full-width one")
    parser.add_argument("--no-rollback", action="store_true", help="stop before the rollback step")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {
            "parse": lambda: child_parse(rest[0]),
            "reset": lambda: child_reset_all(rest),
            "superuser": child_superuser,
            "batch": lambda: child_batch(*rest),
        }[kind]()
        print(json.dumps(result))
        return

    tmp = Path(tempfile.gettempdir())
    xlsx = tmp / f"survey_bench_{args.rows}.xlsx"
    changed = tmp / f"survey_bench_{args.rows}_changed{'_sparse' if args.sparse else ''}.csv"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    for path, make in ((xlsx, generate), (changed, generate_sparse_csv if args.sparse else generate_csv)):
        if not path.exists():
            print(f"generating {path} ({args.rows:,} rows)...", flush=True)
            make(path, args.rows, args.sample)
    for path in (xlsx, changed):
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB", flush=True)

    run_child("reset", *streets_in(args.sample))
    run_child("superuser")
    results: list[tuple[str, dict]] = []

    # The sparse file is checked and imported under the deployed upload limit.
    csv_env = {k: v for k, v in CHILD_ENV.items() if k != "SURVEY_MAX_UPLOAD_MB"} if args.sparse else CHILD_ENV
    kind = "sparse .csv" if args.sparse else ".csv"

    def step(label: str, *child: str, env: dict | None = None) -> dict:
        result = run_child(*child, env=env)
        results.append((label, result))
        print(f"  {label}: {result}", flush=True)
        if result.get("error"):
            raise SystemExit(result["error"])
        return result

    step("baseline: bare parse of the .xlsx (calamine to_python)", "parse", str(xlsx))
    step("baseline: bare parse of the .csv (csv.reader, list)", "parse", str(changed))
    first = step(".xlsx check (preview), all new", "batch", str(xlsx), "check", "-")
    step(".xlsx confirmed import, all new", "batch", str(xlsx), "commit", str(first["batch"]))
    second = step(f"{kind} check (preview), all changed", "batch", str(changed), "check", "-", env=csv_env)
    step(f"{kind} confirmed import, all changed", "batch", str(changed), "commit", str(second["batch"]), env=csv_env)
    if not args.no_rollback:
        step(f"{kind} batch rolled back", "batch", str(changed), "rollback", str(second["batch"]))

    print()
    print(f"survey import at the row cap, {args.rows:,} rows, peak RSS per process (ru_maxrss)")
    print(f"{'step':<58}{'peak MB':>9}{'reader':>8}{'seconds':>9}{'report jsonb':>14}{'undo jsonb':>12}  files")
    for label, r in results:
        files = ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in (r.get("files") or {}).items())
        report = f"{r['report_jsonb'] / 1e3:.0f} kB" if "report_jsonb" in r else ""
        undo = f"{r['undo_jsonb'] / 1e3:.0f} kB" if "undo_jsonb" in r else ""
        reader = f"{r['reader_peak_mb']:.0f}" if r.get("reader_peak_mb") else ""
        print(f"{label:<58}{r['peak_mb']:>9.0f}{reader:>8}{r['seconds']:>9.1f}{report:>14}{undo:>12}  {files}")
    worst = max(r["peak_mb"] for label, r in results if not label.startswith("baseline"))
    print(f"largest peak of a project step: {worst:.0f} MB; target < {TARGET_MB} MB: "
          f"{'met' if worst < TARGET_MB else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()

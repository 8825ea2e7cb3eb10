"""Survey import benchmark: a clean 100,000-row .xlsx, end to end on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench \\
        python bench/bench_survey_import.py [--rows 100000] [--ie-rows 10000] [--repeat 3]

Prints, side by side:
- baseline: a bare python-calamine parse of the file (the fastest reader);
- the project's import (read, validate, upsert, snapshot, organizations,
  batch record) into an empty district, and a re-import of the same file
  (every row "unchanged");
- the same first import with PostgreSQL's per-row foreign-key checks, as
  it runs for a database user that may not set session_replication_role
  (see surveys/bulkload.py);
- peak memory (ru_maxrss of the child process that imports);
- django-import-export's per-row import (the admin door's resource) of the
  first --ie-rows rows, extrapolated linearly to the full file.

The file is generated once from the distributions of the sample survey
(samples/survey_sample.csv rows, each with a fresh valid credit code and
name) and cached in the temp directory. Each measurement runs in its own
subprocess so memory and caches do not leak between them. The database
named by DATABASE_URL is emptied of enterprises, surveys, organizations and
batches: point it at a database of its own. The children run with DEBUG off
and throwaway keys, as the import runs when deployed.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = os.environ.get("SURVEY_SAMPLE_CSV", str(ROOT.parent / "shared" / "samples" / "survey_sample.csv"))
YEAR = 2026


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- the file -----------------------------------------------------------------


def sample_rows(path: str) -> tuple[list[str], list[list[str]]]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def generate(path: Path, n: int, sample_csv: str) -> None:
    from openpyxl import Workbook

    from core.validators import credit_code_from_number

    headers, template = sample_rows(sample_csv)
    code_at = headers.index("统一社会信用代码")
    number = re.compile(r"\d{5}")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业基本情况")
    sheet.append(["2026年度非公有制企业党建工作排查摸底表"])
    sheet.append(headers)
    for i in range(n):
        row = list(template[i % len(template)])
        row[code_at] = credit_code_from_number(i)
        # Per-enterprise names (and own-organization names) get the row's own number.
        row = [number.sub(f"{i:06d}", c, count=1) if ("有限公司" in c or "企业" in c) else c for c in row]
        sheet.append([int(c) if c.isdigit() and len(c) < 9 else c for c in row])
    workbook.save(path)


def streets_in(sample_csv: str) -> list[str]:
    headers, rows = sample_rows(sample_csv)
    at = headers.index("所属街道")
    return sorted({r[at] for r in rows})


# --- children -------------------------------------------------------------------


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_parse(path: str) -> dict:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    return {"seconds": time.perf_counter() - start, "rows": len(rows), "peak_mb": peak_mb()}


def child_reset(streets: list[str]) -> dict:
    setup_django()
    from django.conf import settings
    from django.db import connection

    from orgs.models import Region
    from orgs.reference import ensure_reference_data

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE orgs_instructorassignment, orgs_partyorganization_enterprises, orgs_enterprisesurvey, "
            "orgs_partyorganization, orgs_enterprise, orgs_importbatch RESTART IDENTITY CASCADE"
        )
    ensure_reference_data()
    district, _ = Region.objects.get_or_create(name=settings.DISTRICT_NAME, kind=Region.Kind.DISTRICT, parent=None)
    for name in streets:
        Region.objects.get_or_create(name=name, parent=district, defaults={"kind": Region.Kind.STREET})
    return {}


def child_import(path: str, per_row_checks: bool = False) -> dict:
    setup_django()
    from contextlib import contextmanager

    from django.db import connection

    from surveys import bulkload, writers
    from surveys.services import survey_import

    if per_row_checks:

        @contextmanager
        def refused():
            yield bulkload.ReferenceChecks(enabled=False)

        writers.bulk_load = refused

    assert connection.vendor == "postgresql", "the benchmark measures the PostgreSQL path"
    start = time.perf_counter()
    report = survey_import(path=path, year=YEAR, by=None)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected_count,
        "peak_mb": peak_mb(),
    }


def child_import_export(path: str, rows: int) -> dict:
    setup_django()
    import tablib
    from python_calamine import CalamineWorkbook

    from surveys.resources import SurveyResource

    data = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    header_at = next(i for i, r in enumerate(data) if "统一社会信用代码" in r)
    dataset = tablib.Dataset(headers=data[header_at])
    for row in data[header_at + 1 : header_at + 1 + rows]:
        dataset.append(row)
    del data
    start = time.perf_counter()
    result = SurveyResource().import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": rows, "totals": dict(result.totals), "peak_mb": peak_mb()}


def production_env() -> dict:
    """The children run as deployed, DEBUG off (Django then keeps no query
    log), with throwaway keys for this run."""
    import secrets

    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "localhost",
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
    parser.add_argument("--ie-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", default=SAMPLE)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {
            "parse": lambda: child_parse(rest[0]),
            "reset": lambda: child_reset(rest),
            "import": lambda: child_import(rest[0]),
            "import-per-row": lambda: child_import(rest[0], per_row_checks=True),
            "ie": lambda: child_import_export(rest[0], int(rest[1])),
        }[kind]()
        print(json.dumps(result))
        return

    path = Path(tempfile.gettempdir()) / f"survey_bench_{args.rows}.xlsx"
    if not path.exists():
        print(f"generating {path} ({args.rows} rows)...", flush=True)
        start = time.perf_counter()
        generate(path, args.rows, args.sample)
        print(f"  generated in {time.perf_counter() - start:.1f} s, {path.stat().st_size / 1e6:.1f} MB", flush=True)
    streets = streets_in(args.sample)

    parses = [run_child("parse", str(path)) for _ in range(args.repeat)]
    baseline = statistics.median(p["seconds"] for p in parses)

    fresh, again = [], []
    for _ in range(args.repeat):
        run_child("reset", *streets)
        fresh.append(run_child("import", str(path)))
        again.append(run_child("import", str(path)))
    plain = []
    for _ in range(args.repeat):
        run_child("reset", *streets)
        plain.append(run_child("import-per-row", str(path)))
    first = statistics.median(r["seconds"] for r in fresh)
    second = statistics.median(r["seconds"] for r in again)
    per_row = statistics.median(r["seconds"] for r in plain)
    peak = max(r["peak_mb"] for r in fresh + again + plain)

    run_child("reset", *streets)
    ie = run_child("ie", str(path), str(args.ie_rows))
    ie_full = ie["seconds"] * args.rows / args.ie_rows

    print()
    print(f"survey import, {args.rows:,} rows, PostgreSQL, median of {args.repeat}")
    print(f"{'measurement':<46}{'seconds':>10}{'× parse':>10}")
    print(f"{'baseline: bare python-calamine parse':<46}{baseline:>10.2f}{1:>10.2f}")
    print(f"{'import into an empty district (all new)':<46}{first:>10.2f}{first / baseline:>10.2f}")
    print(f"{'re-import of the same file (all unchanged)':<46}{second:>10.2f}{second / baseline:>10.2f}")
    print(f"{'first import, per-row foreign-key checks':<46}{per_row:>10.2f}{per_row / baseline:>10.2f}")
    label = f"django-import-export, {args.ie_rows:,} rows × {args.rows // args.ie_rows}"
    print(f"{label:<46}{ie_full:>10.2f}{ie_full / baseline:>10.2f}")
    print(f"  (measured {ie['seconds']:.2f} s for {args.ie_rows:,} rows, extrapolated linearly; totals {ie['totals']})")
    print(f"peak memory of an import process: {peak:.0f} MB (limit 500 MB)")
    print(f"counts: first {fresh[0]['created']} created / {fresh[0]['rejected']} rejected; "
          f"again {again[0]['unchanged']} unchanged")  # fmt: skip
    ok = first <= 3 * baseline and peak < 500
    print(f"target (≤ 3× parse, < 500 MB): {'met' if ok else 'NOT met'}; "
          f"import-export is {ie_full / first:.1f}× slower than the import")  # fmt: skip


if __name__ == "__main__":
    main()

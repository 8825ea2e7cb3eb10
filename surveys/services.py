"""The survey import: one service behind the upload page, the admin and the
`import_survey` command.

`survey_import` reads and validates the whole file first (no database
writes), classifies every row against what is recorded (new / changed /
unchanged, with a diff), and only then, unless it is a dry run or a strict
run that found invalid rows, writes everything in one transaction with
set-based statements: on PostgreSQL, COPY into temporary tables, then one
INSERT ... RETURNING for new enterprises and their snapshots and one
UPDATE ... FROM for changed ones, with foreign keys checked per distinct
key (bulkload.py); bulk_create/bulk_update in chunks elsewhere. The number
of queries does not grow with the number of rows (chunked lookups aside),
which is what makes 100,000 rows take seconds (BENCHMARKS.md).

A batch keeps what a rollback needs (`ImportBatch.undo`): the ids it created
and the previous values of what it changed.
"""

import csv
import functools
import gc
import hashlib
import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from orgs.audit import audit_event
from orgs.models import (
    BusinessStatus,
    Enterprise,
    EnterpriseSurvey,
    FormationMode,
    ImportBatch,
    Industry,
    InstructorAssignment,
    LegalType,
    OrgSetup,
    PartyOrganization,
    Region,
    Role,
    SurveyFacts,
    User,
)
from orgs.scoping import scope_for

from .bulkload import ReferenceChecks, bulk_load
from .columns import COLUMN_BY_FIELD, CellError, clean_text
from .reader import SurveyFileError, SurveyTable, open_survey

logger = logging.getLogger(__name__)

FACTS: list[str] = SurveyFacts.fact_field_names()
IDX = {name: i for i, name in enumerate(FACTS)}
CHUNK = 5000
REPORT_LIST_CAP = 2000
ADVISORY_LOCK_KEY = 727_003  # one survey import writes at a time

DEFAULT_FACTS: dict[str, Any] = {
    "name": "",
    "legal_type": LegalType.LLC.value,
    "street_id": None,
    "park_id": None,
    "industry_id": None,
    "address": "",
    "status": BusinessStatus.OPERATING.value,
    "above_scale": False,
    "employees": 0,
    "members_total": 0,
    "members_formal": 0,
    "members_probationary": 0,
    "owner_name": "",
    "owner_is_member": False,
    "org_setup": OrgSetup.NONE.value,
    "org_name": "",
    "secretary_name": "",
    "instructor_assigned": False,
    "union_established": False,
    "league_established": False,
    "phone": "",
    "revenue": None,
}
# Columns whose cell value is a plain fact (street/park/industry are resolved names).
DIRECT_FIELDS = [f for f in FACTS if f in COLUMN_BY_FIELD]


def survey_date_for(year: int) -> date:
    # The survey's reference date (统计时点), as the demo data and the statistics use it.
    return date(year, 3, 31)


@dataclass(frozen=True)
class NewRegion:
    """A street or park the import will create; stands in for its id until then."""

    kind: str
    name: str
    parent: Any = None


@dataclass(slots=True)
class Row:
    row: int
    code: str
    facts: list[Any]
    status: str = "new"  # new / changed / unchanged
    enterprise_id: int | None = None
    diff: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    touch_ledger: bool = True
    # False only for an older year's row: its facts are not the ledger's.
    ledger_matches: bool = True


@dataclass
class SurveyReport:
    batch: int | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    not_in_survey: int = 0
    dry_run: bool = False
    strict_failed: bool = False
    # For people: the preview and the rejected-rows download.
    rejected_rows: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    not_in_survey_list: list[dict] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    header_row: int = 1
    sheet: str = ""
    missing_columns: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    streets_created: list[str] = field(default_factory=list)
    parks_created: list[str] = field(default_factory=list)
    organizations_created: int = 0
    placeholders_created: int = 0
    links_added: int = 0
    assignments_created: int = 0
    surveys_written: int = 0

    def contract(self) -> dict:
        """The object `import_survey --json` prints (CONTRACT.md)."""
        return {
            "batch": self.batch,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "not_in_survey": self.not_in_survey,
        }

    def as_json(self) -> dict:
        data = self.contract()
        for name in (
            "dry_run",
            "strict_failed",
            "rejected_rows",
            "changes",
            "not_in_survey_list",
            "headers",
            "header_row",
            "sheet",
            "missing_columns",
            "warnings",
            "streets_created",
            "parks_created",
            "organizations_created",
            "placeholders_created",
            "links_added",
            "assignments_created",
            "surveys_written",
        ):
            data[name] = getattr(self, name)
        return data

    @property
    def rejected_count(self) -> int:
        return len(self.rejected_rows)


class _Context:
    """Reference data loaded once per import: streets, parks, industries."""

    def __init__(self, *, create_streets: bool, only_street: Region | None):
        self.create_streets = create_streets and only_street is None
        self.only_street = only_street
        streets = Region.objects.filter(kind=Region.Kind.STREET).values_list("id", "name")
        self.street_by_name = {name.strip(): pk for pk, name in streets}
        self.street_name = {pk: name for pk, name in streets}
        self.park_by_key = {
            (parent, name.strip()): pk
            for pk, parent, name in Region.objects.filter(kind=Region.Kind.PARK).values_list("id", "parent_id", "name")
        }
        self.park_name = {pk: name for (_parent, name), pk in self.park_by_key.items()}
        industries = list(Industry.objects.values_list("code", "name"))
        self.industry_by_key = {code: code for code, _name in industries}
        for code, name in industries:
            self.industry_by_key[name.replace(" ", "")] = code
        self.industry_name = dict(industries)

    def street(self, name: str) -> Any:
        pk = self.street_by_name.get(name)
        if pk is None:
            pk = self.street_by_name.get(name + "街道")
        if pk is not None:
            if self.only_street is not None and pk != self.only_street.pk:
                raise CellError(_("不属于本次导入的街道（%(s)s）") % {"s": self.only_street.name})
            return pk
        if self.create_streets:
            return NewRegion(Region.Kind.STREET, name)
        raise CellError(_("“%(s)s”不是本区已有的街道（如为新街道，请由区级人员勾选“允许新建街道”）") % {"s": name})

    def park(self, street: Any, name: str) -> Any:
        if not name:
            return None
        if isinstance(street, int):
            pk = self.park_by_key.get((street, name))
            if pk is not None:
                return pk
        return NewRegion(Region.Kind.PARK, name, street)

    def industry(self, key: str) -> str | None:
        if not key:
            return None
        code = self.industry_by_key.get(key)
        if code is None:
            raise CellError(_("“%(v)s”不是国民经济行业门类（A–T 字母或门类名称）") % {"v": key})
        return code

    def display(self, name: str, value: Any) -> str:
        """A fact as the user wrote it, for diffs."""
        if value is None:
            return ""
        if isinstance(value, NewRegion):
            return value.name
        if name == "street_id":
            return self.street_name.get(value, str(value))
        if name == "park_id":
            return self.park_name.get(value, str(value))
        if name == "industry_id":
            return f"{value} {self.industry_name.get(value, '')}".strip()
        if isinstance(value, bool):
            return _("是") if value else _("否")
        for choices, attr in ((LegalType, "legal_type"), (BusinessStatus, "status"), (OrgSetup, "org_setup")):
            if name == attr:
                return str(choices(value).label) if value in choices.values else str(value)
        return str(value)


def header_for(fact: str) -> str:
    column = COLUMN_BY_FIELD.get(
        {"street_id": "street_name", "park_id": "park_name", "industry_id": "industry_key"}.get(fact, fact)
    )
    return column.header if column else fact


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def importer_check(*, by: User | None, street: Region | None) -> None:
    """Only district and street staff import; street staff only for their own street."""
    if by is None:  # the operator's command line
        return
    scope = scope_for(by, write=True)
    if scope.everything and scope.has_role(Role.DISTRICT):
        return
    if not scope.has_role(Role.STREET):
        raise ApplicationError(_("只有区、街道两新党建工作人员可以导入排查摸底表"))
    if street is None or street.pk not in scope.street_ids:
        raise ApplicationError(_("街道工作人员只能导入本街道的排查摸底表"))


# --- reading and validating -------------------------------------------------


# Survey columns that name a record rather than hold a fact.
RESOLVED = {"street_name": "street_id", "park_name": "park_id", "industry_key": "industry_id"}


def _member_errors(total: int, formal: int, probationary: int) -> list[tuple[str, str]]:
    if formal > total:
        return [
            (
                COLUMN_BY_FIELD["members_formal"].header,
                _("正式党员数（%(f)d）不能大于党员总数（%(t)d）") % {"f": formal, "t": total},
            )
        ]
    if formal + probationary != total:
        return [
            (
                COLUMN_BY_FIELD["members_total"].header,
                _("党员总数（%(t)d）应等于正式党员数（%(f)d）与预备党员数（%(p)d）之和")
                % {"t": total, "f": formal, "p": probationary},
            )
        ]
    return []


@dataclass
class _Parsed:
    fields: list[str]  # fact names, in the order of each row's tuple
    rows: dict[str, tuple[int, tuple, list | None]]  # code → (row number, values, raw cells if kept)


def _parse_rows(table: SurveyTable, ctx: _Context, report: SurveyReport, progress: Callable) -> _Parsed:
    """One pass over the cells: every rule that needs only the row itself.
    Keeps, per credit code, the last occurrence as a tuple of values; raw
    cells are kept only where a later rule may still reject the row."""
    items = sorted(table.columns.items())
    fields = [RESOLVED.get(c.field, c.field) for _, c in items]
    steps = [(position, column.parse, column.header) for position, column in items]
    code_at = fields.index("credit_code")
    street_at = fields.index("street_id")
    park_at = fields.index("park_id") if "park_id" in fields else None
    industry_at = fields.index("industry_id") if "industry_id" in fields else None
    members = ("members_total", "members_formal", "members_probationary")
    member_at = [fields.index(m) for m in members] if all(m in fields for m in members) else None
    keep_cells = member_at is None or ctx.only_street is not None
    street_header = COLUMN_BY_FIELD["street_name"].header
    industry_header = COLUMN_BY_FIELD["industry_key"].header
    code_position = items[code_at][0]
    parsed: dict[str, tuple[int, tuple, list | None]] = {}
    seen_rows: dict[str, list[int]] = {}
    count = 0
    for number, cells in table.rows:
        count += 1
        errors = []
        try:  # the common case: every cell reads
            out = [parse(cells[position]) for position, parse, _header in steps]
        except CellError:
            out = []
            for position, parse, header in steps:
                try:
                    out.append(parse(cells[position]))
                except CellError as exc:
                    out.append(None)
                    errors.append((header, str(exc)))
        name = out[street_at]
        if name:
            try:
                out[street_at] = ctx.street(name)
            except CellError as exc:
                errors.append((street_header, str(exc)))
        if park_at is not None:
            out[park_at] = ctx.park(out[street_at], out[park_at])
        if industry_at is not None and out[industry_at] is not None:
            try:
                out[industry_at] = ctx.industry(out[industry_at])
            except CellError as exc:
                errors.append((industry_header, str(exc)))
        if member_at is not None and not errors:
            errors = _member_errors(out[member_at[0]], out[member_at[1]], out[member_at[2]])
        code = out[code_at] or clean_text(cells[code_position]).upper()
        if code:
            seen = seen_rows.get(code)
            if seen is None:
                seen_rows[code] = [number]
            else:
                seen.append(number)
        if errors:
            _reject(report, number, code, cells, errors)
            parsed.pop(code, None)  # a later invalid correction supersedes an earlier row
        elif code:
            parsed[code] = (number, tuple(out), cells if keep_cells else None)
        if count % 5000 == 0:
            progress(count, None)
    report.rows = count
    report.duplicates = [{"credit_code": code, "rows": rows} for code, rows in seen_rows.items() if len(rows) > 1]
    return _Parsed(fields=fields, rows=parsed)


def _reject(report: SurveyReport, number: int, code: str, cells: list | None, errors: list[tuple[str, str]]) -> None:
    for column, message in errors:
        report.rejected.append({"row": number, "credit_code": code, "column": column, "message": message})
    report.rejected_rows.append(
        {
            "row": number,
            "cells": [_jsonable_cell(c) for c in cells] if cells is not None else [],
            "errors": "；".join(f"{column}：{message}" for column, message in errors),
        }
    )


def _jsonable_cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _key_array(keys: list, *, text: bool | None = None) -> tuple[str, Any]:
    """An SQL array parameter of credit codes or ids: (SQL, parameter).
    Sent as one comma-joined string split by the server: psycopg2 would
    quote 100,000 list items one by one (a tenth of a second), and an int
    list becomes an ARRAY[...] expression the server parses element by
    element (two tenths). Credit codes and ids hold no comma."""
    if text is None:
        text = bool(keys) and isinstance(keys[0], str)
    if text:
        if "" in keys or any("," in k for k in keys):  # string_to_array would lose or split these
            return "%s::text[]", list(keys)
        return "string_to_array(%s, ',')", ",".join(keys)
    return "string_to_array(%s, ',')::bigint[]", ",".join(map(str, keys))


def _select_by_keys(sql_columns: str, table: str, key: str, keys: list, extra: str = "") -> list[tuple]:
    """Rows whose `key` is in `keys`. On PostgreSQL one query joining an
    unnested array: the planner can hash it, where an IN list of 100,000
    parameters costs more to build than to run and `= ANY(array)` may be
    searched linearly row by row."""
    if not keys:
        return []
    if connection.vendor == "postgresql":
        array, param = _key_array(keys)
        columns = ", ".join(f"t.{c.strip()}" for c in sql_columns.split(","))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {table} t JOIN unnest({array}) AS k(key) ON t.{key} = k.key"
                f"{extra.replace(' AND ', ' AND t.', 1) if extra else ''}",
                [param],
            )
            return cursor.fetchall()
    result = []
    with connection.cursor() as cursor:
        for chunk in _chunks(list(keys), 900):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {sql_columns} FROM {table} WHERE {key} IN ({marks}){extra}", chunk)
            result.extend(cursor.fetchall())
    return result


def _fact_columns(model) -> str:
    return ", ".join(model._meta.get_field(f if not f.endswith("_id") else f[:-3]).column for f in FACTS)


def _load_existing(codes: list[str]) -> dict[str, tuple]:
    """credit code → (id, latest year, *facts), typed as the ORM would give them."""
    rows = _select_by_keys(
        f"credit_code, id, latest_survey_year, {_fact_columns(Enterprise)}",
        Enterprise._meta.db_table,
        "credit_code",
        codes,
    )
    converters = _converters(Enterprise)
    return {row[0]: (row[1], row[2], *_convert(row[3:], converters)) for row in rows}


def _converters(model) -> list | None:
    """SQLite hands back 0/1 for booleans and text for decimals; PostgreSQL
    gives typed values already (None: nothing to convert)."""
    if connection.vendor == "postgresql":
        return None
    out = []
    for name in FACTS:
        field = model._meta.get_field(name[:-3] if name.endswith("_id") else name)
        kind = field.get_internal_type()
        if kind == "BooleanField":
            out.append(lambda v: None if v is None else bool(v))
        elif kind == "DecimalField":
            out.append(lambda v: None if v is None else Decimal(str(v)).quantize(Decimal("0.01")))
        else:
            out.append(None)
    return out


def _convert(values, converters) -> list | tuple:
    if converters is None:
        return values
    return [v if conv is None else conv(v) for v, conv in zip(values, converters, strict=True)]


def _classify(parsed: _Parsed, *, year: int, ctx: _Context, report: SurveyReport) -> list[Row]:
    """Second pass: merge each row over what is recorded, apply the rules that
    span columns, and say new/changed/unchanged with the diff."""
    existing = _load_existing(list(parsed.rows))
    # The facts of a row in one C call: the file's value where it has the
    # column, else the recorded value (or the default) appended behind it.
    source = {IDX[name]: k for k, name in enumerate(parsed.fields) if name in IDX}
    width = len(parsed.fields)
    merge = itemgetter(*(source.get(i, width + i) for i in range(len(FACTS))))
    need_member_check = not all(m in parsed.fields for m in ("members_total", "members_formal", "members_probationary"))
    defaults = tuple(DEFAULT_FACTS[f] for f in FACTS)
    street_i, total_i, formal_i, prob_i, employees_i = (
        IDX["street_id"],
        IDX["members_total"],
        IDX["members_formal"],
        IDX["members_probationary"],
        IDX["employees"],
    )
    only_street = ctx.only_street.pk if ctx.only_street is not None else None
    more_members = _("党员总数多于从业人员数，请核实")
    rows: list[Row] = []
    # Popping as we go lets each parsed tuple and recorded row go once merged:
    # at 100,000 rows that is the difference between the limit and well under it.
    for code in list(parsed.rows):
        number, values, cells = parsed.rows.pop(code)
        record = existing.pop(code, None)
        if record is not None:
            enterprise_id, latest_year, *old = record
            facts = list(merge(values + tuple(old)))
        else:
            enterprise_id, latest_year, old = None, None, None
            facts = list(merge(values + defaults))
        errors = []
        if need_member_check:
            errors = _member_errors(facts[total_i], facts[formal_i], facts[prob_i])
        if record is not None and only_street is not None and old[street_i] != only_street:
            errors.append(
                (
                    COLUMN_BY_FIELD["street_name"].header,
                    _("该企业已登记在%(s)s，不能由本街道导入变更") % {"s": ctx.street_name.get(old[street_i], "")},
                )
            )
        if errors:
            _reject(report, number, code, cells, errors)
            continue
        total = facts[total_i]
        if total and facts[employees_i] and total > facts[employees_i] and len(report.warnings) < REPORT_LIST_CAP:
            report.warnings.append({"row": number, "credit_code": code, "message": more_members})
        row = Row(row=number, code=code, facts=facts, enterprise_id=enterprise_id)
        if record is None:
            row.status = "new"
        elif latest_year is not None and year < latest_year:
            # An older year's survey fills in its snapshot; the ledger keeps the newer facts.
            row.status, row.touch_ledger, row.ledger_matches = "unchanged", False, False
        elif facts == old:
            row.status, row.touch_ledger = "unchanged", latest_year != year
        else:
            row.diff = {f: (old[i], facts[i]) for i, f in enumerate(FACTS) if old[i] != facts[i]}
            row.status = "changed"
        rows.append(row)
    rows.sort(key=lambda r: r.row)
    return rows


# --- the service ------------------------------------------------------------


def _cyclic_gc_paused(func: Callable) -> Callable:
    """An import allocates millions of objects (cells, values, rows) that live
    until it ends and form no reference cycles; Python's cyclic collector
    would scan them again and again as they pile up, about a tenth of a
    100,000-row import. Reference counting frees everything as usual; the
    collector is back on when the import returns."""

    @functools.wraps(func)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


@_cyclic_gc_paused
def survey_import(
    *,
    path: str | os.PathLike | None = None,
    file=None,
    file_name: str | None = None,
    year: int,
    by: User | None,
    dry_run: bool = False,
    strict: bool = False,
    create_streets: bool = False,
    street: Region | None = None,
    batch: ImportBatch | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> SurveyReport:
    """Import one survey file for `year`. `file` (an open binary file) or
    `path`. Raises SurveyFileError when the file as a whole is unusable;
    invalid rows are in the report. Nothing is written on a dry run, or on a
    strict run with invalid rows."""
    importer_check(by=by, street=street)
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("年度应在2000至2100之间"))
    if path is None:
        if file is None:
            raise ApplicationError(_("请提供要导入的文件"))
        return _import_from_upload(
            file=file, file_name=file_name, year=year, by=by, dry_run=dry_run, strict=strict,
            create_streets=create_streets, street=street, batch=batch, progress=progress,
        )  # fmt: skip
    path = os.fspath(path)
    file_name = file_name or os.path.basename(path)
    notify = progress or (lambda pct, note: None)

    notify(2, _("正在读取文件"))
    table = open_survey(path, file_name=file_name)
    report = SurveyReport(
        dry_run=dry_run,
        headers=table.headers,
        header_row=table.header_row,
        sheet=table.sheet_name,
        missing_columns=table.missing_optional,
    )
    ctx = _Context(create_streets=create_streets, only_street=street)

    def row_progress(count: int, _note) -> None:
        notify(min(60, 5 + count // 2500), _("已校验 %(n)d 行") % {"n": count})

    parsed = _parse_rows(table, ctx, report, row_progress)
    del table
    notify(62, _("正在比对已登记企业"))
    rows = _classify(parsed, year=year, ctx=ctx, report=report)
    del parsed
    report.rejected.sort(key=lambda r: r["row"])
    report.rejected_rows.sort(key=lambda r: r["row"])
    report.created = sum(1 for r in rows if r.status == "new")
    report.updated = sum(1 for r in rows if r.status == "changed")
    report.unchanged = sum(1 for r in rows if r.status == "unchanged")
    report.changes = [
        {
            "row": r.row,
            "credit_code": r.code,
            "name": r.facts[IDX["name"]],
            "diff": [[header_for(f), ctx.display(f, old), ctx.display(f, new)] for f, (old, new) in r.diff.items()],
        }
        for r in rows
        if r.status == "changed"
    ][:REPORT_LIST_CAP]
    _plan_absent(rows, ctx=ctx, report=report)
    plan = _plan_links(rows, year=year, ctx=ctx)
    report.organizations_created = len(plan.new_orgs)
    report.placeholders_created = sum(1 for o in plan.new_orgs.values() if o["placeholder"])
    report.links_added = len(plan.links)
    report.assignments_created = len(plan.assignments)
    report.streets_created = sorted(
        {r.facts[IDX["street_id"]].name for r in rows if isinstance(r.facts[IDX["street_id"]], NewRegion)}
    )
    report.parks_created = sorted(
        {r.facts[IDX["park_id"]].name for r in rows if isinstance(r.facts[IDX["park_id"]], NewRegion)}
    )

    if strict and report.rejected:
        report.strict_failed = True
        dry_run = True
    if dry_run:
        report.surveys_written = len(_plan_surveys(rows, year=year, new_written=False)[0])
        if batch is not None:
            _batch_finish(batch, report, status=ImportBatch.Status.PREVIEW, file_hash=file_sha256(path))
        notify(100, _("校验完成"))
        return report

    notify(70, _("正在写入数据库"))
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            if batch is None:
                batch = ImportBatch.objects.create(
                    kind=ImportBatch.Kind.SURVEY, year=year, street=street, file_name=file_name[:255],
                    file_hash=file_sha256(path), created_by=by, status=ImportBatch.Status.RUNNING,
                    strict=strict, create_streets=create_streets,
                )  # fmt: skip
            undo = _write(rows, plan, year=year, batch=batch, ctx=ctx, report=report)
            report.batch = batch.pk
            batch.undo = undo
            batch.committed_at = timezone.now()
            _batch_finish(
                batch, report, status=ImportBatch.Status.COMMITTED, file_hash=batch.file_hash or file_sha256(path)
            )
            audit_event(
                actor=by,
                instance=batch,
                event="survey_imported",
                detail={
                    "year": year,
                    "created": report.created,
                    "updated": report.updated,
                    "rejected": report.rejected_count,
                },
            )
    except IntegrityError:
        # Checked against the records before the write lock; another import
        # or a page added the same enterprise meanwhile. Nothing was written.
        raise ApplicationError(_("导入期间数据被其他操作修改（如同一企业被同时登记），未写入任何数据，请重新导入"))
    notify(100, _("导入完成"))
    return report


def _import_from_upload(*, file, file_name, **kwargs) -> SurveyReport:
    import tempfile

    name = file_name or getattr(file, "name", "upload")
    suffix = os.path.splitext(name)[1][:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            tmp.write(block)
            if tmp.tell() > settings.SURVEY_MAX_UPLOAD_BYTES:
                from .reader import check_size

                check_size(tmp.tell())
        tmp.flush()
        return survey_import(path=tmp.name, file_name=os.path.basename(name), **kwargs)


def _batch_finish(batch: ImportBatch, report: SurveyReport, *, status: str, file_hash: str) -> None:
    batch.status = status
    batch.file_hash = file_hash
    batch.rows = report.rows
    batch.created = report.created
    batch.updated = report.updated
    batch.unchanged = report.unchanged
    batch.rejected = report.rejected_count
    batch.not_in_survey = report.not_in_survey
    batch.report = report.as_json()
    batch.progress = 100
    batch.progress_note = ""
    batch.save()


def _plan_absent(rows: list[Row], *, ctx: _Context, report: SurveyReport) -> None:
    """Enterprises of the streets this file covers that it does not name:
    listed for staff to confirm, never deleted. Closed ones are expected to go."""
    if ctx.only_street is not None:
        street_ids = {ctx.only_street.pk}
    else:
        street_ids = {r.facts[IDX["street_id"]] for r in rows if isinstance(r.facts[IDX["street_id"]], int)}
    if connection.vendor == "postgresql":
        # The database leaves out the file's codes: at 100,000 rows a hash
        # anti-join, instead of sending every recorded enterprise back.
        array, codes = _key_array([r.code for r in rows], text=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, credit_code, name, street_id FROM {Enterprise._meta.db_table} t "
                f"WHERE street_id = ANY(%s) AND status <> %s "
                f"AND NOT EXISTS (SELECT 1 FROM unnest({array}) AS k(code) WHERE k.code = t.credit_code) "
                f"ORDER BY street_id, name",
                [sorted(street_ids), BusinessStatus.DEREGISTERED.value, codes],
            )
            found = cursor.fetchall()
    else:
        codes = {r.code for r in rows}
        found = [
            values
            for values in Enterprise.objects.filter(street_id__in=street_ids)
            .exclude(status=BusinessStatus.DEREGISTERED)
            .values_list("id", "credit_code", "name", "street_id")
            .order_by("street_id", "name")
            if values[1] not in codes
        ]
    absent = [
        {"id": pk, "credit_code": code, "name": name, "street": ctx.street_name.get(street_id, "")}
        for pk, code, name, street_id in found
    ]
    report.not_in_survey = len(absent)
    report.not_in_survey_list = absent[:REPORT_LIST_CAP]


@dataclass
class _LinkPlan:
    # (street key, name) → {"mode", "secretary", "placeholder", "park"}
    new_orgs: dict[tuple, dict] = field(default_factory=dict)
    existing_orgs: dict[tuple, int] = field(default_factory=dict)
    # (org key or org id, credit code)
    links: list[tuple[Any, str]] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)


def _plan_links(rows: list[Row], *, year: int, ctx: _Context) -> _LinkPlan:
    """DESIGN.md §3: a row whose setup is not 未建 is linked to the organization
    it names (found by name in the street, else created with that formation
    mode; one joint name shared by rows is one organization); an empty name
    gets a placeholder flagged for completion unless the enterprise is already
    covered (the recorded organizations win). 是否选派党建指导员 = 是 gets an
    assignment unless one is open."""
    plan = _LinkPlan()
    street_ids = {r.facts[IDX["street_id"]] for r in rows if isinstance(r.facts[IDX["street_id"]], int)}
    for pk, street_id, name in PartyOrganization.objects.filter(street_id__in=street_ids).values_list(
        "id", "street_id", "name"
    ):
        plan.existing_orgs[(street_id, name)] = pk
    through = PartyOrganization.enterprises.through
    links: set[tuple[int, int]] = set(
        through.objects.filter(partyorganization__street_id__in=street_ids).values_list(
            "partyorganization_id", "enterprise_id"
        )
    )
    covered = {enterprise_id for _org, enterprise_id in links}
    on = survey_date_for(year)
    assigned = set(
        InstructorAssignment.objects.filter(enterprise__street_id__in=street_ids)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .values_list("enterprise_id", flat=True)
    )
    used_names = set(plan.existing_orgs)
    for row in rows:
        facts = row.facts
        setup = facts[IDX["org_setup"]]
        street = facts[IDX["street_id"]]
        if setup != OrgSetup.NONE:
            name = facts[IDX["org_name"]]
            if name:
                key = (street, name)
                org = plan.existing_orgs.get(key)
                if org is None and key not in plan.new_orgs:
                    plan.new_orgs[key] = {
                        "mode": setup,
                        "secretary": facts[IDX["secretary_name"]],
                        "placeholder": False,
                        "park": facts[IDX["park_id"]] if setup == OrgSetup.JOINT else None,
                    }
                    used_names.add(key)
                if org is None or (org, row.enterprise_id) not in links:
                    plan.links.append((org if org is not None else key, row.code))
            elif row.enterprise_id is None or row.enterprise_id not in covered:
                base = _("%(name)s党组织（待完善）") % {"name": facts[IDX["name"]]}
                key = (street, base[:200])
                if key in used_names:
                    key = (street, f"{base}{row.code[-6:]}"[:200])
                used_names.add(key)
                plan.new_orgs[key] = {"mode": setup, "secretary": facts[IDX["secretary_name"]], "placeholder": True,
                                      "park": None}  # fmt: skip
                plan.links.append((key, row.code))
        if facts[IDX["instructor_assigned"]] and (row.enterprise_id is None or row.enterprise_id not in assigned):
            plan.assignments.append(row.code)
    return plan


# --- writing ----------------------------------------------------------------


def _resolve_regions(rows: list[Row], plan: _LinkPlan, ctx: _Context, undo: dict, report: SurveyReport) -> None:
    new_streets = sorted({r.facts[IDX["street_id"]] for r in rows if isinstance(r.facts[IDX["street_id"]], NewRegion)},
                         key=lambda n: n.name)  # fmt: skip
    ids: dict[NewRegion, int] = {}
    if new_streets:
        district = Region.objects.filter(kind=Region.Kind.DISTRICT, parent__isnull=True).order_by("pk").first()
        if district is None:
            district = Region.objects.create(name=settings.DISTRICT_NAME, kind=Region.Kind.DISTRICT)
            undo["regions"] = [district.pk]
        for new in new_streets:
            region = Region.objects.create(name=new.name, kind=Region.Kind.STREET, parent=district)
            ids[new] = region.pk
            ctx.street_name[region.pk] = region.name
            undo.setdefault("regions", []).insert(0, region.pk)
    new_parks = {r.facts[IDX["park_id"]] for r in rows if isinstance(r.facts[IDX["park_id"]], NewRegion)}
    for new in sorted(new_parks, key=lambda n: n.name):
        parent = ids.get(new.parent, new.parent)
        region, created = Region.objects.get_or_create(
            parent_id=parent, name=new.name, defaults={"kind": Region.Kind.PARK}
        )
        ids[new] = region.pk
        if created:
            undo.setdefault("regions", []).insert(0, region.pk)
    if ids:
        for row in rows:
            for name in ("street_id", "park_id"):
                value = row.facts[IDX[name]]
                if isinstance(value, NewRegion):
                    row.facts[IDX[name]] = ids[value]
        plan.new_orgs = {
            (ids.get(street, street), name): {**spec, "park": ids.get(spec["park"], spec["park"])}
            for (street, name), spec in plan.new_orgs.items()
        }
        plan.links = [
            ((ids.get(target[0], target[0]), target[1]) if isinstance(target, tuple) else target, code)
            for target, code in plan.links
        ]


def _json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _write(
    rows: list[Row], plan: _LinkPlan, *, year: int, batch: ImportBatch, ctx: _Context, report: SurveyReport
) -> dict:
    undo: dict[str, Any] = {}
    _resolve_regions(rows, plan, ctx, undo, report)
    ledger = [r for r in rows if r.touch_ledger]
    undo["enterprises_updated"] = {
        str(r.enterprise_id): {
            "latest_survey_year": None,
            **{f: _json_value(old) for f, (old, _new) in r.diff.items()},
        }
        for r in ledger
        if r.enterprise_id is not None
    }
    # The previous latest year, to restore it exactly.
    if undo["enterprises_updated"]:
        for pk, latest in _select_by_keys(
            "id, latest_survey_year", Enterprise._meta.db_table, "id", [int(k) for k in undo["enterprises_updated"]]
        ):
            undo["enterprises_updated"][str(pk)]["latest_survey_year"] = latest
    with bulk_load() as checks:
        _write_all(rows, ledger, plan, year=year, batch=batch, undo=undo, report=report, checks=checks)
    return undo


def _write_all(
    rows: list[Row], ledger: list[Row], plan: _LinkPlan, *, year, batch, undo: dict, report, checks: ReferenceChecks
) -> None:
    writer = _CopyWriter(checks) if connection.vendor == "postgresql" else _OrmWriter()
    on = survey_date_for(year)
    new = [r for r in ledger if r.enterprise_id is None]
    ids = writer.insert_new(new, year=year, on=on, batch_id=batch.pk)
    for row in new:
        row.enterprise_id = ids[row.code]
    writer.update_enterprises([r for r in ledger if r.status != "new"], year=year)
    undo["enterprises_created"] = [r.enterprise_id for r in rows if r.status == "new"]

    survey_rows, existing_surveys, undo["surveys_updated"] = _plan_surveys(rows, year=year)
    writer.upsert_surveys(
        survey_rows,
        year=year,
        on=on,
        batch_id=batch.pk,
        existing={enterprise_id: values[0] for enterprise_id, values in existing_surveys.items()},
    )
    report.surveys_written = len(survey_rows) + len(new)

    _write_links(rows, plan, writer=writer, batch=batch, on=on, undo=undo)


def _plan_surveys(
    rows: list[Row], *, year: int, new_written: bool = True
) -> tuple[list[Row], dict[int, tuple], dict[str, dict]]:
    """That year's snapshot is written where it is absent or different;
    the previous values of what it overwrites are kept for a rollback. New
    enterprises get theirs with the enterprise (`insert_new`) unless
    `new_written` is False (a preview counting what would be written)."""
    on = survey_date_for(year)
    existing_surveys: dict[int, tuple] = {}
    converters = _converters(EnterpriseSurvey)
    for values in _select_by_keys(
        f"enterprise_id, id, batch_id, survey_date, {_fact_columns(EnterpriseSurvey)}",
        EnterpriseSurvey._meta.db_table,
        "enterprise_id",
        [r.enterprise_id for r in rows if r.enterprise_id is not None and r.status != "new"],
        extra=f" AND year = {int(year)}",
    ):
        survey_day = values[3] if isinstance(values[3], date) else date.fromisoformat(values[3])
        existing_surveys[values[0]] = (values[1], values[2], survey_day, *_convert(values[4:], converters))
    survey_rows = []
    overwritten: dict[str, dict] = {}
    for row in rows:
        if row.status == "new" and new_written:
            continue
        before = existing_surveys.get(row.enterprise_id) if row.enterprise_id is not None else None
        if before is None:
            survey_rows.append(row)
            continue
        survey_id, batch_id, survey_day, *facts = before
        if facts != row.facts or survey_day != on:
            survey_rows.append(row)
            overwritten[str(survey_id)] = {
                "batch_id": batch_id,
                "survey_date": survey_day.isoformat(),
                **{f: _json_value(v) for f, v in zip(FACTS, facts, strict=True)},
            }
    return survey_rows, existing_surveys, overwritten


def _write_links(rows: list[Row], plan: _LinkPlan, *, writer, batch: ImportBatch, on: date, undo: dict) -> None:
    ids = {r.code: r.enterprise_id for r in rows}
    created: dict[tuple, int] = {}
    if plan.new_orgs:
        specs = [
            (
                name[:200],
                PartyOrganization.Type.JOINT_BRANCH.value
                if spec["mode"] == FormationMode.JOINT
                else PartyOrganization.Type.BRANCH.value,
                FormationMode(spec["mode"]).value,
                street,
                spec["park"] if isinstance(spec["park"], int) else None,
                (spec["secretary"] or "")[:50],
                spec["placeholder"],
            )
            for (street, name), spec in plan.new_orgs.items()
        ]
        writer.insert_organizations(specs, batch_id=batch.pk)
        created = {
            (street, name): pk
            for pk, street, name in PartyOrganization.objects.filter(batch=batch)
            .order_by()
            .values_list("id", "street_id", "name")
        }
        writer.checks.owned(PartyOrganization, created.values())
    pairs = [(target if isinstance(target, int) else created[target], ids[code]) for target, code in plan.links]
    writer.insert_links(pairs, fresh={r.enterprise_id for r in rows if r.status == "new"})
    undo["links_added"] = pairs
    writer.insert_assignments([ids[code] for code in plan.assignments], on=on, batch_id=batch.pk)


ORG_COLUMNS = ["name", "org_type", "formation_mode", "street_id", "park_id", "secretary_name", "needs_completion"]


class _OrmWriter:
    """bulk_create / bulk_update in chunks: SQLite and any other database."""

    checks = ReferenceChecks(enabled=False)  # the database checks every row itself

    def insert_organizations(self, specs: list[tuple], *, batch_id: int) -> None:
        PartyOrganization.objects.bulk_create(
            [PartyOrganization(batch_id=batch_id, **dict(zip(ORG_COLUMNS, spec, strict=True))) for spec in specs],
            batch_size=1000,
        )

    def insert_links(self, pairs: list[tuple[int, int]], *, fresh: set[int]) -> None:
        through = PartyOrganization.enterprises.through
        through.objects.bulk_create(
            [through(partyorganization_id=org, enterprise_id=ent) for org, ent in pairs],
            batch_size=2000,
            ignore_conflicts=True,
        )

    def insert_assignments(self, enterprise_ids: list[int], *, on: date, batch_id: int) -> None:
        InstructorAssignment.objects.bulk_create(
            [InstructorAssignment(enterprise_id=pk, start_on=on, batch_id=batch_id) for pk in enterprise_ids],
            batch_size=2000,
        )

    def insert_new(self, rows: list[Row], *, year: int, on: date, batch_id: int) -> dict[str, int]:
        """New enterprises and that year's snapshot of each."""
        Enterprise.objects.bulk_create(
            [
                Enterprise(credit_code=r.code, latest_survey_year=year, **dict(zip(FACTS, r.facts, strict=True)))
                for r in rows
            ],
            batch_size=500,
        )
        ids = {}
        for chunk in _chunks([r.code for r in rows]):
            ids.update(Enterprise.objects.filter(credit_code__in=chunk).values_list("credit_code", "id"))
        self._snapshots([(ids[r.code], r.facts) for r in rows], year=year, on=on, batch_id=batch_id)
        return ids

    @staticmethod
    def _snapshots(rows: list[tuple[int, list]], *, year: int, on: date, batch_id: int) -> None:
        """That year's snapshot of each (enterprise id, facts)."""
        EnterpriseSurvey.objects.bulk_create(
            [
                EnterpriseSurvey(
                    enterprise_id=pk,
                    year=year,
                    survey_date=on,
                    batch_id=batch_id,
                    **dict(zip(FACTS, facts, strict=True)),
                )
                for pk, facts in rows
            ],
            batch_size=500,
        )

    def update_enterprises(self, rows: list[Row], *, year: int) -> None:
        changed = [
            Enterprise(pk=r.enterprise_id, latest_survey_year=year, **dict(zip(FACTS, r.facts, strict=True)))
            for r in rows
        ]
        now = timezone.now()
        for obj in changed:
            obj.updated_at = now
        Enterprise.objects.bulk_update(changed, [*FACTS, "latest_survey_year", "updated_at"], batch_size=500)

    def upsert_surveys(self, rows: list[Row], *, year: int, on: date, batch_id: int, existing=None) -> None:
        ids = [r.enterprise_id for r in rows]
        for chunk in _chunks(ids):
            EnterpriseSurvey.objects.filter(year=year, enterprise_id__in=chunk).delete()
        self._snapshots([(r.enterprise_id, r.facts) for r in rows], year=year, on=on, batch_id=batch_id)


class _CopyWriter:
    """PostgreSQL: rows go over the wire once, by COPY (into the table
    itself where nothing can conflict, else into a temporary table shaped
    like it), and one set-based statement moves them. Constraints and types
    are the real table's, so a bad value fails the whole transaction, not
    half of it. Every foreign key written is noted on `checks` (bulkload.py)."""

    def __init__(self, checks: ReferenceChecks):
        self.checks = checks

    def _copy(self, cursor, table: str, columns: list[str], rows, *, model) -> None:
        rows = list(rows)
        self.checks.note(model, columns, rows)
        # CSV through the C csv writer: None is written as an empty unquoted
        # field (NULL), and FORCE_NOT_NULL reads an empty field of a NOT NULL
        # text column as "" instead, so the two never mix up.
        text = {
            f.column
            for f in model._meta.concrete_fields
            if not f.null and f.get_internal_type() in ("CharField", "TextField")
        }
        not_null = [c for c in columns if c in text]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        buffer.seek(0)
        options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else "")
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH ({options})", buffer)
        self.checks.verify()

    def insert_organizations(self, specs: list[tuple], *, batch_id: int) -> None:
        # Columns without a value here are nullable; booleans get the model's defaults.
        now = timezone.now().isoformat()
        with connection.cursor() as cursor:
            self._copy(
                cursor,
                PartyOrganization._meta.db_table,
                [*ORG_COLUMNS, "has_committee", "has_groups", "batch_id", "created_at"],
                ((*spec, False, False, batch_id, now) for spec in specs),
                model=PartyOrganization,
            )

    def insert_links(self, pairs: list[tuple[int, int]], *, fresh: set[int]) -> None:
        """Links of enterprises created by this import (`fresh`) cannot be
        there yet and are COPied straight in; the others may be."""
        through = PartyOrganization.enterprises.through
        columns = ["partyorganization_id", "enterprise_id"]
        with connection.cursor() as cursor:
            self._copy(cursor, through._meta.db_table, columns, (p for p in pairs if p[1] in fresh), model=through)
            pairs = [p for p in pairs if p[1] not in fresh]
            if not pairs:
                return
            cursor.execute(
                "CREATE TEMP TABLE tmp_survey_links (partyorganization_id bigint, enterprise_id bigint) ON COMMIT DROP"
            )
            self._copy(cursor, "tmp_survey_links", ["partyorganization_id", "enterprise_id"], pairs, model=through)
            cursor.execute(
                f"INSERT INTO {through._meta.db_table} (partyorganization_id, enterprise_id) "
                f"SELECT partyorganization_id, enterprise_id FROM tmp_survey_links ON CONFLICT DO NOTHING"
            )
            cursor.execute("DROP TABLE tmp_survey_links")

    def insert_assignments(self, enterprise_ids: list[int], *, on: date, batch_id: int) -> None:
        day = on.isoformat()
        with connection.cursor() as cursor:
            self._copy(
                cursor,
                InstructorAssignment._meta.db_table,
                ["enterprise_id", "start_on", "batch_id", "instructor_name"],
                ((pk, day, batch_id, "") for pk in enterprise_ids),
                model=InstructorAssignment,
            )

    def _update_from(self, cursor, table: str, key: str, columns: list[str], rows, *, model, extra: str = "") -> None:
        """UPDATE the rows named by `key` from a temporary table filled by COPY."""
        cursor.execute(
            f"CREATE TEMP TABLE tmp_survey_update ON COMMIT DROP AS "
            f"SELECT {key}, {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        self._copy(cursor, "tmp_survey_update", [key, *columns], rows, model=model)
        sets = ", ".join(f"{c} = u.{c}" for c in columns)
        cursor.execute(f"UPDATE {table} t SET {sets}{extra} FROM tmp_survey_update u WHERE t.{key} = u.{key}")
        cursor.execute("DROP TABLE tmp_survey_update")

    def insert_new(self, rows: list[Row], *, year: int, on: date, batch_id: int) -> dict[str, int]:
        """New enterprises and that year's snapshot of each: the rows go once
        over the wire, COPied into a temporary table, and one statement
        inserts both and says which id each credit code got. A code that
        appeared meanwhile fails the unique index and the whole transaction."""
        if not rows:
            return {}
        facts = _fact_columns(Enterprise)
        staged = ", ".join(f"s.{c}" for c in facts.split(", "))
        enterprise, survey = Enterprise._meta.db_table, EnterpriseSurvey._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE tmp_survey_new ON COMMIT DROP AS "
                f"SELECT credit_code, {facts} FROM {enterprise} WITH NO DATA"
            )
            self._copy(
                cursor, "tmp_survey_new", ["credit_code", *FACTS], ((r.code, *r.facts) for r in rows), model=Enterprise
            )
            self.checks.note(EnterpriseSurvey, ["batch_id"], [(batch_id,)])
            self.checks.verify()
            cursor.execute(
                f"WITH new AS ("
                f" INSERT INTO {enterprise} (credit_code, latest_survey_year, {facts}, created_at, updated_at)"
                f" SELECT s.credit_code, %s, {staged}, now(), now() FROM tmp_survey_new s"
                f" RETURNING id, credit_code, {facts}"
                f"), snapshot AS ("
                f" INSERT INTO {survey} (enterprise_id, year, survey_date, batch_id, {facts})"
                f" SELECT id, %s, %s, %s, {facts} FROM new"
                f") SELECT credit_code, id FROM new",
                [year, year, on, batch_id],
            )
            ids = dict(cursor.fetchall())
            cursor.execute("DROP TABLE tmp_survey_new")  # ON COMMIT is too late inside a savepoint
        self.checks.owned(Enterprise, ids.values())
        return ids

    def update_enterprises(self, rows: list[Row], *, year: int) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            self._update_from(
                cursor,
                Enterprise._meta.db_table,
                "id",
                ["latest_survey_year", *FACTS],
                ((r.enterprise_id, year, *r.facts) for r in rows),
                model=Enterprise,
                extra=", updated_at = now()",
            )
        self.checks.owned(Enterprise, (r.enterprise_id for r in rows))

    def upsert_surveys(
        self, rows: list[Row], *, year: int, on: date, batch_id: int, existing: dict[int, int] | None = None
    ) -> None:
        table = EnterpriseSurvey._meta.db_table
        columns = ["survey_date", "batch_id", *FACTS]
        existing = existing or {}
        day = on.isoformat()
        with connection.cursor() as cursor:
            new = [r for r in rows if r.enterprise_id not in existing]
            # The ledger already holds these facts: copy them server-side
            # instead of sending 100,000 rows over the wire a second time.
            same = [r.enterprise_id for r in new if r.ledger_matches]
            if same:
                # Copied from the ledger row, so these are the keys it holds.
                self.checks.note(
                    EnterpriseSurvey,
                    ["enterprise_id", "batch_id", *FACTS],
                    [(r.enterprise_id, batch_id, *r.facts) for r in new if r.ledger_matches],
                )
                self.checks.verify()
                facts = ", ".join("e." + c for c in _fact_columns(Enterprise).split(", "))
                array, ids = _key_array(same)
                cursor.execute(
                    f"INSERT INTO {table} (enterprise_id, year, {', '.join(columns)}) "
                    f"SELECT e.id, %s, %s, %s, {facts} "
                    f"FROM {Enterprise._meta.db_table} e JOIN unnest({array}) AS k(key) ON e.id = k.key",
                    [year, day, batch_id, ids],
                )
            other = [r for r in new if not r.ledger_matches]
            if other:
                self._copy(
                    cursor,
                    table,
                    ["enterprise_id", "year", *columns],
                    ((r.enterprise_id, year, day, batch_id, *r.facts) for r in other),
                    model=EnterpriseSurvey,
                )
            changed = [r for r in rows if r.enterprise_id in existing]
            if changed:
                self._update_from(
                    cursor,
                    table,
                    "id",
                    columns,
                    ((existing[r.enterprise_id], day, batch_id, *r.facts) for r in changed),
                    model=EnterpriseSurvey,
                )


# --- the page's batch life cycle and rollback -------------------------------


def survey_batch_open(
    *, upload, year: int, by: User, street: Region | None, strict: bool = False, create_streets: bool = False
) -> ImportBatch:
    """Keep an uploaded file as a batch waiting for its check. The file is
    refused here (nothing kept) when it is too big, not a spreadsheet, a zip
    bomb or has no header row."""
    importer_check(by=by, street=street)
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("年度应在2000至2100之间"))
    from .reader import check_size

    check_size(upload.size)
    name = os.path.basename(upload.name or "survey")
    with transaction.atomic():
        batch = ImportBatch(
            kind=ImportBatch.Kind.SURVEY,
            year=year,
            street=street,
            file_name=name[:255],
            file_hash="",
            created_by=by,
            status=ImportBatch.Status.CHECKING,
            strict=strict,
            create_streets=create_streets and street is None,
            progress_note=_("等待校验"),
        )
        batch.source.save(name, File(upload), save=False)
        try:
            open_survey(batch.source.path, file_name=name)
        except SurveyFileError:
            batch.source.delete(save=False)
            raise
        batch.file_hash = file_sha256(batch.source.path)
        batch.save()
    return batch


def _progress_writer(batch: ImportBatch) -> Callable[[int, str], None]:
    def write(pct: int, note: str) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=pct, progress_note=(note or "")[:100])

    return write


def survey_batch_process(*, batch: ImportBatch, commit: bool) -> ImportBatch:
    """Check (commit=False) or import (commit=True) a kept batch. Called by the Celery task."""
    try:
        survey_import(
            path=batch.source.path,
            file_name=batch.file_name,
            year=batch.year,
            by=batch.created_by,
            dry_run=not commit,
            strict=batch.strict,
            create_streets=batch.create_streets,
            street=batch.street,
            batch=batch,
            progress=_progress_writer(batch),
        )
    except ApplicationError as exc:
        _batch_failed(batch, "；".join(exc.messages))
    except Exception:
        # A page polling this batch must not wait forever on a crashed task.
        logger.exception("survey batch %s failed", batch.pk)
        _batch_failed(batch, _("导入失败：系统内部错误，已记录日志，请联系管理员。未写入任何数据。"))
    return batch


def _batch_failed(batch: ImportBatch, message: str) -> None:
    batch.refresh_from_db()
    batch.status = ImportBatch.Status.FAILED
    batch.report = {**batch.report, "error": message}
    batch.progress = 100
    batch.save(update_fields=["status", "report", "progress"])


@transaction.atomic
def survey_batch_confirm(*, batch: ImportBatch, by: User) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    importer_check(by=by, street=batch.street)
    if batch.status != ImportBatch.Status.PREVIEW:
        raise ApplicationError(_("该批次当前不是待确认状态"))
    if batch.strict and batch.rejected:
        raise ApplicationError(_("严格模式下存在不合格的行，不能导入；请修正后重新上传"))
    batch.status = ImportBatch.Status.RUNNING
    batch.progress = 0
    batch.progress_note = _("等待导入")
    batch.save(update_fields=["status", "progress", "progress_note"])
    return batch


@transaction.atomic
def survey_batch_rollback(*, batch: ImportBatch, by: User | None) -> ImportBatch:
    """Undo a committed batch as a whole: what it created goes, what it
    changed gets its previous values back. Only the latest committed survey
    batch can be undone, so no later import is silently undone with it."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    importer_check(by=by, street=batch.street)
    if batch.status != ImportBatch.Status.COMMITTED:
        raise ApplicationError(_("只有已导入的批次可以撤销"))
    later = ImportBatch.objects.filter(
        kind=ImportBatch.Kind.SURVEY, status=ImportBatch.Status.COMMITTED, committed_at__gt=batch.committed_at
    )
    if later.exists():
        raise ApplicationError(_("之后还有已导入的排查批次，请先撤销较晚的批次"))
    undo = batch.undo or {}
    try:
        InstructorAssignment.objects.filter(batch=batch).delete()
        through = PartyOrganization.enterprises.through
        for chunk in _chunks(undo.get("links_added", [])):
            q = Q(pk__in=[])
            for org_id, enterprise_id in chunk:
                q |= Q(partyorganization_id=org_id, enterprise_id=enterprise_id)
            through.objects.filter(q).delete()
        # Snapshots this batch wrote: restore the ones it overwrote, drop the rest.
        restored = {int(k): v for k, v in undo.get("surveys_updated", {}).items()}
        EnterpriseSurvey.objects.filter(batch=batch).exclude(pk__in=list(restored)).delete()
        if restored:
            objs = []
            for pk, values in restored.items():
                obj = EnterpriseSurvey(pk=pk, **{k: v for k, v in values.items()})
                objs.append(obj)
            EnterpriseSurvey.objects.bulk_update(objs, ["batch_id", "survey_date", *FACTS], batch_size=500)
        PartyOrganization.objects.filter(batch=batch).delete()
        updated = {int(k): v for k, v in undo.get("enterprises_updated", {}).items()}
        if updated:
            by_fields: dict[tuple, list[Enterprise]] = {}
            for pk, values in updated.items():
                by_fields.setdefault(tuple(sorted(values)), []).append(Enterprise(pk=pk, **values))
            for fields, objs in by_fields.items():
                Enterprise.objects.bulk_update(objs, list(fields), batch_size=500)
        for chunk in _chunks(undo.get("enterprises_created", [])):
            Enterprise.objects.filter(pk__in=chunk).delete()
        for pk in undo.get("regions", []):
            Region.objects.filter(pk=pk).delete()
    except ProtectedError:
        raise ApplicationError(
            _("该批次导入的企业或党组织已被其他记录（党员、组织生活等）引用，不能整体撤销；请逐条处理")
        )
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.save(update_fields=["status", "rolled_back_at"])
    audit_event(actor=by, instance=batch, event="survey_rolled_back", detail={"year": batch.year})
    return batch

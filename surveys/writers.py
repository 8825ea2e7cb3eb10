"""Writing (inside the import's one transaction): the plan carried out with
set-based statements. On PostgreSQL the rows go over the wire once, by
COPY into the tables or into temporary tables shaped like them, then one
INSERT ... RETURNING for new enterprises and their snapshots and one
UPDATE ... FROM for changed ones, with foreign keys checked per distinct
key (bulkload.py); bulk_create/bulk_update in chunks elsewhere. The number
of queries does not grow with the number of rows (chunked lookups aside),
which is what makes 100,000 rows take seconds (BENCHMARKS.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from orgs.models import (
    Enterprise,
    EnterpriseSurvey,
    FormationMode,
    ImportBatch,
    InstructorAssignment,
    PartyOrganization,
    Region,
)

from .bulkload import ReferenceChecks, bulk_load
from .plan import LinkPlan, plan_surveys
from .report import FACTS, IDX, JsonChunks, NewRegion, Row, SurveyReport, chunks, survey_date_for
from .sql import fact_columns, key_array, select_by_keys, stored_facts, undo_value
from .validate import Context

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper


def survey_write(
    rows: list[Row], plan: LinkPlan, *, year: int, batch: ImportBatch, ctx: Context, report: SurveyReport
) -> dict[str, Any]:
    """Carry the plan out inside the caller's transaction: new streets and
    parks first, then enterprises, snapshots, organizations, links and
    assignments. Returns what a rollback of the batch needs (`ImportBatch.undo`)."""
    undo: dict[str, Any] = {}
    _resolve_regions(rows, plan, ctx, undo, report)
    ledger = [r for r in rows if r.touch_ledger]
    # The previous values of what changes and the previous latest year (to
    # restore it exactly), kept as JSON text a chunk at a time.
    updated = JsonChunks()
    for part in chunks([r for r in ledger if r.enterprise_id is not None]):
        latest = dict(
            select_by_keys("id, latest_survey_year", Enterprise._meta.db_table, "id", [r.enterprise_id for r in part])
        )
        for r in part:
            previous = {FACTS[i]: undo_value(FACTS[i], old) for i, old, _new in r.diff}
            updated.append((str(r.enterprise_id), {"latest_survey_year": latest.get(r.enterprise_id), **previous}))
    undo["enterprises_updated"] = updated
    with bulk_load() as checks:
        _write_all(rows, ledger, plan, year=year, batch=batch, undo=undo, report=report, checks=checks)
    return undo


def _resolve_regions(rows: list[Row], plan: LinkPlan, ctx: Context, undo: dict[str, Any], report: SurveyReport) -> None:
    new_streets = sorted({r.facts[IDX["street_id"]] for r in rows if isinstance(r.facts[IDX["street_id"]], NewRegion)},
                         key=lambda n: n.name)  # fmt: skip
    ids: dict[NewRegion, int] = {}
    if new_streets:
        district: Region | None = None
        if any(new.parent is None for new in new_streets):
            # No district named: the installation's own district, or its first.
            district = Region.objects.filter(kind=Region.Kind.DISTRICT, parent__isnull=True).order_by("pk").first()
            if district is None:
                district = Region.objects.create(name=settings.DISTRICT_NAME, kind=Region.Kind.DISTRICT)
                undo["regions"] = [district.pk]
        for new in new_streets:
            # A new street of the row's district (DESIGN.md §8), else of the installation's.
            parent = new.parent if new.parent is not None else district.pk  # type: ignore[union-attr]
            region = Region.objects.create(name=new.name, kind=Region.Kind.STREET, parent_id=parent)
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
        places = (IDX["street_id"], IDX["park_id"])
        for row in rows:
            if any(isinstance(row.facts[i], NewRegion) for i in places):
                row.facts = tuple(
                    ids[v] if i in places and isinstance(v, NewRegion) else v for i, v in enumerate(row.facts)
                )
        plan.new_orgs = {
            (ids.get(street, street), name): {**spec, "park": ids.get(spec["park"], spec["park"])}
            for (street, name), spec in plan.new_orgs.items()
        }
        plan.links = [
            ((ids.get(target[0], target[0]), target[1]) if isinstance(target, tuple) else target, code)
            for target, code in plan.links
        ]


def _write_all(
    rows: list[Row],
    ledger: list[Row],
    plan: LinkPlan,
    *,
    year: int,
    batch: ImportBatch,
    undo: dict[str, Any],
    report: SurveyReport,
    checks: ReferenceChecks,
) -> None:
    writer = CopyWriter(checks) if connection.vendor == "postgresql" else OrmWriter()
    on = survey_date_for(year)
    new = [r for r in ledger if r.enterprise_id is None]
    ids = writer.insert_new(new, year=year, on=on, batch_id=batch.pk)
    for row in new:
        row.enterprise_id = ids[row.code]
    writer.update_enterprises([r for r in ledger if r.status != "new"], year=year)
    undo["enterprises_created"] = [r.enterprise_id for r in rows if r.status == "new"]

    survey_rows, existing_surveys, undo["surveys_updated"] = plan_surveys(rows, year=year)
    writer.upsert_surveys(
        survey_rows,
        year=year,
        on=on,
        batch_id=batch.pk,
        existing=existing_surveys,
    )
    report.surveys_written = len(survey_rows) + len(new)

    _write_links(rows, plan, writer=writer, batch=batch, on=on, undo=undo)


def _write_links(
    rows: list[Row], plan: LinkPlan, *, writer: Writer, batch: ImportBatch, on: date, undo: dict[str, Any]
) -> None:
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


COPY_ROWS = 5_000
ORG_COLUMNS = ["name", "org_type", "formation_mode", "street_id", "park_id", "secretary_name", "needs_completion"]


class OrmWriter:
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
        for chunk in chunks([r.code for r in rows]):
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

    def upsert_surveys(
        self, rows: list[Row], *, year: int, on: date, batch_id: int, existing: dict[int, int] | None = None
    ) -> None:
        # An existing snapshot is updated in place, as CopyWriter does: the
        # batch's rollback data gives its previous values back by its id.
        existing = existing or {}
        changed = [
            EnterpriseSurvey(
                pk=existing[r.enterprise_id],
                survey_date=on,
                batch_id=batch_id,
                **dict(zip(FACTS, r.facts, strict=True)),
            )
            for r in rows
            if r.enterprise_id in existing
        ]
        EnterpriseSurvey.objects.bulk_update(changed, ["survey_date", "batch_id", *FACTS], batch_size=500)
        new = [(r.enterprise_id, r.facts) for r in rows if r.enterprise_id not in existing]
        self._snapshots(new, year=year, on=on, batch_id=batch_id)


class CopyWriter:
    """PostgreSQL: rows go over the wire once, by COPY (into the table
    itself where nothing can conflict, else into a temporary table shaped
    like it), and one set-based statement moves them. Constraints and types
    are the real table's, so a bad value fails the whole transaction, not
    half of it. Every foreign key written is noted on `checks` (bulkload.py)."""

    def __init__(self, checks: ReferenceChecks) -> None:
        self.checks = checks

    def _copy(
        self,
        cursor: CursorWrapper,
        table: str,
        columns: list[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        model: type[Model],
    ) -> None:
        # CSV through the C csv writer: None is written as an empty unquoted
        # field (NULL), and FORCE_NOT_NULL reads an empty field of a NOT NULL
        # text column as "" instead, so the two never mix up.
        text = {
            f.column
            for f in model._meta.concrete_fields
            if not f.null and f.get_internal_type() in ("CharField", "TextField")
        }
        not_null = [c for c in columns if c in text]
        options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else "")
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH ({options})"
        # A COPY per COPY_ROWS rows: the CSV text of 300,000 rows at once
        # (a StringIO holds four bytes a character) would be about 250 MB,
        # of 20,000 rows some 20 MB.
        rows = iter(rows)
        while chunk := list(islice(rows, COPY_ROWS)):
            self.checks.note(model, columns, chunk)
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(chunk)
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            del buffer, chunk
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

    def update_from(
        self,
        cursor: CursorWrapper,
        table: str,
        key: str,
        columns: list[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        model: type[Model],
        extra: str = "",
    ) -> int:
        """UPDATE the rows named by `key` from a temporary table filled by
        COPY; how many were updated."""
        cursor.execute(
            f"CREATE TEMP TABLE tmp_survey_update ON COMMIT DROP AS "
            f"SELECT {key}, {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        self._copy(cursor, "tmp_survey_update", [key, *columns], rows, model=model)
        sets = ", ".join(f"{c} = u.{c}" for c in columns)
        cursor.execute(f"UPDATE {table} t SET {sets}{extra} FROM tmp_survey_update u WHERE t.{key} = u.{key}")
        updated = cursor.rowcount
        cursor.execute("DROP TABLE tmp_survey_update")
        return updated

    def insert_new(self, rows: list[Row], *, year: int, on: date, batch_id: int) -> dict[str, int]:
        """New enterprises and that year's snapshot of each: the rows go once
        over the wire, COPied into a temporary table, and one statement
        inserts both and says which id each credit code got. A code that
        appeared meanwhile fails the unique index and the whole transaction."""
        if not rows:
            return {}
        facts = fact_columns(Enterprise)
        staged = ", ".join(f"s.{c}" for c in facts.split(", "))
        enterprise, survey = Enterprise._meta.db_table, EnterpriseSurvey._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE tmp_survey_new ON COMMIT DROP AS "
                f"SELECT credit_code, {facts} FROM {enterprise} WITH NO DATA"
            )
            self._copy(
                cursor,
                "tmp_survey_new",
                ["credit_code", *FACTS],
                ((r.code, *stored_facts(r.facts)) for r in rows),
                model=Enterprise,
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
            self.update_from(
                cursor,
                Enterprise._meta.db_table,
                "id",
                ["latest_survey_year", *FACTS],
                ((r.enterprise_id, year, *stored_facts(r.facts)) for r in rows),
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
                facts = ", ".join("e." + c for c in fact_columns(Enterprise).split(", "))
                array, ids = key_array(same)
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
                    ((r.enterprise_id, year, day, batch_id, *stored_facts(r.facts)) for r in other),
                    model=EnterpriseSurvey,
                )
            changed = [r for r in rows if r.enterprise_id in existing]
            if changed:
                self.update_from(
                    cursor,
                    table,
                    "id",
                    columns,
                    ((existing[r.enterprise_id], day, batch_id, *stored_facts(r.facts)) for r in changed),
                    model=EnterpriseSurvey,
                )


# The writer for the database at hand: the same calls, the same outcome.
Writer = OrmWriter | CopyWriter

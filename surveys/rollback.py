"""Rolling back a committed survey batch as a whole (DESIGN.md §11): what it
created goes, what it changed gets its previous values back.

Two steps. `survey_batch_rollback_start` (the page's request) checks who
asks and that the batch may be undone, and marks it ROLLING_BACK;
`survey_batch_rollback_run` (a Celery task, `survey_rollback_task`) undoes
it in one transaction with set-based statements: a statement per kind of
row and per chunk of the rollback data, never one per row, and no per-row
audit entries (raw SQL sends no signals), then one audit event for the
batch with what was undone.

What references the rows a rollback deletes, relation by relation (the
reverse relations of the models in UNDONE; a test keeps the list whole):

- the organization–enterprise links: Django's CASCADE, which Django carries
  out in Python, so the statements here delete them first (the links the
  batch added, and any other link of an organization or enterprise it
  created: `CASCADED`);
- the batch's own snapshots and instructor assignments: deleted by batch;
- an alliance's joint activities an imported organization attended: the
  many-to-many link is CASCADE in Django, but the raw DELETE does not
  cascade, so its foreign key refuses the rollback (`REFUSED_BY_CONSTRAINT`);
- everything else is PROTECT (members, transfers, activities, fund accounts
  and applications, elections, ratings, warnings, proposals, role grants,
  instructor visits, another batch's snapshot or assignment, a child
  organization or region, a batch naming a street ...). The database's
  foreign keys (NO ACTION, deferred to the commit) are checked before the
  commit; one violation refuses the whole rollback and nothing changes.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.errors import ApplicationError
from core.jobs import JobNotQueued
from orgs.audit import audit_event
from orgs.models import Enterprise, EnterpriseSurvey, ImportBatch, InstructorAssignment, PartyOrganization, Region, User

from .batches import batch_district
from .bulkload import ReferenceChecks
from .finish import undo_chunks
from .report import ADVISORY_LOCK_KEY, SURVEY_UNDO_FIELDS
from .services import importer_check
from .sql import delete_by_keys, delete_pairs
from .writers import CopyWriter

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
ROLLBACK_JOB = "survey_rollback"

# The models whose rows a rollback deletes.
UNDONE: tuple[type[Model], ...] = (Enterprise, PartyOrganization, EnterpriseSurvey, Region, InstructorAssignment)
# Reverse relations ("app.Model.field") deleted along with their target, as
# Django's CASCADE would: the links of an organization or enterprise.
CASCADED = frozenset(
    {"orgs.PartyOrganization_enterprises.partyorganization", "orgs.PartyOrganization_enterprises.enterprise"}
)
# Reverse relations Django would cascade but the rollback leaves to the
# database: the raw DELETE does not cascade, so the deferred foreign key
# refuses the rollback (an imported organization that attended an
# alliance's joint activity is part of that activity's record).
# Likewise an imported organization's 交叉任职 or entered manager counts
# (people): records kept about it after the import.
REFUSED_BY_CONSTRAINT = frozenset(
    {
        "alliances.JointActivity_organizations.partyorganization",
        "people.CrossAppointment.organization",
        "people.ManagerCount.organization",
    }
)


def referenced_message() -> str:
    return _("该批次导入的企业或党组织已被其他记录（党员、组织生活等）引用，不能整体撤销；请逐条处理")


def _check_latest(batch: ImportBatch) -> None:
    """Only the latest committed survey batch can be undone, so no later
    import is silently undone with it (a later one being rolled back counts
    until it is done: the tasks may run in either order)."""
    later = ImportBatch.objects.filter(
        kind=ImportBatch.Kind.SURVEY,
        status__in=[ImportBatch.Status.COMMITTED, ImportBatch.Status.ROLLING_BACK],
        committed_at__gt=batch.committed_at,
    )
    own = batch_district(batch)
    if own is not None:
        # Another district's batch changed nothing of this one (its rows of
        # this district were refused); a city's file or an older batch may have.
        later = later.filter(Q(district=own) | Q(district__isnull=True) | ~Q(district__kind=Region.Kind.DISTRICT))
    if later.exists():
        raise ApplicationError(_("之后还有已导入的排查批次，请先撤销较晚的批次"))


@transaction.atomic
def survey_batch_rollback_start(*, batch: ImportBatch, by: User | None) -> ImportBatch:
    """Check that `by` may undo this batch and that it may be undone now,
    and mark it ROLLING_BACK for `survey_batch_rollback_run`."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    importer_check(by=by, street=batch.street, district=batch_district(batch))
    if batch.status != ImportBatch.Status.COMMITTED:
        raise ApplicationError(_("只有已导入的批次可以撤销"))
    _check_latest(batch)
    # A refusal of an earlier try is no longer the news.
    report = {k: v for k, v in (batch.report or {}).items() if k != "error"}
    # update(), not save(): the state changes of a rollback are not diffed
    # into the audit log one by one; the rollback is one audit event.
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.ROLLING_BACK,
        progress=0,
        progress_note=_("等待撤销"),
        report=report,
        queued_at=timezone.now(),
        started_at=None,
        heartbeat_at=None,
    )
    batch.refresh_from_db()
    return batch


def survey_batch_rollback_run(*, batch: ImportBatch, by: User | None, progress: Progress | None = None) -> ImportBatch:
    """Undo a batch marked ROLLING_BACK, in one transaction. On success the
    batch is ROLLED_BACK; when the rollback is refused (a row it would
    delete is referenced, a later batch was imported meanwhile) or fails,
    nothing has changed: the batch is COMMITTED again with the message in
    `report["error"]`, and the error is raised. A batch not ROLLING_BACK
    (a task delivered twice) is left as it is."""
    notify = progress or (lambda pct, note: None)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One survey write at a time: no import interleaves with the undo.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            # Not locked FOR UPDATE: the progress is written on another
            # connection (`progress_outside`), which would wait for the lock.
            # The advisory lock keeps a second run out.
            batch = ImportBatch.objects.get(pk=batch.pk)
            if batch.status != ImportBatch.Status.ROLLING_BACK:
                logger.info("survey batch %s is %s, not rolling back: nothing to do", batch.pk, batch.status)
                return batch
            _check_latest(batch)
            counts = _undo(batch, notify)
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportBatch.Status.ROLLED_BACK, rolled_back_at=timezone.now(), progress=100, progress_note=""
            )
            audit_event(actor=by, instance=batch, event="survey_rolled_back", detail={"year": batch.year, **counts})
    except ApplicationError as exc:
        _back_to_committed(batch, "；".join(exc.messages))
        raise
    except SoftTimeLimitExceeded:
        minutes = jobs.soft_limit("rollback") // 60
        _back_to_committed(batch, _("撤销超过时限（%(m)d 分钟）已停止，未撤销任何数据；可再次撤销") % {"m": minutes})
        raise
    except Exception:
        logger.exception("rollback of survey batch %s failed", batch.pk)
        _back_to_committed(batch, _("撤销失败：系统内部错误，已记录日志，请联系管理员。未撤销任何数据。"))
        raise
    batch.refresh_from_db()
    return batch


def survey_batch_rollback_submit(*, batch: ImportBatch, by: User) -> ImportBatch:
    """The page: start the rollback and send it to a worker. When the broker
    cannot be reached the batch is committed again and the page says so."""
    from .tasks import survey_rollback_task  # the task module imports this one

    batch = survey_batch_rollback_start(batch=batch, by=by)
    try:
        jobs.send(survey_rollback_task, batch.pk, by.pk)
    except JobNotQueued:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.ROLLING_BACK).update(
            status=ImportBatch.Status.COMMITTED, progress=100, progress_note=""
        )
        raise
    batch.refresh_from_db()
    return batch


def survey_batch_rollback_work(*, batch_id: int, user_id: int | None) -> None:
    """The worker's entry: under the rollback's job lock (a message delivered
    twice finds it held), run the rollback with its progress on the page. A
    refusal is on the batch's page, not the worker's log."""
    with jobs.held(ROLLBACK_JOB, batch_id) as mine:
        if not mine:
            logger.warning("survey batch %s: another worker is rolling it back", batch_id)
            return
        now = timezone.now()
        claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.ROLLING_BACK).update(
            started_at=now, heartbeat_at=now
        )
        if not claimed:
            logger.warning("survey batch %s is no longer waiting to be rolled back", batch_id)
            return
        batch = ImportBatch.objects.get(pk=batch_id)
        by = User.objects.filter(pk=user_id).first() if user_id is not None else None
        try:
            survey_batch_rollback_run(batch=batch, by=by, progress=progress_outside(batch))
        except ApplicationError:
            pass


def survey_batch_rollback(*, batch: ImportBatch, by: User | None) -> ImportBatch:
    """Start and run a rollback in the caller's process (the command line, tests)."""
    batch = survey_batch_rollback_start(batch=batch, by=by)
    return survey_batch_rollback_run(batch=batch, by=by)


def _back_to_committed(batch: ImportBatch, message: str) -> None:
    """The undo's transaction rolled back: the batch is as imported, with why."""
    try:
        jobs.reconnect()  # a rollback that failed because its connection died
        batch.refresh_from_db()
        report = {**(batch.report or {}), "error": message}
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.ROLLING_BACK).update(
            status=ImportBatch.Status.COMMITTED, progress=100, progress_note="", report=report
        )
        batch.refresh_from_db()
    except DatabaseError:
        # The connection itself failed: the batch stays 撤销中 until it is retried or swept.
        logger.exception("survey batch %s could not be set back to committed", batch.pk)


def sweep_survey_rollbacks() -> int:
    """Commit again every batch whose rollback will never finish (DESIGN.md
    §11): sent but never taken, or taken by a worker that is gone (its job
    lock is free; where locks cannot tell, silent past the task's hard time
    limit). Its transaction died with it, so nothing was undone."""
    done = 0
    waiting = ImportBatch.objects.filter(kind=ImportBatch.Kind.SURVEY, status=ImportBatch.Status.ROLLING_BACK)
    for batch in waiting.only("pk", "created_at", "queued_at", "started_at", "heartbeat_at"):
        with jobs.stuck(
            ROLLBACK_JOB, batch.pk, limit="rollback", queued_at=batch.queued_at or batch.created_at,
            started_at=batch.started_at, heartbeat_at=batch.heartbeat_at,
        ) as verdict:  # fmt: skip
            if verdict == jobs.QUEUED:
                minutes = settings.JOB_QUEUE_TIMEOUT_SECONDS // 60
                message = _("撤销任务排队超过 %(m)d 分钟仍未开始，后台处理进程可能没有运行；未撤销任何数据，可再次撤销")
                done += _give_up(batch, message % {"m": minutes})
            elif verdict == jobs.GONE:
                message = _("后台处理进程在撤销中途停止（被终止、重启或失去数据库连接），未撤销任何数据；可再次撤销")
                done += _give_up(batch, message)
    return done


def _give_up(batch: ImportBatch, message: str) -> int:
    with transaction.atomic():
        fresh = (
            ImportBatch.objects.select_for_update()
            .filter(pk=batch.pk, status=ImportBatch.Status.ROLLING_BACK, started_at=batch.started_at)
            .first()
        )
        if fresh is None:
            return 0
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.COMMITTED,
            progress=100,
            progress_note="",
            report={**(fresh.report or {}), "error": message},
        )
    logger.warning("survey batch %s: rollback given up by the sweeper: %s", batch.pk, message)
    return 1


def progress_outside(batch: ImportBatch) -> Progress:
    """A progress writer the batch page sees while the rollback's one
    transaction is still open: each note is written on a connection of its
    own, in autocommit. PostgreSQL only: SQLite takes one writer at a time
    (and runs tasks inline, with nobody polling the page meanwhile)."""
    table = ImportBatch._meta.db_table

    def write(pct: int, note: str) -> None:
        if connection.vendor != "postgresql":
            return
        side = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with side.cursor() as cursor:
                # The rollback's transaction never waits on this one, but if
                # anything held the row, a progress note is not worth a hang.
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(
                    f"UPDATE {table} SET progress = %s, progress_note = %s, heartbeat_at = now() "
                    f"WHERE id = %s AND status = %s",
                    [pct, note[:100], batch.pk, ImportBatch.Status.ROLLING_BACK],
                )
        except DatabaseError:
            logger.warning("progress of survey batch %s not written", batch.pk, exc_info=True)
        finally:
            side.close()

    return write


# --- the undo -----------------------------------------------------------------------------------


def _undo(batch: ImportBatch, notify: Progress) -> dict[str, int]:
    """The set-based undo inside the caller's transaction; what was undone, per kind."""
    through = PartyOrganization.enterprises.through._meta.db_table
    pair = ("partyorganization_id", "enterprise_id")
    counts: dict[str, int] = {}
    try:
        with connection.cursor() as cursor:
            notify(5, _("正在撤销党建指导员选派和党组织覆盖关系"))
            cursor.execute(f"DELETE FROM {InstructorAssignment._meta.db_table} WHERE batch_id = %s", [batch.pk])
            counts["assignments_deleted"] = cursor.rowcount
            links = sum(delete_pairs(cursor, through, pair, chunk) for chunk in undo_chunks(batch, "links_added"))

            notify(20, _("正在恢复年度排查记录"))
            counts["surveys_restored"] = _update_rows(
                cursor,
                EnterpriseSurvey,
                list(SURVEY_UNDO_FIELDS),
                (
                    (int(pk), *_survey_values(values))
                    for chunk in undo_chunks(batch, "surveys_updated")
                    for pk, values in chunk
                ),
            )
            cursor.execute(f"DELETE FROM {EnterpriseSurvey._meta.db_table} WHERE batch_id = %s", [batch.pk])
            counts["surveys_deleted"] = cursor.rowcount

            notify(40, _("正在删除本批次新建的党组织"))
            organizations = PartyOrganization._meta.db_table
            cursor.execute(
                f"DELETE FROM {through} WHERE partyorganization_id IN "
                f"(SELECT id FROM {organizations} WHERE batch_id = %s)",
                [batch.pk],
            )
            links += cursor.rowcount
            cursor.execute(f"DELETE FROM {organizations} WHERE batch_id = %s", [batch.pk])
            counts["organizations_deleted"] = cursor.rowcount

            notify(55, _("正在恢复变更的企业"))
            counts["enterprises_restored"] = _restore_enterprises(cursor, batch)

            notify(70, _("正在删除本批次新增的企业"))
            enterprises = Enterprise._meta.db_table
            deleted = 0
            for chunk in undo_chunks(batch, "enterprises_created"):
                links += delete_by_keys(cursor, through, "enterprise_id", chunk)
                deleted += delete_by_keys(cursor, enterprises, "id", chunk)
            counts["enterprises_deleted"] = deleted
            counts["links_deleted"] = links

            # Parks, streets and a district at once: the keys between them are checked at the end.
            regions = [int(pk) for chunk in undo_chunks(batch, "regions") for pk in chunk]
            counts["regions_deleted"] = delete_by_keys(cursor, Region._meta.db_table, "id", regions)

            notify(90, _("正在检查其他记录的引用"))
            connection.check_constraints(table_names=referencing_tables())
    except IntegrityError as exc:
        if not _is_reference_error(exc):
            raise
        logger.info("rollback of survey batch %s refused: %s", batch.pk, exc)
        raise ApplicationError(referenced_message()) from exc
    return counts


def _survey_values(values: list | dict) -> list:
    """An overwritten snapshot's previous values in SURVEY_UNDO_FIELDS order
    (a dict in batches before that order was kept)."""
    return [values.get(f) for f in SURVEY_UNDO_FIELDS] if isinstance(values, dict) else values


def _restore_enterprises(cursor: Any, batch: ImportBatch) -> int:
    """Changed firms get their previous values of the facts that changed
    (and their previous latest survey year): one statement per set of
    changed facts, the firms grouped by it."""
    groups: dict[tuple[str, ...], list[tuple]] = {}
    for chunk in undo_chunks(batch, "enterprises_updated"):
        for pk, values in chunk:
            fields = tuple(sorted(values))
            groups.setdefault(fields, []).append((int(pk), *(values[f] for f in fields)))
    return sum(_update_rows(cursor, Enterprise, list(fields), rows, touch=True) for fields, rows in groups.items())


def _update_rows(
    cursor: Any, model: type[Model], columns: list[str], rows: Iterable[tuple[Any, ...]], *, touch: bool = False
) -> int:
    """UPDATE `model`'s rows by id from (id, *values) tuples, values as
    stored (an encrypted fact as its ciphertext, which is what the rollback
    data keeps). PostgreSQL: the import's UPDATE ... FROM a COPied temporary
    table; elsewhere one prepared statement run for every row. `touch`
    stamps updated_at. Returns how many rows were updated."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        return CopyWriter(ReferenceChecks(enabled=False)).update_from(
            cursor, table, "id", columns, rows, model=model, extra=", updated_at = now()" if touch else ""
        )
    sets = ", ".join(f"{c} = %s" for c in columns) + (", updated_at = %s" if touch else "")
    now = [connection.ops.adapt_datetimefield_value(timezone.now())] if touch else []
    params = [(*row[1:], *now, row[0]) for row in rows]
    if not params:
        return 0
    cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)
    return cursor.rowcount


def referencing_tables() -> list[str]:
    """The tables whose foreign keys point at rows a rollback deletes."""
    tables = set()
    for model in UNDONE:
        for rel in model._meta.get_fields(include_hidden=True):
            if rel.auto_created and not rel.concrete and rel.is_relation and not rel.many_to_many:
                assert rel.related_model is not None  # a reverse relation names its model
                tables.add(rel.related_model._meta.db_table)
    return sorted(tables)


def _is_reference_error(exc: IntegrityError) -> bool:
    """A foreign key still pointing at a deleted row (SQLite's check raises
    nothing else here; PostgreSQL says which with its SQLSTATE)."""
    if connection.vendor != "postgresql":
        return True
    cause = exc.__cause__
    return (getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)) == "23503"

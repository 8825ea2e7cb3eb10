"""The upload page's batch life cycle: a file kept as a batch, checked (a
preview), confirmed, imported, or failed (then retried or discarded); a
committed batch's rollback is rollback.py. The checking and importing run in a
Celery task (`survey_batch_run`), which runs the import service on the kept
file. Every step a worker runs ends in a state a person can act on
(DESIGN.md §11): the failure path records on a fresh connection, and the
sweeper (core.jobs) fails a batch whose worker is gone."""

import logging
import os
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.errors import ApplicationError
from core.files import local_copy
from core.jobs import JobNotQueued
from core.validators import validate_year
from orgs.audit import audit_event
from orgs.models import ImportBatch, Region, User

from .reader import check_size, open_survey
from .report import file_sha256
from .services import batch_region, has_district_column, import_district, importer_check, survey_import

logger = logging.getLogger(__name__)


BATCH_JOB = "survey_batch"
# The states a worker is busy in, and the step each one runs.
WORKING = (ImportBatch.Status.CHECKING, ImportBatch.Status.RUNNING)


def survey_batch_open(
    *,
    upload: UploadedFile,
    year: int,
    by: User,
    street: Region | None,
    district: Region | None = None,
    strict: bool = False,
    create_streets: bool = False,
) -> ImportBatch:
    """Keep an uploaded file as a batch waiting for its check. The file is
    refused here (nothing kept) when it is too big, not a spreadsheet, a zip
    bomb or has no header row, or when there are several districts and
    neither the upload nor the file (所属区县) says which. The file is
    checked from a local copy of the upload and kept through the storage
    API, so the worker that checks it may run on another host."""
    importer_check(by=by, street=street, district=district)
    validate_year(year)
    check_size(upload.size)
    name = os.path.basename(upload.name or "survey")
    upload.seek(0)
    with local_copy(upload, name=name) as path:
        table = open_survey(path, file_name=name)
        table.close()
        district = import_district(district=district, street=street, city_file=has_district_column(table))
        if district is not None:
            importer_check(by=by, street=street, district=district)
        file_hash = file_sha256(path)
    upload.seek(0)
    with transaction.atomic():
        batch = ImportBatch(
            kind=ImportBatch.Kind.SURVEY,
            year=year,
            street=street,
            district=batch_region(district),
            file_name=name[:255],
            file_hash=file_hash,
            created_by=by,
            status=ImportBatch.Status.CHECKING,
            phase=ImportBatch.Phase.CHECK,
            strict=strict,
            create_streets=create_streets and street is None,
            progress_note=_("等待校验"),
        )
        batch.source.save(name, File(upload), save=False)
        try:
            batch.save()
        except BaseException:
            batch.source.delete(save=False)
            raise
    return batch


def survey_batch_submit(**kwargs) -> ImportBatch:
    """The upload page: keep the file as a batch (`survey_batch_open`) and
    send its check to a worker. When the broker cannot be reached the batch
    and its file are removed again and the page says so: no batch waits for
    a check that was never sent."""
    batch = survey_batch_open(**kwargs)
    try:
        _queue(batch, commit=False)
    except JobNotQueued:
        _forget(batch)
        raise
    return batch


def _forget(batch: ImportBatch) -> None:
    with transaction.atomic():
        if batch.source:
            batch.source.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).delete()


def _queue(batch: ImportBatch, *, commit: bool) -> None:
    """Send the batch's check (commit=False) or write to a worker, as a new
    attempt: a message of an earlier attempt finds its attempt gone and
    does nothing. Raises JobNotQueued when the broker is down."""
    from .tasks import survey_batch_task  # the task module imports this one

    ImportBatch.objects.filter(pk=batch.pk).update(
        attempt=F("attempt") + 1,
        phase=ImportBatch.Phase.WRITE if commit else ImportBatch.Phase.CHECK,
        queued_at=timezone.now(),
        started_at=None,
        heartbeat_at=None,
    )
    batch.refresh_from_db(fields=["attempt", "phase", "queued_at", "started_at", "heartbeat_at"])
    jobs.send(survey_batch_task, batch.pk, commit, batch.attempt)


def batch_district(batch: ImportBatch) -> Region | None:
    """The district a batch was imported for; None for a city's file (its
    `district` names the region above the districts) or an older batch."""
    return batch.district if batch.district is not None and batch.district.is_district else None


def _progress_writer(batch: ImportBatch) -> Callable[[int, str], None]:
    def write(pct: int, note: str) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress=pct, progress_note=(note or "")[:100], heartbeat_at=timezone.now()
        )

    return write


def survey_batch_run(*, batch_id: int, commit: bool, attempt: int | None) -> None:
    """The worker's entry: take the batch's job lock, claim this attempt
    (another worker, or an attempt the sweeper already failed, leaves it
    alone) and check or import it."""
    with jobs.held(BATCH_JOB, batch_id) as mine:
        if not mine:
            logger.warning("survey batch %s: another worker holds it", batch_id)
            return
        expected = ImportBatch.Status.RUNNING if commit else ImportBatch.Status.CHECKING
        claim = ImportBatch.objects.filter(pk=batch_id, status=expected, started_at__isnull=True)
        if attempt is not None:
            claim = claim.filter(attempt=attempt)
        now = timezone.now()
        if not claim.update(started_at=now, heartbeat_at=now):
            logger.warning("survey batch %s: attempt %s is no longer current", batch_id, attempt)
            return
        survey_batch_process(batch=ImportBatch.objects.get(pk=batch_id), commit=commit)


def survey_batch_process(*, batch: ImportBatch, commit: bool) -> ImportBatch:
    """Check (commit=False) or import (commit=True) a kept batch, reading the
    kept file through the storage API. Every failure ends in FAILED with a
    message, recorded on a fresh connection when the old one died."""
    try:
        try:
            source = batch.source.open("rb")
        except (OSError, ValueError):
            raise ApplicationError(_("上传的文件已不在存储中（可能已超过保存期限），请重新上传"))
        with source:
            survey_import(
                file=source,
                file_name=batch.file_name,
                year=batch.year,
                by=batch.created_by,
                dry_run=not commit,
                strict=batch.strict,
                create_streets=batch.create_streets,
                street=batch.street,
                district=batch_district(batch),
                batch=batch,
                progress=_progress_writer(batch),
                park_decisions=park_decisions_of(batch),
            )
    except ApplicationError as exc:
        _batch_failed(batch, "；".join(exc.messages))
    except SoftTimeLimitExceeded:
        minutes = jobs.soft_limit("survey") // 60
        message = _("处理超过时限（%(m)d 分钟）已停止，未写入任何数据；可重试，或拆分文件后重新上传")
        _batch_failed(batch, message % {"m": minutes})
    except Exception:
        # A page polling this batch must not wait forever on a crashed task.
        logger.exception("survey batch %s failed", batch.pk)
        _batch_failed(batch, _("导入失败：系统内部错误，已记录日志，请联系管理员。未写入任何数据。"))
    return batch


def _batch_failed(batch: ImportBatch, message: str) -> None:
    """FAILED with `message`, unless this attempt is no longer the batch's
    (the sweeper failed it, or a retry began)."""
    jobs.reconnect()
    fresh = ImportBatch.objects.filter(pk=batch.pk, attempt=batch.attempt, status__in=WORKING).first()
    if fresh is None:
        return
    ImportBatch.objects.filter(pk=batch.pk, attempt=batch.attempt, status=fresh.status).update(
        status=ImportBatch.Status.FAILED,
        report={**(fresh.report or {}), "error": message},
        progress=100,
        progress_note="",
    )
    batch.refresh_from_db()


def sweep_survey_batches() -> int:
    """Fail every batch stuck in a worker's hands (DESIGN.md §11): sent but
    never taken, taken by a worker that is gone (its job lock is free) or,
    where locks cannot tell, silent past the task's hard time limit."""
    failed = 0
    working = ImportBatch.objects.filter(kind=ImportBatch.Kind.SURVEY, status__in=WORKING)
    for batch in working.only("pk", "status", "attempt", "created_at", "queued_at", "started_at", "heartbeat_at"):
        with jobs.stuck(
            BATCH_JOB, batch.pk, limit="survey", queued_at=batch.queued_at or batch.created_at,
            started_at=batch.started_at, heartbeat_at=batch.heartbeat_at,
        ) as verdict:  # fmt: skip
            if verdict == jobs.QUEUED:
                minutes = settings.JOB_QUEUE_TIMEOUT_SECONDS // 60
                message = _("任务排队超过 %(m)d 分钟仍未开始，后台处理进程可能没有运行；未写入任何数据，可重试")
                failed += _fail_stuck(batch, message % {"m": minutes})
            elif verdict == jobs.GONE:
                message = _("后台处理进程在处理中途停止（被终止、重启或失去数据库连接），未写入任何数据；可重试")
                failed += _fail_stuck(batch, message)
    return failed


def _fail_stuck(batch: ImportBatch, message: str) -> int:
    with transaction.atomic():
        fresh = (
            ImportBatch.objects.select_for_update()
            .filter(pk=batch.pk, status=batch.status, attempt=batch.attempt, started_at=batch.started_at)
            .first()
        )
        if fresh is None:
            return 0
        fresh.status = ImportBatch.Status.FAILED
        fresh.report = {**(fresh.report or {}), "error": message}
        fresh.progress = 100
        fresh.progress_note = ""
        fresh.save(update_fields=["status", "report", "progress", "progress_note"])
    logger.warning("survey batch %s failed by the sweeper: %s", batch.pk, message)
    return 1


def park_decisions_of(batch: ImportBatch) -> dict[str, int | None]:
    return dict((batch.decisions or {}).get("parks", {}))


def _park_decisions(batch: ImportBatch, chosen: dict[str, str] | None) -> dict[str, int | None]:
    """For every park the preview asked about: the existing park to use (one
    of those it offered) or None for a new one. A missing answer is refused."""
    chosen = chosen or {}
    decisions: dict[str, int | None] = {}
    for similar in (batch.report or {}).get("similar_parks", []):
        label = similar["key"]
        answer = str(chosen.get(label) or "").strip()
        offered = {str(c["id"]): c["id"] for c in similar["candidates"]}
        if answer == "new":
            decisions[label] = None
        elif answer in offered:
            decisions[label] = offered[answer]
        else:
            raise ApplicationError({"park_decisions": [_("请为园区“%(p)s”选择使用已有园区或新建") % {"p": label}]})
    return decisions


def survey_batch_confirm(*, batch: ImportBatch, by: User, park_decisions: dict[str, str] | None = None) -> ImportBatch:
    """Start the import of a previewed batch. `park_decisions` answers the
    preview's question for each park whose name is close to an existing one:
    {label: existing park id, or "new"}. When the broker cannot be reached
    the batch waits for confirmation again and the page says so."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        importer_check(by=by, street=batch.street, district=batch_district(batch))
        if batch.status != ImportBatch.Status.PREVIEW:
            raise ApplicationError(_("该批次当前不是待确认状态"))
        if batch.strict and batch.rejected:
            raise ApplicationError(_("严格模式下存在不合格的行，不能导入；请修正后重新上传"))
        if not batch.source:
            raise ApplicationError(_("上传的文件已不在存储中（可能已超过保存期限），请重新上传"))
        batch.decisions = {**(batch.decisions or {}), "parks": _park_decisions(batch, park_decisions)}
        batch.status = ImportBatch.Status.RUNNING
        batch.progress = 0
        batch.progress_note = _("等待导入")
        batch.save(update_fields=["status", "progress", "progress_note", "decisions"])
    _queue_or_restore(batch, commit=True, restore=ImportBatch.Status.PREVIEW)
    return batch


def _queue_or_restore(batch: ImportBatch, *, commit: bool, restore: str) -> None:
    try:
        _queue(batch, commit=commit)
    except JobNotQueued:
        ImportBatch.objects.filter(pk=batch.pk, attempt=batch.attempt, started_at__isnull=True).update(
            status=restore, progress=0 if restore == ImportBatch.Status.PREVIEW else 100, progress_note=""
        )
        raise


def survey_batch_retry(*, batch: ImportBatch, by: User) -> ImportBatch:
    """A failed batch's failed step again: its check, or its import with the
    decisions made on the preview (the file is checked again as it is
    written, against the records as they are now)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        importer_check(by=by, street=batch.street, district=batch_district(batch))
        if batch.status != ImportBatch.Status.FAILED:
            raise ApplicationError(_("只有失败的批次可以重试"))
        if not batch.source:
            raise ApplicationError(_("上传的文件已不在存储中（可能已超过保存期限），请重新上传"))
        commit = batch.phase == ImportBatch.Phase.WRITE
        batch.status = ImportBatch.Status.RUNNING if commit else ImportBatch.Status.CHECKING
        batch.report = {k: v for k, v in (batch.report or {}).items() if k != "error"} if commit else {}
        batch.progress = 0
        batch.progress_note = _("等待导入") if commit else _("等待校验")
        batch.save(update_fields=["status", "report", "progress", "progress_note"])
        audit_event(actor=by, instance=batch, event="survey_retried", detail={"step": batch.phase})
    _queue_or_restore(batch, commit=commit, restore=ImportBatch.Status.FAILED)
    return batch


@transaction.atomic
def survey_batch_discard(*, batch: ImportBatch, by: User) -> ImportBatch:
    """Give up a failed batch, or a preview not to be imported: the kept file
    is deleted (its SHA-256 stays on the batch), nothing was written."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    importer_check(by=by, street=batch.street, district=batch_district(batch))
    if batch.status not in (ImportBatch.Status.FAILED, ImportBatch.Status.PREVIEW):
        raise ApplicationError(_("只有失败或待确认的批次可以放弃"))
    if batch.source:
        batch.source.delete(save=False)
    batch.status = ImportBatch.Status.DISCARDED
    batch.progress_note = ""
    batch.save(update_fields=["status", "source", "progress_note"])
    audit_event(actor=by, instance=batch, event="survey_discarded", detail={"year": batch.year})
    return batch

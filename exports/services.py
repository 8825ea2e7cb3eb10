"""Exports: start one (inline when small, as a task when large), the task's
work, a retry, and the sweeper that fails stuck jobs and deletes expired
files. The long-job mechanics (queueing, the worker's lock, the sweeper's
probe, the failure path's connection) are core.jobs'."""

import io
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.errors import ApplicationError
from core.xlsx import xlsx_stream

from .models import ExportJob
from .registry import Export, Params, build

logger = logging.getLogger(__name__)

# core.jobs' lock namespace and sweeper name, and the time limits' key.
LOCK_KIND = "export"
# Progress and heartbeat every so many rows: a few writes a minute at most.
PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class InlineExport:
    """A small export, written at once for the page to send."""

    filename: str
    content: bytes


def _write(export: Export, target: Any, on_rows: Any = None) -> int:
    return xlsx_stream(
        target,
        title=export.title,
        headers=export.headers,
        rows=export.rows(),
        freeze=export.freeze,
        text_as_text=export.text_as_text,
        header_fill=export.header_fill,
        on_rows=on_rows,
        every=PROGRESS_EVERY,
    )


def export_inline(export: Export) -> InlineExport:
    buffer = io.BytesIO()
    _write(export, buffer)
    return InlineExport(filename=export.filename, content=buffer.getvalue())


def export_start(*, user: Any, kind: str, params: Params) -> InlineExport | ExportJob:
    """The export `kind` under `params` for `user`: written at once up to
    settings.EXPORT_INLINE_MAX_ROWS rows, else queued as a job. Raises
    jobs.JobNotQueued (and leaves no job behind) when the broker is down;
    the builder's Http404 / PermissionDenied when the user may not have it."""
    export = build(kind, user, params)
    total = export.count()
    if total <= settings.EXPORT_INLINE_MAX_ROWS:
        return export_inline(export)
    # A second click while the first is still being written gets the same job.
    waiting = ExportJob.objects.filter(
        created_by_id=user.pk,
        kind=kind,
        params=dict(params),
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
    ).first()
    if waiting is not None:
        return waiting
    job = ExportJob.objects.create(
        created_by=user,
        kind=kind,
        params=dict(params),
        title=os.path.splitext(export.filename)[0][:200],
        filename=export.filename[:200],
        rows=total,
        note=_("等待后台处理"),
    )
    try:
        _send(job)
    except jobs.JobNotQueued:
        job.delete()
        raise
    job.refresh_from_db()
    return job


def _send(job: ExportJob) -> None:
    from .tasks import export_task  # tasks.py imports this module

    jobs.send(export_task, job.pk, job.attempt)


def export_retry(*, job: ExportJob, by: Any) -> ExportJob:
    """Run a failed or expired export again, on the same row (a new attempt,
    so a late message of the old one finds nothing to claim)."""
    if job.created_by_id != by.pk:
        raise Http404
    if job.status != ExportJob.Status.FAILED and not job.is_expired:
        raise ApplicationError(_("该导出正在进行或已完成，无需重新导出"))
    old_file = job.file.name
    attempt = job.attempt + 1
    updated = ExportJob.objects.filter(pk=job.pk, status=job.status, attempt=job.attempt).update(
        status=ExportJob.Status.QUEUED,
        attempt=attempt,
        queued_at=timezone.now(),
        started_at=None,
        heartbeat_at=None,
        finished_at=None,
        expires_at=None,
        progress=0,
        note=_("等待后台处理"),
        error="",
        file="",
    )
    if not updated:
        raise ApplicationError(_("该导出已被重新提交，请刷新页面"))
    if old_file:
        _delete_file(old_file)
    job.refresh_from_db()
    try:
        _send(job)
    except jobs.JobNotQueued as exc:
        _fail(job.pk, attempt, exc.messages[0], status=ExportJob.Status.QUEUED)
        raise
    job.refresh_from_db()
    return job


# --- the task's side ---------------------------------------------------------------------------


def export_run(*, job_id: int, attempt: int) -> None:
    """The task's work: claim the job, write the file through storage, and
    end in done or failed. A second delivery of the same message (another
    worker holds the lock, or the job is no longer queued) does nothing."""
    with jobs.held(LOCK_KIND, job_id) as mine:
        if not mine:
            return
        now = timezone.now()
        claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED, attempt=attempt).update(
            status=ExportJob.Status.RUNNING, started_at=now, heartbeat_at=now, note=_("正在生成")
        )
        if not claimed:
            return
        try:
            _produce(job_id, attempt)
        except SoftTimeLimitExceeded:
            minutes = jobs.soft_limit(LOCK_KIND) // 60
            _fail(
                job_id,
                attempt,
                _("导出超过时限（%(minutes)d 分钟）未完成，已停止；请缩小筛选范围后重试") % {"minutes": minutes},
            )
        except (Http404, PermissionDenied):
            _fail(job_id, attempt, _("您已无权导出这些数据（权限或管辖范围已变更）"))
        except Exception as exc:
            logger.exception("export job %s failed", job_id)
            _fail(job_id, attempt, _("导出失败：%(error)s；可重新导出，如持续出现请联系系统管理员") % {"error": exc})


def _produce(job_id: int, attempt: int) -> None:
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    export = build(job.kind, job.created_by, job.params)
    total = max(job.rows, 1)
    running = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempt=attempt)

    def beat(done: int) -> None:
        running.update(
            progress=min(99, done * 100 // total),
            heartbeat_at=timezone.now(),
            note=_("已写入 %(done)d / %(total)d 行") % {"done": done, "total": job.rows},
        )

    storage = ExportJob._meta.get_field("file").storage
    with tempfile.TemporaryFile(suffix=".xlsx") as spool:
        rows = _write(export, spool, beat)
        spool.seek(0)
        name = storage.save(f"exports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.xlsx", File(spool))
    now = timezone.now()
    # The worker writes its final state before it lets go of the lock, so the
    # sweeper never fails a job that has just finished.
    finished = running.update(
        status=ExportJob.Status.DONE,
        file=name,
        rows=rows,
        progress=100,
        note="",
        heartbeat_at=now,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_LINK_HOURS),
    )
    if not finished:
        storage.delete(name)


def _fail(job_id: int, attempt: int, message: str, *, status: str | None = None) -> int:
    """The failure path: a fresh connection if the old one died, then a
    conditional update, so a newer attempt is never failed by an older one."""
    jobs.reconnect()
    states = [status] if status else [ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    return ExportJob.objects.filter(pk=job_id, attempt=attempt, status__in=states).update(
        status=ExportJob.Status.FAILED, error=message, note="", finished_at=timezone.now()
    )


def _delete_file(name: str) -> None:
    storage = ExportJob._meta.get_field("file").storage
    try:
        storage.delete(name)
    except OSError:
        logger.warning("export file %s could not be deleted", name)


# --- the sweeper -------------------------------------------------------------------------------


def export_sweep() -> int:
    """Fail the jobs whose worker is gone (or that no worker ever took), and
    delete the files of expired ones. Returns how many jobs it changed."""
    now = timezone.now()
    changed = 0
    working = ExportJob.objects.filter(
        Q(status=ExportJob.Status.RUNNING) | Q(status=ExportJob.Status.QUEUED, started_at__isnull=True)
    ).only("pk", "status", "attempt", "queued_at", "heartbeat_at", "started_at")
    for job in working:
        with jobs.stuck(
            LOCK_KIND, job.pk, limit=LOCK_KIND, queued_at=job.queued_at,
            started_at=job.started_at, heartbeat_at=job.heartbeat_at,
        ) as verdict:  # fmt: skip
            if verdict is None:
                continue
            if verdict == jobs.QUEUED:
                message = _("导出任务排队超时，后台处理进程可能未运行；请重新导出，如持续出现请联系系统管理员")
            else:
                message = _("导出进程已中断（服务重启或资源不足），请重新导出")
            changed += ExportJob.objects.filter(pk=job.pk, status=job.status, attempt=job.attempt).update(
                status=ExportJob.Status.FAILED, error=message, note="", finished_at=now
            )
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lt=now).only("pk", "file", "attempt"):
        with jobs.probe(LOCK_KIND, job.pk) as free:
            if free is False:
                continue
            if ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE, attempt=job.attempt).update(
                status=ExportJob.Status.EXPIRED, file=""
            ):
                changed += 1
                if job.file.name:
                    _delete_file(job.file.name)
    return changed

"""Celery wrapper for a large export."""

from celery import shared_task

from core import jobs

from .services import LOCK_KIND, export_run


@shared_task(
    name="exports.tasks.export_task",
    ignore_result=True,
    soft_time_limit=jobs.soft_limit(LOCK_KIND),
    time_limit=jobs.hard_limit(LOCK_KIND),
)
def export_task(job_id: int, attempt: int) -> None:
    export_run(job_id=job_id, attempt=attempt)

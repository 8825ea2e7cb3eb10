"""Celery wrappers of the ground floor: the sweeper of stuck jobs (beat, every few minutes)."""

from celery import shared_task

from . import jobs


@shared_task(name="core.tasks.sweep_jobs_task", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_jobs_task() -> dict[str, int]:
    return jobs.sweep()

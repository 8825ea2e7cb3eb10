"""Celery wrappers for the survey import's long steps (check, write)."""

from celery import shared_task

from core import jobs

from .batches import survey_batch_run


# The task keeps its first name so that messages queued by an older release
# still run (those carry no attempt: they run if the batch still waits).
@shared_task(
    name="orgs.tasks.survey_batch_task",
    ignore_result=True,
    soft_time_limit=jobs.soft_limit("survey"),
    time_limit=jobs.hard_limit("survey"),
)
def survey_batch_task(batch_id: int, commit: bool, attempt: int | None = None) -> int:
    survey_batch_run(batch_id=batch_id, commit=commit, attempt=attempt)
    return batch_id

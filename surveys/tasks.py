"""Celery wrappers for the survey import's long steps (check, write), a
batch's rollback, and the daily deletion of uploaded files past their retention."""

from celery import shared_task

from core import jobs

from .batches import survey_batch_run
from .retention import survey_files_purge
from .rollback import survey_batch_rollback_work


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


@shared_task(ignore_result=True, soft_time_limit=jobs.soft_limit("rollback"), time_limit=jobs.hard_limit("rollback"))
def survey_rollback_task(batch_id: int, user_id: int | None) -> int:
    survey_batch_rollback_work(batch_id=batch_id, user_id=user_id)
    return batch_id


@shared_task(
    name="surveys.tasks.purge_survey_files_task",
    ignore_result=True,
    soft_time_limit=jobs.soft_limit("default"),
    time_limit=jobs.hard_limit("default"),
)
def purge_survey_files_task() -> int:
    return len(survey_files_purge().batch_ids)

"""Celery wrapper for the survey import's long steps (check, write)."""

from celery import shared_task

from orgs.models import ImportBatch

from .batches import survey_batch_process


# The task keeps its first name so that messages queued by an older release still run.
@shared_task(name="orgs.tasks.survey_batch_task")
def survey_batch_task(batch_id: int, commit: bool) -> int:
    batch = ImportBatch.objects.get(pk=batch_id)
    survey_batch_process(batch=batch, commit=commit)
    return batch_id

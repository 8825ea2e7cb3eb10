"""Celery tasks of the ground floor: thin wrappers that call a service with ids."""

from celery import shared_task


@shared_task
def survey_batch_task(batch_id: int, commit: bool) -> int:
    from .models import ImportBatch
    from .survey.services import survey_batch_process

    batch = ImportBatch.objects.get(pk=batch_id)
    survey_batch_process(batch=batch, commit=commit)
    return batch_id

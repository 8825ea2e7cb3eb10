"""How long an uploaded survey file is kept. The file lists firms, people
and phone numbers; it is needed only until its batch is checked, imported
and past any retry. SURVEY_FILE_RETENTION_DAYS after the upload it is
deleted, and the batch keeps what proves what was imported: the file's
SHA-256 (`file_hash`), the report (`details`) and the rollback data
(`undo_file`, which a rollback needs). A batch a worker is busy with is never
touched; its file is deleted on a later run."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from orgs.audit import audit_event
from orgs.models import ImportBatch

from .batches import WORKING

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    """What a purge deleted (or, on a dry run, would delete)."""

    batch_ids: list[int]
    cutoff: datetime


def survey_files_due(*, now: datetime | None = None) -> QuerySet[ImportBatch]:
    """Survey batches whose kept file is older than the retention and which
    no worker is busy with."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SURVEY_FILE_RETENTION_DAYS)
    return (
        ImportBatch.objects.filter(kind=ImportBatch.Kind.SURVEY, created_at__lt=cutoff)
        .exclude(source="")
        .exclude(status__in=WORKING)
        .order_by("pk")
    )


def survey_files_purge(*, now: datetime | None = None, dry_run: bool = False) -> Purged:
    """Delete the kept files due (survey_files_due). Each batch is locked
    while its file goes, so a retry or a confirmation that starts at the same
    moment either runs first (the batch is then busy and left alone) or
    finds the file gone and says so. A file that cannot be deleted leaves its
    batch as it was, for the next run."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SURVEY_FILE_RETENTION_DAYS)
    due = list(survey_files_due(now=now).values_list("pk", flat=True))
    if dry_run:
        return Purged(batch_ids=due, cutoff=cutoff)
    purged: list[int] = []
    for pk in due:
        try:
            if _purge_one(pk, now=now):
                purged.append(pk)
        except OSError:
            logger.exception("survey batch %s: the kept file could not be deleted", pk)
    return Purged(batch_ids=purged, cutoff=cutoff)


@transaction.atomic
def _purge_one(pk: int, *, now: datetime) -> bool:
    batch = survey_files_due(now=now).select_for_update().filter(pk=pk).first()
    if batch is None:
        return False
    # Deleted while the row is locked and before the commit: should the
    # commit fail, the batch names a file that is gone, which a retry reports
    # and the next run records; the other order could leave a file past its
    # retention that no row names.
    batch.source.delete(save=False)
    batch.source_purged_at = now
    batch.save(update_fields=["source", "source_purged_at"])
    audit_event(
        actor=None,
        instance=batch,
        event="survey_file_purged",
        detail={"retention_days": settings.SURVEY_FILE_RETENTION_DAYS, "file_hash": batch.file_hash},
    )
    return True

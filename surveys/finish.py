"""Finishing: the batch record an import leaves behind, either a preview
waiting for the user's confirmation or a committed import holding what a
rollback needs, and the audit trail of a committed one."""

from typing import Any

from django.utils import timezone

from orgs.audit import audit_event
from orgs.models import ImportBatch, User

from .report import SurveyReport, file_sha256


def survey_finish_preview(*, batch: ImportBatch | None, report: SurveyReport, path: str) -> None:
    """A batch checked for the page waits for confirmation; the command line's dry run keeps no batch."""
    if batch is not None:
        batch_finish(batch, report, status=ImportBatch.Status.PREVIEW, file_hash=file_sha256(path))


def survey_finish_commit(
    *, batch: ImportBatch, report: SurveyReport, undo: dict[str, Any], by: User | None, year: int, path: str
) -> None:
    """Inside the import's transaction: the batch committed, with its report and its undo data."""
    report.batch = batch.pk
    batch.undo = undo
    batch.committed_at = timezone.now()
    batch_finish(batch, report, status=ImportBatch.Status.COMMITTED, file_hash=batch.file_hash or file_sha256(path))
    audit_event(
        actor=by,
        instance=batch,
        event="survey_imported",
        detail={
            "year": year,
            "created": report.created,
            "updated": report.updated,
            "rejected": report.rejected_count,
        },
    )


def batch_finish(batch: ImportBatch, report: SurveyReport, *, status: str, file_hash: str) -> None:
    batch.status = status
    batch.file_hash = file_hash
    batch.rows = report.rows
    batch.created = report.created
    batch.updated = report.updated
    batch.unchanged = report.unchanged
    batch.rejected = report.rejected_count
    batch.not_in_survey = report.not_in_survey
    batch.report = report.as_json()
    batch.progress = 100
    batch.progress_note = ""
    batch.save()

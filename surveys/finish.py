"""Finishing: the batch record an import leaves behind, either a preview
waiting for the user's confirmation or a committed import holding what a
rollback needs, and the audit trail of a committed one.

What grows with the file's rows is kept in storage, not in the batch's
jsonb (PostgreSQL refuses a jsonb value past 256 MB, and every read of the
batch would carry it): the full report as an .xlsx (`details`, the page
keeps a summary) and the rollback data as gzip JSON lines (`undo_file`)."""

import gzip
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from orgs.audit import audit_event
from orgs.models import ImportBatch, User

from .export import report_xlsx
from .report import CHUNK, JsonChunks, SurveyReport, chunks, file_sha256

# The parts of the rollback data, in the order a rollback reads them.
UNDO_PARTS = ("links_added", "surveys_updated", "enterprises_updated", "enterprises_created", "regions")


def survey_finish_preview(*, batch: ImportBatch | None, report: SurveyReport, path: str) -> None:
    """A batch checked for the page waits for confirmation; the command line's dry run keeps no batch."""
    if batch is not None:
        batch_finish(batch, report, status=ImportBatch.Status.PREVIEW, file_hash=file_sha256(path))


def survey_finish_commit(
    *, batch: ImportBatch, report: SurveyReport, undo: dict[str, Any], by: User | None, year: int, path: str
) -> None:
    """Inside the import's transaction: the batch committed, with its report and its undo data."""
    report.batch = batch.pk
    save_undo(batch, undo)
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
    batch.report = report.summary()
    save_details(batch, report)
    batch.progress = 100
    batch.progress_note = ""
    batch.save()


def save_details(batch: ImportBatch, report: SurveyReport) -> None:
    """The full report, every row, as the .xlsx the batch page offers; it
    replaces the preview's when the batch is imported."""
    old = batch.details.name if batch.details else ""
    with tempfile.TemporaryFile() as fh:
        data = report.as_json()
        data.update({name: source() for name, source in report.full_lists.items()})
        report_xlsx(data, fh)
        fh.seek(0)
        batch.details.save("report.xlsx", File(fh), save=False)
    if old:
        # Once the new one is recorded: an import that fails keeps the preview's.
        storage = batch.details.storage
        transaction.on_commit(lambda: storage.delete(old))


def save_undo(batch: ImportBatch, undo: dict[str, Any]) -> None:
    """The rollback data in storage, a part's chunk a line ("part<TAB>json");
    the batch's jsonb keeps how many items each part has."""
    counts = {part: len(undo.get(part) or ()) for part in UNDO_PARTS}
    with tempfile.TemporaryFile() as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3) as fh:
            for part in UNDO_PARTS:
                items = undo.get(part) or []
                if isinstance(items, JsonChunks):
                    lines: Iterable[bytes] = items.encoded()
                else:
                    if isinstance(items, dict):
                        items = list(items.items())
                    lines = (json.dumps(chunk, ensure_ascii=False).encode() for chunk in chunks(items, CHUNK))
                for line in lines:
                    fh.write(part.encode() + b"\t" + line + b"\n")
        raw.seek(0)
        batch.undo_file.save("undo.jsonl.gz", File(raw), save=False)
    batch.undo = {"in_file": True, "counts": counts}


def undo_chunks(batch: ImportBatch, part: str) -> Iterator[list]:
    """A committed batch's rollback data for `part`, a chunk at a time (an
    older batch's from its jsonb). Dict parts come as [key, value] pairs."""
    if not batch.undo_file:
        items = (batch.undo or {}).get(part) or []
        yield from chunks(list(items.items()) if isinstance(items, dict) else items, CHUNK)
        return
    prefix = part.encode() + b"\t"
    with batch.undo_file.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as fh:
        for line in fh:
            if line.startswith(prefix):
                yield json.loads(line[len(prefix) :])

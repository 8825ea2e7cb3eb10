"""The upload page's batch life cycle: a file kept as a batch, checked (a
preview), confirmed, imported, or failed; a committed batch rolled back as
a whole. The checking and importing run in a Celery task that calls
`survey_batch_process`, which runs the import service on the kept file."""

import logging
import os
from collections.abc import Callable

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.validators import validate_year
from orgs.audit import audit_event
from orgs.models import Enterprise, EnterpriseSurvey, ImportBatch, InstructorAssignment, PartyOrganization, Region, User

from .finish import undo_chunks
from .reader import check_size, open_survey
from .report import SURVEY_UNDO_FIELDS, file_sha256
from .services import batch_region, has_district_column, import_district, importer_check, survey_import
from .sql import undo_restored

logger = logging.getLogger(__name__)


def survey_batch_open(
    *,
    upload: UploadedFile,
    year: int,
    by: User,
    street: Region | None,
    district: Region | None = None,
    strict: bool = False,
    create_streets: bool = False,
) -> ImportBatch:
    """Keep an uploaded file as a batch waiting for its check. The file is
    refused here (nothing kept) when it is too big, not a spreadsheet, a zip
    bomb or has no header row, or when there are several districts and
    neither the upload nor the file (所属区县) says which."""
    importer_check(by=by, street=street, district=district)
    validate_year(year)
    check_size(upload.size)
    name = os.path.basename(upload.name or "survey")
    with transaction.atomic():
        batch = ImportBatch(
            kind=ImportBatch.Kind.SURVEY,
            year=year,
            street=street,
            file_name=name[:255],
            file_hash="",
            created_by=by,
            status=ImportBatch.Status.CHECKING,
            strict=strict,
            create_streets=create_streets and street is None,
            progress_note=_("等待校验"),
        )
        batch.source.save(name, File(upload), save=False)
        try:
            table = open_survey(batch.source.path, file_name=name)
            table.close()
            district = import_district(district=district, street=street, city_file=has_district_column(table))
            if district is not None:
                importer_check(by=by, street=street, district=district)
            batch.district = batch_region(district)
        except BaseException:
            # Refused, or the check itself failed: no copy of the file stays behind.
            batch.source.delete(save=False)
            raise
        batch.file_hash = file_sha256(batch.source.path)
        batch.save()
    return batch


def batch_district(batch: ImportBatch) -> Region | None:
    """The district a batch was imported for; None for a city's file (its
    `district` names the region above the districts) or an older batch."""
    return batch.district if batch.district is not None and batch.district.is_district else None


def _progress_writer(batch: ImportBatch) -> Callable[[int, str], None]:
    def write(pct: int, note: str) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=pct, progress_note=(note or "")[:100])

    return write


def survey_batch_process(*, batch: ImportBatch, commit: bool) -> ImportBatch:
    """Check (commit=False) or import (commit=True) a kept batch. Called by the Celery task."""
    try:
        survey_import(
            path=batch.source.path,
            file_name=batch.file_name,
            year=batch.year,
            by=batch.created_by,
            dry_run=not commit,
            strict=batch.strict,
            create_streets=batch.create_streets,
            street=batch.street,
            district=batch_district(batch),
            batch=batch,
            progress=_progress_writer(batch),
            park_decisions=park_decisions_of(batch),
        )
    except ApplicationError as exc:
        _batch_failed(batch, "；".join(exc.messages))
    except Exception:
        # A page polling this batch must not wait forever on a crashed task.
        logger.exception("survey batch %s failed", batch.pk)
        _batch_failed(batch, _("导入失败：系统内部错误，已记录日志，请联系管理员。未写入任何数据。"))
    return batch


def _batch_failed(batch: ImportBatch, message: str) -> None:
    batch.refresh_from_db()
    batch.status = ImportBatch.Status.FAILED
    batch.report = {**batch.report, "error": message}
    batch.progress = 100
    batch.save(update_fields=["status", "report", "progress"])


def park_decisions_of(batch: ImportBatch) -> dict[str, int | None]:
    return dict((batch.decisions or {}).get("parks", {}))


def _park_decisions(batch: ImportBatch, chosen: dict[str, str] | None) -> dict[str, int | None]:
    """For every park the preview asked about: the existing park to use (one
    of those it offered) or None for a new one. A missing answer is refused."""
    chosen = chosen or {}
    decisions: dict[str, int | None] = {}
    for similar in (batch.report or {}).get("similar_parks", []):
        label = similar["key"]
        answer = str(chosen.get(label) or "").strip()
        offered = {str(c["id"]): c["id"] for c in similar["candidates"]}
        if answer == "new":
            decisions[label] = None
        elif answer in offered:
            decisions[label] = offered[answer]
        else:
            raise ApplicationError({"park_decisions": [_("请为园区“%(p)s”选择使用已有园区或新建") % {"p": label}]})
    return decisions


@transaction.atomic
def survey_batch_confirm(*, batch: ImportBatch, by: User, park_decisions: dict[str, str] | None = None) -> ImportBatch:
    """Start the import of a previewed batch. `park_decisions` answers the
    preview's question for each park whose name is close to an existing one:
    {label: existing park id, or "new"}."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    importer_check(by=by, street=batch.street, district=batch_district(batch))
    if batch.status != ImportBatch.Status.PREVIEW:
        raise ApplicationError(_("该批次当前不是待确认状态"))
    if batch.strict and batch.rejected:
        raise ApplicationError(_("严格模式下存在不合格的行，不能导入；请修正后重新上传"))
    batch.decisions = {**(batch.decisions or {}), "parks": _park_decisions(batch, park_decisions)}
    batch.status = ImportBatch.Status.RUNNING
    batch.progress = 0
    batch.progress_note = _("等待导入")
    batch.save(update_fields=["status", "progress", "progress_note", "decisions"])
    return batch


def _survey_values(values: list | dict) -> dict:
    return dict(zip(SURVEY_UNDO_FIELDS, values, strict=True)) if isinstance(values, list) else values


@transaction.atomic
def survey_batch_rollback(*, batch: ImportBatch, by: User | None) -> ImportBatch:
    """Undo a committed batch as a whole: what it created goes, what it
    changed gets its previous values back. Only the latest committed survey
    batch can be undone, so no later import is silently undone with it."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    importer_check(by=by, street=batch.street, district=batch_district(batch))
    if batch.status != ImportBatch.Status.COMMITTED:
        raise ApplicationError(_("只有已导入的批次可以撤销"))
    later = ImportBatch.objects.filter(
        kind=ImportBatch.Kind.SURVEY, status=ImportBatch.Status.COMMITTED, committed_at__gt=batch.committed_at
    )
    own = batch_district(batch)
    if own is not None:
        # Another district's batch changed nothing of this one (its rows of
        # this district were refused); a city's file or an older batch may have.
        later = later.filter(Q(district=own) | Q(district__isnull=True) | ~Q(district__kind=Region.Kind.DISTRICT))
    if later.exists():
        raise ApplicationError(_("之后还有已导入的排查批次，请先撤销较晚的批次"))
    try:
        InstructorAssignment.objects.filter(batch=batch).delete()
        through = PartyOrganization.enterprises.through
        for chunk in undo_chunks(batch, "links_added"):
            q = Q(pk__in=[])
            for org_id, enterprise_id in chunk:
                q |= Q(partyorganization_id=org_id, enterprise_id=enterprise_id)
            through.objects.filter(q).delete()
        # Snapshots this batch wrote: the ones it overwrote get their values
        # (and their batch) back, the rest go.
        for chunk in undo_chunks(batch, "surveys_updated"):
            # A list in SURVEY_UNDO_FIELDS order (a dict in batches before it).
            objs = [EnterpriseSurvey(pk=int(pk), **undo_restored(_survey_values(values))) for pk, values in chunk]
            EnterpriseSurvey.objects.bulk_update(objs, SURVEY_UNDO_FIELDS, batch_size=500)
        EnterpriseSurvey.objects.filter(batch=batch).delete()
        PartyOrganization.objects.filter(batch=batch).delete()
        for chunk in undo_chunks(batch, "enterprises_updated"):
            by_fields: dict[tuple, list[Enterprise]] = {}
            for pk, values in chunk:
                by_fields.setdefault(tuple(sorted(values)), []).append(Enterprise(pk=int(pk), **undo_restored(values)))
            for fields, objs in by_fields.items():
                Enterprise.objects.bulk_update(objs, list(fields), batch_size=500)
        for chunk in undo_chunks(batch, "enterprises_created"):
            Enterprise.objects.filter(pk__in=chunk).delete()
        for chunk in undo_chunks(batch, "regions"):
            for pk in chunk:
                Region.objects.filter(pk=pk).delete()
    except ProtectedError:
        raise ApplicationError(
            _("该批次导入的企业或党组织已被其他记录（党员、组织生活等）引用，不能整体撤销；请逐条处理")
        )
    batch.status = ImportBatch.Status.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.save(update_fields=["status", "rolled_back_at"])
    audit_event(actor=by, instance=batch, event="survey_rolled_back", detail={"year": batch.year})
    return batch

"""The survey import: one service behind the upload page, the admin and the
`import_survey` command, read here as its outline. Each step is a module
of its own, and a row runs through them one way:

    validate.py  read the file, parse and check every row (no writes)
    plan.py      classify against the records, absent firms, links, yearly surveys
    writers.py   write it all in one transaction, set-based (ORM or COPY)
    finish.py    the batch record and the audit trail

`report.py` holds the row and report types the steps pass along, `sql.py`
the key lookups they share. The page's batch life cycle (open, check,
confirm, import, roll back) is in `batches.py`, which calls this service.

Nothing is written until the whole file has been read, validated and
classified, and nothing at all on a dry run or a strict run that found
invalid rows. A batch keeps what a rollback needs (`ImportBatch.undo`): the
ids it created and the previous values of what it changed.
"""

import functools
import gc
import os
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.files import local_copy
from core.validators import validate_year
from orgs import policy
from orgs.models import ImportBatch, Region, User
from orgs.policy import require

from .finish import survey_finish_commit, survey_finish_preview
from .plan import plan_surveys, survey_plan
from .reader import check_size
from .report import ADVISORY_LOCK_KEY, SurveyReport, file_sha256
from .sql import decrypting_once
from .validate import Context, Notify, survey_read, survey_validate
from .writers import survey_write


def importer_check(*, by: User | None, street: Region | None, district: Region | None = None) -> None:
    """District staff import for their district or any of its streets, street
    staff only for their own street (`by` None: the operator's command line)."""
    allowed = policy.may_import_survey(by, street, district)
    require(allowed or policy.may_use_survey_import(by), _("只有区、街道两新党建工作人员可以导入排查摸底表"))
    if not allowed and street is None and district is not None and policy.may_import_survey(by, None):
        raise ApplicationError(_("您只能导入本区县的排查摸底表（%(d)s不在您的管辖范围内）") % {"d": district.name})
    require(allowed, _("街道工作人员只能导入本街道的排查摸底表"))


# --- which district a file is imported for (DESIGN.md §8) -------------------------------------


class DistrictRequired(ApplicationError):
    """More than one district, none chosen, and no 所属区县 column in the file."""


def import_district(*, district: Region | None, street: Region | None, city_file: bool) -> Region | None:
    """The district a survey file is imported for: the one chosen, the
    chosen street's, or the only one. None for a city's file whose rows name
    their district (所属区县), or an installation with no district yet.
    Refused when there are several districts and the file names none."""
    if street is not None:
        own = street.district()
        if district is not None and own is not None and own.pk != district.pk:
            raise ApplicationError(_("街道“%(s)s”不属于所选区县“%(d)s”") % {"s": street.name, "d": district.name})
        return own
    if district is not None:
        if not district.is_district:
            raise ApplicationError(_("“%(d)s”不是区县") % {"d": district.name})
        return district
    districts = list(Region.objects.filter(kind=Region.Kind.DISTRICT).order_by("pk")[:2])
    if len(districts) == 1:
        return districts[0]
    if not districts or city_file:
        return None
    raise DistrictRequired(_("本系统有多个区县：请选择导入哪个区县的排查摸底表，或在表中加“所属区县”列"))


def importable_districts(by: User | None) -> set[int] | None:
    """The districts `by` may import for (None: every one, the operator's command line)."""
    if by is None:
        return None
    districts = Region.objects.filter(kind=Region.Kind.DISTRICT).values_list("pk", flat=True)
    return {pk for pk in districts if policy.may_import_survey(by, None, Region(pk=pk, kind=Region.Kind.DISTRICT))}


def district_from_argument(value: str) -> Region:
    """`--district NAME|ID`: a district by its name or its id."""
    text = str(value).strip()
    districts = Region.objects.filter(kind=Region.Kind.DISTRICT)
    found = list(districts.filter(name=text)[:2])
    if not found and text.isdigit():
        found = list(districts.filter(pk=int(text)))
    if not found:
        raise DistrictRequired(_("没有名称或编号为“%(d)s”的区县") % {"d": text[:50]})
    if len(found) > 1:
        raise DistrictRequired(_("有多个名为“%(d)s”的区县，请用编号指定") % {"d": text[:50]})
    return found[0]


def batch_region(district: Region | None) -> Region | None:
    """What `ImportBatch.district` names: the file's district; for a city's
    file, the region above its districts (the root of the tree)."""
    if district is not None:
        return district
    return Region.objects.filter(parent__isnull=True).order_by("pk").first()


def has_district_column(table: Any) -> bool:
    return any(column.field == "district_name" for column in table.columns.values())


def _cyclic_gc_paused(func: Callable[..., SurveyReport]) -> Callable[..., SurveyReport]:
    """An import allocates millions of objects (cells, values, rows) that live
    until it ends and form no reference cycles; Python's cyclic collector
    would scan them again and again as they pile up, about a tenth of a
    100,000-row import. Reference counting frees everything as usual; the
    collector is back on when the import returns."""

    @functools.wraps(func)
    def paused(*args: Any, **kwargs: Any) -> SurveyReport:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


def _decrypting_once(func: Callable[..., SurveyReport]) -> Callable[..., SurveyReport]:
    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> SurveyReport:
        with decrypting_once():
            return func(*args, **kwargs)

    return wrapped


@_cyclic_gc_paused
@_decrypting_once
def survey_import(
    *,
    path: str | os.PathLike | None = None,
    file: IO[bytes] | None = None,
    file_name: str | None = None,
    year: int,
    by: User | None,
    dry_run: bool = False,
    strict: bool = False,
    create_streets: bool = False,
    street: Region | None = None,
    district: Region | None = None,
    batch: ImportBatch | None = None,
    progress: Notify | None = None,
    park_decisions: dict[str, int | None] | None = None,
) -> SurveyReport:
    """Import one survey file for `year`. `file` (an open binary file) or
    `path`. `district` is required where there are several, unless the file
    has a 所属区县 column. Raises SurveyFileError when the file as a whole is
    unusable; invalid rows are in the report. Nothing is written on a dry
    run, or on a strict run with invalid rows."""
    importer_check(by=by, street=street, district=district)
    validate_year(year)
    if path is None:
        if file is None:
            raise ApplicationError(_("请提供要导入的文件"))
        return _import_from_upload(
            file=file, file_name=file_name, year=year, by=by, dry_run=dry_run, strict=strict,
            create_streets=create_streets, street=street, district=district, batch=batch, progress=progress,
            park_decisions=park_decisions,
        )  # fmt: skip
    path = os.fspath(path)
    file_name = file_name or os.path.basename(path)
    notify = progress or (lambda pct, note: None)

    notify(2, _("正在读取文件"))
    table, report = survey_read(path=path, file_name=file_name, dry_run=dry_run)
    try:
        district = import_district(district=district, street=street, city_file=has_district_column(table))
    except ApplicationError:
        table.close()
        raise
    ctx = Context(
        create_streets=create_streets,
        only_street=street,
        park_decisions=park_decisions,
        district=district,
        importable=importable_districts(by),
    )
    parsed = survey_validate(table, ctx=ctx, report=report, notify=notify)
    del table
    notify(62, _("正在比对已登记企业"))
    rows, plan = survey_plan(parsed, year=year, ctx=ctx, report=report)
    del parsed

    if strict and report.rejected:
        report.strict_failed = True
        dry_run = True
    if dry_run:
        report.surveys_written = len(plan_surveys(rows, year=year, new_written=False, keep_undo=False)[0])
        survey_finish_preview(batch=batch, report=report, path=path)
        notify(100, _("校验完成"))
        return report

    if batch is not None and report.similar_parks:
        # A previewed batch is confirmed with a decision for every such park.
        raise ApplicationError(_("文件中有与已有园区名称相近的园区，请在预览页选择使用已有园区或新建后再确认导入"))
    notify(70, _("正在写入数据库"))
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            if batch is None:
                batch = ImportBatch.objects.create(
                    kind=ImportBatch.Kind.SURVEY, year=year, street=street, district=batch_region(district),
                    file_name=file_name[:255],
                    file_hash=file_sha256(path), created_by=by, status=ImportBatch.Status.RUNNING,
                    strict=strict, create_streets=create_streets,
                )  # fmt: skip
            undo = survey_write(rows, plan, year=year, batch=batch, ctx=ctx, report=report)
            survey_finish_commit(batch=batch, report=report, undo=undo, by=by, year=year, path=path)
    except IntegrityError:
        # Checked against the records before the write lock; another import
        # or a page added the same enterprise meanwhile. Nothing was written.
        raise ApplicationError(_("导入期间数据被其他操作修改（如同一企业被同时登记），未写入任何数据，请重新导入"))
    notify(100, _("导入完成"))
    return report


def _import_from_upload(*, file: IO[bytes], file_name: str | None, **kwargs: Any) -> SurveyReport:
    name = file_name or getattr(file, "name", "upload")
    with local_copy(file, name=name, max_bytes=settings.SURVEY_MAX_UPLOAD_BYTES, too_big=check_size) as path:
        return survey_import(path=path, file_name=os.path.basename(name), **kwargs)

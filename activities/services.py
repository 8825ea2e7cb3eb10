"""Writes of activity records: filing, attendance, attachments and the
review workflow (draft → submitted → approved, or returned with a reason).

Every step (filed, edited, submitted, approved, returned) is a line of the
record's history (`ActivityStep`, naming its person) and is audited through
`orgs.audit.audit_event`, so "who approved this, when" has one answer. Whoever
filed, edited or submitted a record never approves it (`policy.may_approve_activity`).
"""

import io
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ApplicationError
from core.files import IMAGE_KINDS, FileKind, sniff
from members.models import Member
from orgs import policy
from orgs.audit import audit_event
from orgs.models import PartyOrganization, User
from orgs.policy import require

from .models import Activity, ActivityStep, Attachment, Attendance

ACTIVITY_WRITABLE = [
    "activity_type",
    "held_on",
    "place",
    "venue",
    "topic",
    "host",
    "recorder",
    "minutes",
    "decisions",
]

# Staff review records; the organization's own secretaries write them.
FILING_REFUSED = gettext_lazy("组织生活记录只能由本组织（或上级党组织）的书记填报、修改和提交")

EDITABLE_STATUSES = (Activity.Status.DRAFT, Activity.Status.RETURNED)
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}


@dataclass(frozen=True)
class AttendancePick:
    member_id: int
    attended: bool
    absence_reason: str = ""


@dataclass(frozen=True)
class PreparedFile:
    name: str
    kind: str
    content: bytes


def _max_bytes() -> int:
    return getattr(settings, "ACTIVITY_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def attachment_prepare(*, upload: UploadedFile) -> PreparedFile:
    """Check an uploaded file by its content (never by its name or the
    browser's claimed type) and shrink photos. Raises ApplicationError."""
    name = os.path.basename(getattr(upload, "name", "") or "file")[:200]
    size = getattr(upload, "size", None) or 0
    limit = _max_bytes()
    if size > limit:
        raise ApplicationError(
            _("文件「%(name)s」超过大小限制（%(limit)d MB）") % {"name": name, "limit": limit // (1024 * 1024)}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            _("文件「%(name)s」超过大小限制（%(limit)d MB）") % {"name": name, "limit": limit // (1024 * 1024)}
        )
    if not data:
        raise ApplicationError(_("文件「%(name)s」是空文件") % {"name": name})
    # The same content check as receipts: a PDF with scripts or automatic
    # actions is refused there, a PNG or an HTML page named .pdf is None here.
    kind = sniff(data, name=name)
    if kind == FileKind.PDF:
        stem = os.path.splitext(name)[0] or "file"
        return PreparedFile(name=f"{stem}.pdf", kind=Attachment.Kind.PDF, content=data)
    if kind not in IMAGE_KINDS:
        raise _wrong_type(name)
    return PreparedFile(name=name, kind=Attachment.Kind.IMAGE, content=_downscale(data, name))


def _wrong_type(name: str) -> ApplicationError:
    return ApplicationError(_("文件「%(name)s」不是照片或PDF文件，只能上传照片（JPG/PNG）或PDF") % {"name": name})


def _downscale(data: bytes, name: str) -> bytes:
    wrong_type = _wrong_type(name)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise wrong_type
            probe.verify()
        # verify() leaves the image unusable: open it again to decode.
        image: Image.Image
        with Image.open(io.BytesIO(data)) as image:
            side = getattr(settings, "ACTIVITY_IMAGE_MAX_SIDE", 1600)
            # A JPEG can be decoded at 1/2, 1/4 or 1/8 scale directly: far
            # cheaper than decoding 12 megapixels to throw most away.
            ratio = side / max(image.size)
            if ratio < 1:
                image.draft("RGB", (int(image.width * ratio) + 1, int(image.height * ratio) + 1))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((side, side))
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = io.BytesIO()
            # Re-encoding also drops EXIF, which on a phone photo carries the GPS position.
            image.save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue()
    except ApplicationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise wrong_type from None


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(ACTIVITY_WRITABLE)
    if unknown:
        raise ApplicationError(_("不可写入的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    held_on = fields.get("held_on")
    if held_on and held_on > timezone.localdate():
        raise ApplicationError({"held_on": _("活动日期不能晚于今天")})


def _check_venue(organization: PartyOrganization, fields: dict, *, current: Any = None) -> None:
    """A venue named on the record must be one the organization may use on
    the day (its own, or shared with it then); the rule is the venue model's
    (see Activity.venue), so this floor never imports the venues app."""
    venue = fields.get("venue", current)
    if venue is None:
        return
    venues: Any = Activity._meta.get_field("venue").related_model
    usable = venues.objects.usable_by(organization_id=organization.pk, on=fields.get("held_on"))
    if not usable.filter(pk=venue.pk).exists():
        raise ApplicationError({"venue": _("阵地：本党组织在活动日期无权使用该阵地（须为自有阵地或已签共享协议）")})


def _check_attendance(organization: PartyOrganization, picks: list[AttendancePick]) -> list[AttendancePick]:
    member_ids = [p.member_id for p in picks]
    if len(set(member_ids)) != len(member_ids):
        raise ApplicationError({"attendance": _("同一名党员不能重复登记")})
    known = dict(Member.objects.filter(organization=organization, pk__in=member_ids).values_list("pk", "name"))
    strangers = [m for m in member_ids if m not in known]
    if strangers:
        raise ApplicationError({"attendance": _("出席名单中有不属于本党组织的人员")})
    missing = [known[p.member_id] for p in picks if not p.attended and not p.absence_reason.strip()]
    if missing:
        raise ApplicationError({"attendance": _("请填写缺席原因：%(names)s") % {"names": "、".join(missing)}})
    return [
        AttendancePick(p.member_id, p.attended, "" if p.attended else p.absence_reason.strip()[:200]) for p in picks
    ]


def _write_attendance(activity: Activity, picks: list[AttendancePick]) -> None:
    activity.attendance.all().delete()
    Attendance.objects.bulk_create(
        [
            Attendance(activity=activity, member_id=p.member_id, attended=p.attended, absence_reason=p.absence_reason)
            for p in picks
        ]
    )
    activity.due_count = len(picks)
    activity.attended_count = sum(1 for p in picks if p.attended)
    activity.absent_count = activity.due_count - activity.attended_count


def _store_files(activity: Activity, files: list[PreparedFile], by: User | None) -> None:
    for prepared in files:
        attachment = Attachment(
            activity=activity,
            kind=prepared.kind,
            original_name=prepared.name,
            size=len(prepared.content),
            uploaded_by=by,
        )
        # upload_to turns this into a random name with the same extension.
        stored_name = "attachment.pdf" if prepared.kind == Attachment.Kind.PDF else "photo.jpg"
        attachment.file.save(stored_name, ContentFile(prepared.content), save=False)
        attachment.save()


@transaction.atomic
def activity_create(
    *,
    organization: PartyOrganization,
    by: User,
    attendance: list[AttendancePick],
    files: list[PreparedFile] | None = None,
    **fields: Any,
) -> Activity:
    """File a draft record. Files are checked by `attachment_prepare` first,
    so a bad file stops the filing before anything is written."""
    _require_filer(by, organization)
    _check_fields(fields)
    _check_venue(organization, fields)
    picks = _check_attendance(organization, attendance)
    activity = Activity(organization=organization, created_by=by, status=Activity.Status.DRAFT, **fields)
    activity.full_clean(exclude=["due_count", "attended_count", "absent_count"])
    activity.save()
    _write_attendance(activity, picks)
    activity.save(update_fields=["due_count", "attended_count", "absent_count"])
    _store_files(activity, files or [], by)
    _step(activity, ActivityStep.Action.CREATED, by)
    audit_event(actor=by, instance=activity, event="activity_created", detail={"status": activity.status})
    return activity


def _step(activity: Activity, action: str, by: User, note: str = "") -> ActivityStep:
    return ActivityStep.objects.create(activity=activity, action=action, by=by, at=timezone.now(), note=note)


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _require_filer(by: User, organization: PartyOrganization) -> None:
    require(policy.may_file_activity(by, organization), FILING_REFUSED)


def _require_editable(activity: Activity) -> None:
    if activity.status == Activity.Status.APPROVED:
        raise ApplicationError(_("该记录已审核通过并锁定，不能再修改"))
    if activity.status not in EDITABLE_STATUSES:
        raise ApplicationError(_("该记录已提交审核，审核结果出来前不能修改"))


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    by: User,
    attendance: list[AttendancePick],
    files: list[PreparedFile] | None = None,
    **fields: Any,
) -> Activity:
    activity = _lock(activity)
    _require_filer(by, activity.organization)
    _require_editable(activity)
    _check_fields(fields)
    if "venue" in fields or "held_on" in fields:
        _check_venue(activity.organization, {"held_on": activity.held_on, **fields}, current=activity.venue)
    picks = _check_attendance(activity.organization, attendance)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.full_clean(exclude=["due_count", "attended_count", "absent_count"])
    _write_attendance(activity, picks)
    activity.save()
    _store_files(activity, files or [], by)
    _step(activity, ActivityStep.Action.UPDATED, by)
    audit_event(actor=by, instance=activity, event="activity_updated", detail={"status": activity.status})
    return activity


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    activity = _lock(attachment.activity)
    _require_filer(by, activity.organization)
    _require_editable(activity)
    name = attachment.original_name
    storage, stored = attachment.file.storage, attachment.file.name or ""
    attachment.delete()
    _step(activity, ActivityStep.Action.UPDATED, by, note=_("删除附件 %(name)s") % {"name": name})
    audit_event(actor=by, instance=activity, event="attachment_deleted", detail={"file": name})
    # The file goes once the row is gone for good: a rolled-back delete keeps both.
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def activity_submit(*, activity: Activity, by: User) -> Activity:
    activity = _lock(activity)
    _require_filer(by, activity.organization)
    if activity.status not in EDITABLE_STATUSES:
        raise ApplicationError(_("该记录已提交或已审核通过，不能重复提交"))
    if activity.held_on > timezone.localdate():
        raise ApplicationError(_("活动日期不能晚于今天"))
    activity.status = Activity.Status.SUBMITTED
    activity.submitted_at = timezone.now()
    activity.submitted_by = by
    activity.save(update_fields=["status", "submitted_at", "submitted_by"])
    _step(activity, ActivityStep.Action.SUBMITTED, by)
    audit_event(actor=by, instance=activity, event="activity_submitted")
    return activity


def _require_reviewer(by: User, activity: Activity) -> None:
    require(policy.may_review_activities(by), _("只有街道或区两新工委工作人员可以审核组织生活记录"))
    require(policy.may_review_activity(by, activity.organization), _("该记录不在您的审核范围内"))


@transaction.atomic
def activity_approve(*, activity: Activity, by: User) -> Activity:
    activity = _lock(activity)
    _require_reviewer(by, activity)
    require(policy.may_approve_activity(by, activity), _("不能审核本人填报、修改或提交的记录"))
    if activity.status == Activity.Status.APPROVED:
        raise ApplicationError(_("该记录已审核通过，无需重复审核"))
    if activity.status != Activity.Status.SUBMITTED:
        raise ApplicationError(_("该记录尚未提交，不能审核"))
    activity.status = Activity.Status.APPROVED
    activity.reviewed_by = by
    activity.reviewed_at = timezone.now()
    activity.return_reason = ""
    activity.save(update_fields=["status", "reviewed_by", "reviewed_at", "return_reason"])
    _step(activity, ActivityStep.Action.APPROVED, by)
    audit_event(actor=by, instance=activity, event="activity_approved")
    return activity


@transaction.atomic
def activity_return(*, activity: Activity, by: User, reason: str) -> Activity:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": _("退回时必须填写退回理由")})
    activity = _lock(activity)
    _require_reviewer(by, activity)
    if activity.status != Activity.Status.SUBMITTED:
        raise ApplicationError(_("只有待审核的记录可以退回"))
    activity.status = Activity.Status.RETURNED
    activity.return_reason = reason
    activity.reviewed_by = by
    activity.reviewed_at = timezone.now()
    activity.save(update_fields=["status", "return_reason", "reviewed_by", "reviewed_at"])
    _step(activity, ActivityStep.Action.RETURNED, by, note=reason)
    audit_event(actor=by, instance=activity, event="activity_returned", detail={"reason": reason})
    return activity


@transaction.atomic
def activity_bulk_approve(*, activities: list[Activity], by: User) -> int:
    """Approve every submitted record among `activities`; records already
    decided are skipped rather than failing the batch."""
    approved = 0
    for activity in activities:
        try:
            with transaction.atomic():
                activity_approve(activity=activity, by=by)
            approved += 1
        except ApplicationError:
            continue
    return approved


def activities_merge_into(*, source: PartyOrganization, target: PartyOrganization) -> int:
    """A merge of organizations: the records of `source` (in any state)
    become `target`'s, so its history and compliance go on in one place.
    The merge itself is audited as one event with the count."""
    return Activity.objects.filter(organization=source).update(organization=target)

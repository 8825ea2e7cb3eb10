"""Writes of the rating's manual inputs (DESIGN.md §4): the 六有 checklist
street staff enter per organization of their street, with photos as
evidence, and the 一票否决 district staff enter and lift with a reason.
The nightly rating reads them (stats.ratings)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.files import IMAGE_KINDS, KIND_EXTENSIONS, sniff

from . import policy
from .audit import audit_event
from .models import PartyOrganization, RatingVeto, User, VenueChecklist, VenuePhoto
from .policy import require_permission

VENUE_PHOTO_MAX_BYTES = 10 * 1024 * 1024
VENUE_PHOTOS_PER_CHECK = 12


def _photo_checked(upload: UploadedFile) -> tuple[str, bytes]:
    """The photo's name and bytes once its content says it is an image (core.files.sniff)."""
    name = os.path.basename(getattr(upload, "name", "") or "photo")[:200]
    limit = getattr(settings, "VENUE_PHOTO_MAX_BYTES", VENUE_PHOTO_MAX_BYTES)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            {"photos": _("照片「%(name)s」超过大小限制（%(mb)d MB）") % {"name": name, "mb": limit // (1024 * 1024)}}
        )
    if not data:
        raise ApplicationError({"photos": _("照片「%(name)s」是空文件") % {"name": name}})
    kind = sniff(data, name=name)
    if kind not in IMAGE_KINDS:
        raise ApplicationError({"photos": _("文件「%(name)s」不是照片，只能上传JPG、PNG等图片") % {"name": name}})
    stem = os.path.splitext(name)[0] or "photo"
    return f"{stem}.{KIND_EXTENSIONS[kind]}", data


@transaction.atomic
def venue_check_record(
    *,
    organization: PartyOrganization,
    by: User,
    items: dict[str, bool],
    checked_on: date | None = None,
    photos: Iterable[UploadedFile] = (),
) -> VenueChecklist:
    """Street staff record the 六有 checklist of an organization of their
    street for the year of `checked_on`; a second check in the same year
    replaces the items (the audit trail keeps the earlier ones)."""
    require_permission(policy.may_enter_venue_checks(by), _("只有街道两新工委工作人员可以录入六有检查"))
    if not policy.may_enter_venue_check(by, organization):
        raise ApplicationError(
            {"organization": _("党组织“%(name)s”不在您所在的街道，不能录入六有检查") % {"name": organization.name}}
        )
    today = timezone.localdate()
    checked_on = checked_on or today
    if checked_on > today:
        raise ApplicationError({"checked_on": _("检查日期不能晚于今天")})
    missing = [item for item in VenueChecklist.ITEMS if not isinstance(items.get(item), bool)]
    if missing:
        names = "、".join(str(getattr(VenueChecklist._meta.get_field(m), "verbose_name", m)) for m in missing)
        raise ApplicationError({missing[0]: _("请逐项填写是或否：%(items)s") % {"items": names}})
    prepared = [_photo_checked(upload) for upload in photos]
    checklist = (
        VenueChecklist.objects.select_for_update().filter(organization=organization, year=checked_on.year).first()
    )
    before = {item: getattr(checklist, item) for item in VenueChecklist.ITEMS} if checklist else None
    if checklist is None:
        checklist = VenueChecklist(organization=organization, year=checked_on.year)
    if len(prepared) + (checklist.photos.count() if checklist.pk else 0) > VENUE_PHOTOS_PER_CHECK:
        raise ApplicationError({"photos": _("每次检查最多%(n)d张照片") % {"n": VENUE_PHOTOS_PER_CHECK}})
    for item in VenueChecklist.ITEMS:
        setattr(checklist, item, items[item])
    checklist.checked_on = checked_on
    checklist.checked_by = by
    checklist.save()
    for name, data in prepared:
        photo = VenuePhoto(checklist=checklist, original_name=name, size=len(data), uploaded_by=by)
        photo.file.save(name, ContentFile(data), save=False)
        photo.save()
    audit_event(
        actor=by,
        instance=checklist,
        event="venue_check",
        detail={"before": before, "after": dict(items), "checked_on": str(checked_on), "photos": len(prepared)},
    )
    return checklist


@transaction.atomic
def veto_enter(*, organization: PartyOrganization, year: int, reason: str, by: User) -> RatingVeto:
    """一票否决: caps the organization's rating of the year at one star from the next run on."""
    require_permission(policy.may_enter_veto(by), _("只有区两新工委工作人员可以录入一票否决"))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": _("录入一票否决须填写事由")})
    if RatingVeto.objects.filter(organization=organization, year=year, revoked_at__isnull=True).exists():
        raise ApplicationError({"year": _("该党组织%(year)d年度已有生效的一票否决") % {"year": year}})
    veto = RatingVeto.objects.create(organization=organization, year=year, reason=reason, entered_by=by)
    audit_event(actor=by, instance=veto, event="veto_enter", detail={"year": year, "reason": reason})
    return veto


@transaction.atomic
def veto_lift(*, veto: RatingVeto, reason: str, by: User) -> RatingVeto:
    """Lift a veto with a written reason; the row stays as history."""
    require_permission(policy.may_enter_veto(by), _("只有区两新工委工作人员可以撤销一票否决"))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"revoke_reason": _("撤销一票否决须填写理由")})
    veto = RatingVeto.objects.select_for_update().get(pk=veto.pk)
    if veto.revoked_at is not None:
        raise ApplicationError({"revoke_reason": _("该一票否决已撤销")})
    veto.revoked_at = timezone.now()
    veto.revoked_by = by
    veto.revoke_reason = reason
    veto.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_event(actor=by, instance=veto, event="veto_lift", detail={"reason": reason})
    return veto

"""Writes of pairings and their visits. Each checks the policy, validates
fully and writes in one transaction: bad input is refused in Chinese, naming
the field, with nothing written."""

from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Attachment
from activities.services import PreparedFile, attachment_prepare
from core.errors import ApplicationError
from members.models import Member, Stage
from orgs import policy
from orgs.audit import audit_event
from orgs.models import Enterprise, PartyOrganization, Region, User
from orgs.policy import require_permission
from orgs.scoping import scope_for

from .models import KIND_SHAPE, Pairing, PairingKind, SideKind, TargetKind, Visit, VisitPhoto

QUOTA_MAX = 90
PHOTOS_MAX = 9
CANDIDATE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE)


def _reachable_member(by: User, member: Member) -> bool:
    return PartyOrganization.objects.filter(scope_for(by).organizations_q(), pk=member.organization_id).exists()


def _check_side(
    by: User,
    kind: str,
    side_kind: str,
    side_name: str,
    side_user: User | None,
    side_member: Member | None,
    side_organization: PartyOrganization | None,
) -> None:
    sides, _target = KIND_SHAPE[kind]
    if side_kind not in sides:
        allowed = "、".join(str(SideKind(s).label) for s in sorted(sides))
        raise ApplicationError(
            {"side_kind": _("“%(kind)s”的联系方应为：%(sides)s") % {"kind": PairingKind(kind).label, "sides": allowed}}
        )
    given = {
        "side_name": bool(side_name),
        "side_user": side_user is not None,
        "side_member": side_member is not None,
        "side_organization": side_organization is not None,
    }
    needed = {
        SideKind.DEPARTMENT: "side_name",
        SideKind.STATION: "side_name",
        SideKind.LEADER: "side_user",
        SideKind.CADRE: "side_user",
        SideKind.MEMBER: "side_member",
        SideKind.ORGANIZATION: "side_organization",
    }[SideKind(side_kind)]
    if not given[needed]:
        raise ApplicationError({needed: _("请填写联系方（%(side)s）") % {"side": SideKind(side_kind).label}})
    extra = [name for name, present in given.items() if present and name != needed]
    if extra:
        raise ApplicationError(
            {extra[0]: _("联系方类别为“%(side)s”时不填写此项") % {"side": SideKind(side_kind).label}}
        )
    if side_kind == SideKind.LEADER and not (side_user and side_user.is_active and policy.holds_leader_role(side_user)):
        raise ApplicationError({"side_user": _("领导包片的联系方须是领导账号")})
    if side_kind == SideKind.CADRE and not (side_user and side_user.is_active and policy.holds_cadre_role(side_user)):
        raise ApplicationError({"side_user": _("干部包点的联系方须是区、街道工作人员或领导账号")})
    if side_member is not None and (
        side_member.status != Member.Status.ACTIVE or side_member.stage not in (Stage.FORMAL, Stage.PROBATIONARY)
    ):
        raise ApplicationError({"side_member": _("联系党员须是在册的正式或预备党员")})
    if side_member is not None and not _reachable_member(by, side_member):
        raise ApplicationError({"side_member": _("联系党员不在您的管辖范围内")})
    if side_organization is not None and (
        side_organization.dissolved_on is not None
        or not PartyOrganization.objects.filter(scope_for(by).organizations_q(), pk=side_organization.pk).exists()
    ):
        raise ApplicationError({"side_organization": _("联系党组织已撤销或不在您的管辖范围内")})


def _check_target(
    by: User,
    kind: str,
    enterprise: Enterprise | None,
    target_name: str,
    target_member: Member | None,
) -> tuple[Enterprise | None, str]:
    """The target's enterprise and name as stored (an owner's name defaults to the ledger's)."""
    target = KIND_SHAPE[kind][1]
    label = PairingKind(kind).label
    if target == TargetKind.AREA:
        if enterprise is not None or target_name or target_member is not None:
            raise ApplicationError(
                {"enterprise": _("“%(kind)s”的联系对象是所选街道，不填写企业或人员") % {"kind": label}}
            )
        return None, ""
    if target in (TargetKind.ENTERPRISE, TargetKind.OWNER, TargetKind.EMPLOYEE) and target_member is not None:
        raise ApplicationError({"target_member": _("“%(kind)s”的联系对象不从党员名册中选择") % {"kind": label}})
    if target == TargetKind.ENTERPRISE:
        if enterprise is None:
            raise ApplicationError({"enterprise": _("请选择联系的企业")})
        if target_name:
            raise ApplicationError({"target_name": _("“%(kind)s”的联系对象是企业，不填写人员姓名") % {"kind": label}})
        return enterprise, ""
    if target_member is not None:
        if not _reachable_member(by, target_member):
            raise ApplicationError({"target_member": _("联系对象不在您的管辖范围内")})
        if target == TargetKind.CANDIDATE and target_member.stage not in CANDIDATE_STAGES:
            raise ApplicationError({"target_member": _("联系对象须是入党申请人、积极分子或发展对象")})
        if target == TargetKind.MOBILE_MEMBER and not target_member.mobility:
            raise ApplicationError({"target_member": _("联系对象须是登记的流动党员")})
        return enterprise or target_member.enterprise, ""
    if enterprise is None:
        raise ApplicationError({"enterprise": _("请选择联系对象所在的企业")})
    name = target_name or (enterprise.owner_name if target == TargetKind.OWNER else "")
    if not name:
        raise ApplicationError({"target_name": _("请填写联系对象姓名")})
    return enterprise, name[:50]


@transaction.atomic
def pairing_create(
    *,
    by: User,
    kind: str,
    side_kind: str,
    starts_on: date,
    ends_on: date | None = None,
    quota_per_quarter: int = 1,
    street: Region | None = None,
    side_name: str = "",
    side_user: User | None = None,
    side_member: Member | None = None,
    side_organization: PartyOrganization | None = None,
    enterprise: Enterprise | None = None,
    target_name: str = "",
    target_member: Member | None = None,
) -> Pairing:
    """Set up a pairing (定人: the party side; 定时: the period; 定量: contacts per quarter)."""
    require_permission(policy.may_manage_pairings(by), _("仅区、街道两新工委工作人员可以建立结对"))
    if kind not in PairingKind.values:
        raise ApplicationError({"kind": _("请选择结对类型")})
    if kind == PairingKind.INSTRUCTOR_ENTERPRISE:
        raise ApplicationError({"kind": _("党建指导员联系企业请在“指导员选派”中登记")})
    side_name = (side_name or "").strip()[:100]
    target_name = (target_name or "").strip()
    _check_side(by, kind, side_kind, side_name, side_user, side_member, side_organization)
    enterprise, target_name = _check_target(by, kind, enterprise, target_name, target_member)
    if enterprise is not None:
        if street is not None and street.pk != enterprise.street_id:
            raise ApplicationError({"street": _("所选企业不在该街道")})
        street = enterprise.street
    if street is None or street.kind != Region.Kind.STREET:
        raise ApplicationError({"street": _("请选择所属街道")})
    require_permission(policy.may_manage_pairing_in(by, street.pk), _("您不能在该街道建立结对"))
    if (
        side_user is not None
        and not User.objects.filter(policy.pairing_side_users_q([street]), pk=side_user.pk).exists()
    ):
        raise ApplicationError({"side_user": _("联系领导/干部须是本区的领导或工作人员")})
    if quota_per_quarter is None or quota_per_quarter < 0:
        raise ApplicationError({"quota_per_quarter": _("每季度联系次数不能小于0")})
    if quota_per_quarter > QUOTA_MAX:
        raise ApplicationError({"quota_per_quarter": _("每季度联系次数不能超过%(n)d次") % {"n": QUOTA_MAX}})
    if ends_on is not None and ends_on < starts_on:
        raise ApplicationError({"ends_on": _("结束日期不能早于开始日期")})
    pairing = Pairing.objects.create(
        kind=kind,
        side_kind=side_kind,
        side_name=side_name,
        side_user=side_user,
        side_member=side_member,
        side_organization=side_organization,
        enterprise=enterprise,
        target_name=target_name,
        target_member=target_member,
        street=street,
        starts_on=starts_on,
        ends_on=ends_on,
        quota_per_quarter=quota_per_quarter,
        created_by=by,
    )
    audit_event(actor=by, instance=pairing, event="pairing_created", detail={"kind": kind})
    return pairing


@transaction.atomic
def pairing_set_active(*, pairing: Pairing, by: User, active: bool) -> Pairing:
    """Stop a pairing (no more visits on it) or take it up again."""
    require_permission(policy.may_manage_pairing_in(by, pairing.street_id), _("您不能调整该街道的结对"))
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    pairing.active = active
    pairing.save(update_fields=["active"])
    audit_event(actor=by, instance=pairing, event="pairing_active" if active else "pairing_stopped", detail={})
    return pairing


def visit_photos_prepare(*, uploads: list[UploadedFile]) -> list[PreparedFile]:
    """Check the photos of a visit by their content (the activities' check) before anything is written."""
    if len(uploads) > PHOTOS_MAX:
        raise ApplicationError({"photos": _("每次最多上传%(n)d张照片") % {"n": PHOTOS_MAX}})
    prepared = []
    for upload in uploads:
        try:
            item = attachment_prepare(upload=upload)
        except ApplicationError as exc:
            raise ApplicationError({"photos": exc.messages}) from None
        if item.kind != Attachment.Kind.IMAGE:
            raise ApplicationError({"photos": _("文件「%(name)s」不是照片，只能上传照片") % {"name": item.name}})
        prepared.append(item)
    return prepared


def _check_settled(settled_on: date | None, visited_on: date, problem_found: bool) -> None:
    if settled_on is None:
        return
    if not problem_found:
        raise ApplicationError({"settled_on": _("未发现问题，不填写解决日期")})
    if settled_on < visited_on:
        raise ApplicationError({"settled_on": _("问题解决日期不能早于联系日期")})
    if settled_on > timezone.localdate():
        raise ApplicationError({"settled_on": _("问题解决日期不能晚于今天")})


@transaction.atomic
def visit_log(
    *,
    pairing: Pairing,
    by: User,
    visited_on: date,
    kind: str,
    findings: str,
    follow_up: str = "",
    problem_found: bool = False,
    settled_on: date | None = None,
    photos: list[PreparedFile] | None = None,
) -> Visit:
    """Log a contact on a pairing (often from a phone, with photos)."""
    require_permission(policy.may_log_pairing_visit(by, pairing), _("您不能为该结对登记联系记录"))
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if not pairing.active:
        raise ApplicationError(_("该结对已停用，不能登记联系记录"))
    if visited_on > timezone.localdate():
        raise ApplicationError({"visited_on": _("联系日期不能晚于今天")})
    if visited_on < pairing.starts_on or (pairing.ends_on and visited_on > pairing.ends_on):
        period = f"{pairing.starts_on:%Y-%m-%d} — {pairing.ends_on:%Y-%m-%d}" if pairing.ends_on else ""
        raise ApplicationError(
            {
                "visited_on": _("联系日期不在结对期限内（%(period)s）")
                % {"period": period or f"{pairing.starts_on:%Y-%m-%d} 起"}
            }
        )
    if kind not in Visit.Kind.values:
        raise ApplicationError({"kind": _("请选择联系方式")})
    findings = (findings or "").strip()
    if not findings:
        raise ApplicationError({"findings": _("请填写了解情况")})
    _check_settled(settled_on, visited_on, problem_found)
    visit = Visit.objects.create(
        pairing=pairing,
        visited_on=visited_on,
        kind=kind,
        findings=findings,
        follow_up=(follow_up or "").strip(),
        problem_found=problem_found,
        settled_on=settled_on,
        created_by=by,
    )
    for item in photos or []:
        photo = VisitPhoto(visit=visit, original_name=item.name, size=len(item.content), uploaded_by=by)
        # Through the storage API; upload_to gives it a random name.
        photo.file.save("photo.jpg", ContentFile(item.content), save=False)
        photo.save()
    audit_event(actor=by, instance=visit, event="pairing_visit", detail={"pairing": pairing.pk})
    return visit


@transaction.atomic
def visit_settle(*, visit: Visit, by: User, settled_on: date) -> Visit:
    """The problem a visit found is settled (问题化解) on a date."""
    require_permission(policy.may_log_pairing_visit(by, visit.pairing), _("您不能为该结对登记联系记录"))
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if not visit.problem_found:
        raise ApplicationError({"settled_on": _("该记录未发现问题")})
    if visit.settled_on is not None:
        raise ApplicationError({"settled_on": _("该问题已登记解决")})
    _check_settled(settled_on, visit.visited_on, True)
    visit.settled_on = settled_on
    visit.save(update_fields=["settled_on"])
    audit_event(actor=by, instance=visit, event="pairing_problem_settled", detail={"settled_on": str(settled_on)})
    return visit


def pairing_write_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a create form or request the service takes (blank names as empty strings)."""
    names = (
        "kind side_kind starts_on ends_on quota_per_quarter street side_name side_user side_member "
        "side_organization enterprise target_name target_member"
    ).split()
    return {name: data[name] for name in names if name in data and data[name] not in (None, "")}

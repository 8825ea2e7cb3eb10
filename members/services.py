"""Writes of members. ID numbers are checked, encrypted and indexed here."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.crypto import blind_index
from core.errors import ApplicationError
from core.validators import birth_date_from_id, validate_id_number, validate_phone
from orgs import policy
from orgs.audit import audit_event
from orgs.models import PartyOrganization, User
from orgs.policy import require, require_permission

from .models import STAGE_DATE_FIELDS, Member, MemberEvent, Stage, Transfer
from .rules import member_rule_errors
from .selectors import member_by_id_number

if TYPE_CHECKING:
    # The API passes DRF's request; DRF is imported for the annotation only.
    from rest_framework.request import Request

MAY_NOT_EDIT = gettext_lazy("仅本组织书记或区两新工委工作人员可维护党员名册")

MEMBER_WRITABLE = [
    "name",
    "gender",
    "birth_date",
    "phone",
    "education",
    "job",
    "enterprise",
    "stage",
    "applied_on",
    "activist_on",
    "candidate_on",
    "probationary_on",
    "formal_on",
    "mobility",
    "identity_revealed",
    "joined_org_on",
]


def _check_duplicate(id_number: str, exclude_pk: int | None = None) -> None:
    existing = member_by_id_number(id_number=id_number)
    if existing is not None and existing.pk != exclude_pk:
        raise ApplicationError(
            {
                "id_number": _("该身份证号已登记在「%(org)s」（党员：%(name)s），同一人不能同时在两个党组织")
                % {"org": existing.organization.name, "name": existing.name}
            }
        )


def _validate_member(member: Member) -> None:
    """The model's own checks and the domain rules (members.rules), all
    reported together, each under the field it concerns."""
    errors: dict[str, list[str]] = {}
    try:
        member.full_clean(exclude=["id_number_index", "phone_index"])
    except ValidationError as exc:
        errors = {field: list(messages) for field, messages in exc.message_dict.items()}
    for field, message in member_rule_errors(member).items():
        errors.setdefault(field, [message])
    if errors:
        raise ApplicationError(errors)


def prepare_member(*, organization: PartyOrganization, id_number: str, **fields: Any) -> Member:
    """Validate and build (not save) a member: shared by the form, the API
    and the roster import so all three apply the same rules."""
    unknown = set(fields) - set(MEMBER_WRITABLE)
    if unknown:
        raise ApplicationError(_("不可写入的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    try:
        number = validate_id_number(id_number)
    except ValidationError as exc:
        raise ApplicationError({"id_number": exc.messages}) from None
    if fields.get("phone"):
        try:
            fields["phone"] = validate_phone(fields["phone"])
        except ValidationError as exc:
            raise ApplicationError({"phone": exc.messages}) from None
    fields.setdefault("birth_date", birth_date_from_id(number))
    member = Member(organization=organization, id_number=number, id_number_index=blind_index(number), **fields)
    member.phone_index = blind_index(member.phone) if member.phone else ""
    _validate_member(member)
    return member


@transaction.atomic
def member_create(*, organization: PartyOrganization, id_number: str, by: User | None, **fields: Any) -> Member:
    member = prepare_member(organization=organization, id_number=id_number, **fields)
    return member_save_new(member=member, by=by)


@transaction.atomic
def member_save_new(*, member: Member, by: User | None) -> Member:
    """Save a member built by `prepare_member` (the form, the API and the
    roster import all end here): district-wide duplicate check, then the
    JOINED event."""
    organization = member.organization
    if by is not None:
        require_permission(policy.may_edit_members(by, organization), MAY_NOT_EDIT)
    _check_duplicate(member.id_number)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        # Two filings of one number raced past the check: the unique index decides.
        _check_duplicate(member.id_number)
        raise
    MemberEvent.objects.create(
        member=member,
        kind=MemberEvent.Kind.JOINED,
        happened_on=timezone.localdate(),
        to_organization=organization,
        recorded_by=by,
    )
    return member


@transaction.atomic
def member_update(*, member: Member, by: User, id_number: str | None = None, **fields: Any) -> Member:
    unknown = set(fields) - set(MEMBER_WRITABLE)
    if unknown:
        raise ApplicationError(_("不可写入的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(policy.may_edit_members(by, member.organization), MAY_NOT_EDIT)
    if id_number is not None and id_number.strip().upper() != member.id_number:
        try:
            number = validate_id_number(id_number)
        except ValidationError as exc:
            raise ApplicationError({"id_number": exc.messages}) from None
        _check_duplicate(number, exclude_pk=member.pk)
        member.id_number = number
        member.id_number_index = blind_index(number)
        # The birth date follows the number unless the caller states one (then it must agree).
        fields.setdefault("birth_date", birth_date_from_id(number))
    if fields.get("phone"):
        try:
            fields["phone"] = validate_phone(fields["phone"])
        except ValidationError as exc:
            raise ApplicationError({"phone": exc.messages}) from None
    for name, value in fields.items():
        setattr(member, name, value)
    member.phone_index = blind_index(member.phone) if member.phone else ""
    _validate_member(member)
    member.save()
    audit_event(actor=by, instance=member, event="member_updated", detail={"fields": sorted(fields)})
    return member


def _next_stage(stage: str) -> str | None:
    order = [s for s, _field in STAGE_DATE_FIELDS]
    index = order.index(stage)
    return order[index + 1] if index + 1 < len(order) else None


@transaction.atomic
def member_advance_stage(*, member: Member, by: User, on: date, note: str = "") -> Member:
    """Move an applicant one step along the pipeline. Dates must follow
    each other, and a probationary member becomes formal only after the
    one-year probation."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(policy.may_edit_members(by, member.organization), MAY_NOT_EDIT)
    if member.status != Member.Status.ACTIVE:
        raise ApplicationError(_("该党员当前党籍状态不是正常，不能变更发展阶段"))
    target = _next_stage(member.stage)
    if target is None:
        raise ApplicationError(_("已是正式党员，没有下一个发展阶段"))
    if on > timezone.localdate():
        raise ApplicationError({"on": _("日期不能晚于今天")})
    current_field = dict(STAGE_DATE_FIELDS)[member.stage]
    current_date = getattr(member, current_field)
    if current_date and on < current_date:
        raise ApplicationError(
            {
                "on": _("%(stage)s日期不能早于%(previous)s日期（%(date)s）")
                % {"stage": Stage(target).label, "previous": Stage(member.stage).label, "date": current_date}
            }
        )
    previous = member.stage
    target_field = dict(STAGE_DATE_FIELDS)[target]
    setattr(member, target_field, on)
    member.stage = target
    # The timetable (a year of activist training, a year of probation) is
    # about the date chosen here, so its refusal names this form's field.
    timetable = member_rule_errors(member).get(target_field)
    if timetable:
        raise ApplicationError({"on": timetable})
    _validate_member(member)
    member.save()
    MemberEvent.objects.create(
        member=member,
        kind=MemberEvent.Kind.STAGE,
        happened_on=on,
        reason=note or f"{Stage(previous).label} → {Stage(target).label}",
        recorded_by=by,
    )
    audit_event(actor=by, instance=member, event="member_stage", detail={"from": previous, "to": target})
    return member


# What each recordable event does to the member. Transfers have their own
# two-sided workflow and are not recorded here.
DEPARTURE_KINDS = {
    MemberEvent.Kind.EXPELLED: Member.Status.LEFT,
    MemberEvent.Kind.DECEASED: Member.Status.LEFT,
    MemberEvent.Kind.LEFT_DISTRICT: Member.Status.LEFT,
    MemberEvent.Kind.SUSPENDED: Member.Status.SUSPENDED,
}
RECORDABLE_KINDS = [
    MemberEvent.Kind.MOBILE_IN,
    MemberEvent.Kind.MOBILE_OUT,
    MemberEvent.Kind.REVEALED,
    *DEPARTURE_KINDS,
]


@transaction.atomic
def member_record_event(*, member: Member, by: User, kind: str, on: date, reason: str = "") -> MemberEvent:
    """Mobility (流入/流出), 亮身份, and departures. Nobody is deleted: a
    departure is an event with a date and a reason, and the member stays."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(policy.may_edit_members(by, member.organization), MAY_NOT_EDIT)
    if kind not in RECORDABLE_KINDS:
        raise ApplicationError({"kind": _("不支持的变动类别")})
    if on > timezone.localdate():
        raise ApplicationError({"on": _("日期不能晚于今天")})
    reason = (reason or "").strip()
    if kind in DEPARTURE_KINDS:
        if not reason:
            raise ApplicationError({"reason": _("请填写原因")})
        if member.status == Member.Status.LEFT:
            raise ApplicationError(_("该党员已离开，不能重复登记"))
        member.status = DEPARTURE_KINDS[MemberEvent.Kind(kind)]
        if member.status == Member.Status.LEFT:
            member.left_on = on
    elif kind == MemberEvent.Kind.MOBILE_IN:
        member.mobility = Member.Mobility.INFLOW
    elif kind == MemberEvent.Kind.MOBILE_OUT:
        member.mobility = Member.Mobility.OUTFLOW
    elif kind == MemberEvent.Kind.REVEALED:
        member.identity_revealed = True
    member.save()
    event = MemberEvent.objects.create(
        member=member,
        kind=kind,
        happened_on=on,
        reason=reason,
        from_organization=member.organization if kind in DEPARTURE_KINDS else None,
        recorded_by=by,
    )
    audit_event(actor=by, instance=member, event=f"member_{kind}", detail={"reason": reason})
    return event


def member_reveal(*, member: Member, by: User, field: str, request: "HttpRequest | Request | None" = None) -> str:
    """The whole ID number or phone, for a user allowed to see it; every
    reveal is written to the audit trail."""
    if field not in ("id_number", "phone"):
        raise ApplicationError(_("不支持的字段"))
    require_permission(policy.may_reveal_member(by, member), _("您无权查看完整的身份证号或手机号"))
    audit_event(actor=by, instance=member, event="member_reveal", detail={"field": field}, request=request)
    return getattr(member, field)


@transaction.atomic
def transfer_request(*, member: Member, by: User, to_organization: PartyOrganization, reason: str = "") -> Transfer:
    member = Member.objects.select_for_update().get(pk=member.pk)
    require_permission(policy.may_edit_members(by, member.organization), MAY_NOT_EDIT)
    if member.status != Member.Status.ACTIVE:
        raise ApplicationError(_("该党员当前党籍状态不是正常，不能办理转接"))
    if to_organization.pk == member.organization_id:
        raise ApplicationError({"to_organization": _("接收党组织不能是本组织")})
    if to_organization.dissolved_on:
        raise ApplicationError({"to_organization": _("接收党组织已撤销")})
    if Transfer.objects.filter(member=member, status=Transfer.Status.REQUESTED).exists():
        raise ApplicationError(_("该党员已有一条待接收的转接申请"))
    transfer = Transfer.objects.create(
        member=member,
        from_organization=member.organization,
        to_organization=to_organization,
        reason=(reason or "").strip(),
        requested_by=by,
    )
    audit_event(actor=by, instance=transfer, event="transfer_requested", detail={"to": to_organization.pk})
    return transfer


def _lock_open_transfer(transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != Transfer.Status.REQUESTED:
        raise ApplicationError(_("该转接申请已处理，不能重复操作"))
    return transfer


def _require_receiver(by: User, transfer: Transfer) -> None:
    require(policy.may_edit_members(by, transfer.to_organization), _("只有接收党组织可以确认或退回此转接"))


@transaction.atomic
def transfer_confirm(*, transfer: Transfer, by: User, on: date | None = None, note: str = "") -> Transfer:
    """The receiver confirms: the membership moves, both events are written
    and the transfer closes, all in one transaction."""
    transfer = _lock_open_transfer(transfer)
    _require_receiver(by, transfer)
    on = on or timezone.localdate()
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    if member.organization_id != transfer.from_organization_id:
        raise ApplicationError(_("该党员的组织关系已不在转出党组织，请转出方撤回后重新申请"))
    member.organization = transfer.to_organization
    member.joined_org_on = on
    member.save(update_fields=["organization", "joined_org_on", "updated_at"])
    for kind in (MemberEvent.Kind.TRANSFER_OUT, MemberEvent.Kind.TRANSFER_IN):
        MemberEvent.objects.create(
            member=member,
            kind=kind,
            happened_on=on,
            reason=transfer.reason,
            from_organization=transfer.from_organization,
            to_organization=transfer.to_organization,
            recorded_by=by,
        )
    transfer.status = Transfer.Status.CONFIRMED
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.decision_note = (note or "").strip()
    transfer.save()
    audit_event(actor=by, instance=transfer, event="transfer_confirmed")
    return transfer


@transaction.atomic
def transfer_reject(*, transfer: Transfer, by: User, note: str) -> Transfer:
    note = (note or "").strip()
    if not note:
        raise ApplicationError({"note": _("退回转接申请时必须填写理由")})
    transfer = _lock_open_transfer(transfer)
    _require_receiver(by, transfer)
    transfer.status = Transfer.Status.REJECTED
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.decision_note = note
    transfer.save()
    audit_event(actor=by, instance=transfer, event="transfer_rejected", detail={"note": note})
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, by: User) -> Transfer:
    transfer = _lock_open_transfer(transfer)
    require(policy.may_edit_members(by, transfer.from_organization), _("只有转出党组织可以撤回此转接"))
    transfer.status = Transfer.Status.CANCELLED
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer.save()
    audit_event(actor=by, instance=transfer, event="transfer_cancelled")
    return transfer


def members_merge_into(*, source: PartyOrganization, target: PartyOrganization) -> int:
    """A merge of organizations: everyone still on `source`'s roster moves to
    `target` (each change audited), and transfers waiting to be received by
    `source` now wait on `target`. Those who left stay in `source`'s history."""
    moved = 0
    for member in Member.objects.filter(organization=source).exclude(status=Member.Status.LEFT):
        member.organization = target
        member.save(update_fields=["organization", "updated_at"])
        moved += 1
    for transfer in Transfer.objects.filter(to_organization=source, status=Transfer.Status.REQUESTED):
        transfer.to_organization = target
        transfer.save(update_fields=["to_organization"])
    return moved

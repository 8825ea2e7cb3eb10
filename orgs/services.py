"""Writes of the ground floor. Each validates fully and writes in one transaction."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.validators import validate_credit_code, validate_phone

from . import policy
from .audit import audit_event
from .models import BusinessStatus, Enterprise, InstructorAssignment, InstructorVisit, Region, User
from .policy import require, require_permission

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request

ENTERPRISE_WRITABLE = [
    "name",
    "legal_type",
    "street",
    "park",
    "industry",
    "address",
    "status",
    "above_scale",
    "employees",
    "members_total",
    "members_formal",
    "members_probationary",
    "owner_name",
    "owner_is_member",
    "org_setup",
    "org_name",
    "secretary_name",
    "instructor_assigned",
    "union_established",
    "league_established",
    "union_members",
    "league_members",
    "managers",
    "managers_party_members",
    "phone",
    "revenue",
    "community",
    "closed_on",
]
# What staff correct on the enterprise's page (and a secretary may propose):
# the community is the survey's, set by the import.
ENTERPRISE_EDITABLE = [f for f in ENTERPRISE_WRITABLE if f != "community"]


def _require_enterprise_writer(by: User | None, street: Region | None) -> None:
    """`by` None is a system write (the demo seed, a data migration)."""
    if by is None:
        return
    require_permission(policy.may_edit_enterprises(by), _("仅区、街道两新工委工作人员可维护企业信息"))
    if street is not None:
        require_permission(policy.may_edit_enterprise_in(by, street), _("您不能在该街道登记或调整企业"))


@transaction.atomic
def enterprise_create(*, credit_code: str, by: User | None, **fields: Any) -> Enterprise:
    _require_enterprise_writer(by, fields.get("street"))
    code = validate_credit_code(credit_code)
    if Enterprise.objects.filter(credit_code=code).exists():
        raise ApplicationError({"credit_code": _("统一社会信用代码 %(code)s 已登记") % {"code": code}})
    unknown = set(fields) - set(ENTERPRISE_WRITABLE)
    if unknown:
        raise ApplicationError(_("不可写入的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    enterprise = Enterprise(credit_code=code, **fields)
    enterprise.full_clean()
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, by: User | None, **fields: Any) -> Enterprise:
    _require_enterprise_writer(by, fields.get("street"))
    street = fields.get("street")
    if by is not None and street is not None and street.pk != enterprise.street_id:
        require_permission(
            policy.may_move_enterprise(by, enterprise, street),
            _("迁往其他街道须由区两新工委办理，或由同时管辖两个街道的工作人员办理"),
        )
    unknown = set(fields) - set(ENTERPRISE_WRITABLE)
    if unknown:
        raise ApplicationError(_("不可写入的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(enterprise, name, value)
    enterprise.full_clean()
    enterprise.save()
    return enterprise


def enterprise_phone_reveal(*, enterprise: Enterprise, by: User, request: "HttpRequest | Request | None" = None) -> str:
    """The whole contact phone, for a user allowed to see it; every reveal
    is written to the audit trail (as a member's numbers are)."""
    require_permission(policy.may_reveal_enterprise_phone(by, enterprise), _("您无权查看企业完整的联系电话"))
    audit_event(
        actor=by, instance=enterprise, event="enterprise_phone_reveal", detail={"field": "phone"}, request=request
    )
    return enterprise.phone


def _check_closing(enterprise: Enterprise, fields: dict[str, Any]) -> None:
    """停业/注销 carry their date, not in the future; trading again clears it (in `fields`)."""
    status = fields.get("status", enterprise.status)
    closed_on = fields.get("closed_on", enterprise.closed_on)
    if status == BusinessStatus.OPERATING:
        fields["closed_on"] = None
    elif closed_on is None:
        raise ApplicationError({"closed_on": _("停业或注销须填写停业/注销日期")})
    elif closed_on > timezone.localdate():
        raise ApplicationError({"closed_on": _("停业/注销日期不能晚于今天")})


@transaction.atomic
def enterprise_change(*, enterprise: Enterprise, by: User, reason: str = "", **fields: Any) -> Enterprise:
    """A change sent through the API: the fields it names, with the closing
    rule of the page's edit whenever it touches the status or its date."""
    if {"status", "closed_on"} & set(fields):
        _check_closing(enterprise, fields)
    enterprise.audit_reason = (reason or "").strip()  # type: ignore[attr-defined]
    return enterprise_update(enterprise=enterprise, by=by, **fields)


def enterprise_edit_changes(*, enterprise: Enterprise, **fields: Any) -> dict[str, Any]:
    """The fields of an edit that change the enterprise, checked by the rules
    of an edit (closing needs its date; a new phone number is well formed);
    nothing is written. A staff edit and a secretary's proposal both ask this."""
    unknown = set(fields) - set(ENTERPRISE_EDITABLE)
    if unknown:
        raise ApplicationError({name: _("不可修改的字段：%(f)s") % {"f": name} for name in sorted(unknown)})
    _check_closing(enterprise, fields)
    changed = {k: v for k, v in fields.items() if getattr(enterprise, k) != v}
    if changed.get("phone"):
        try:
            changed["phone"] = validate_phone(changed["phone"])
        except ValidationError as exc:
            raise ApplicationError({"phone": exc.messages}) from None
    if not changed:
        raise ApplicationError(_("没有需要保存的修改"))
    return changed


@transaction.atomic
def enterprise_edit(*, enterprise: Enterprise, by: User, reason: str, **fields: Any) -> Enterprise:
    """Staff correct an enterprise's facts between surveys, mark it closed
    (停业/注销 with the date) or move it to another street. The reason is
    kept with the audit entry of the change, which the enterprise's history lists."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": _("请填写修改原因")})
    changed = enterprise_edit_changes(enterprise=enterprise, **fields)
    enterprise.audit_reason = reason  # type: ignore[attr-defined]
    return enterprise_update(enterprise=enterprise, by=by, **changed)


@transaction.atomic
def instructor_visit_create(
    *, assignment: InstructorAssignment, by: User, visited_on: date, summary: str
) -> InstructorVisit:
    """An instructor logs a visit to an assigned enterprise; these visits are
    the evidence behind work coverage."""
    summary = (summary or "").strip()
    require(policy.may_log_visit(by, assignment), _("只能为分配给您的企业登记走访"))
    if visited_on > timezone.localdate():
        raise ApplicationError({"visited_on": _("走访日期不能晚于今天")})
    if visited_on < assignment.start_on or (assignment.end_on and visited_on > assignment.end_on):
        raise ApplicationError({"visited_on": _("走访日期不在选派期内")})
    if not summary:
        raise ApplicationError({"summary": _("请填写工作内容")})
    visit = InstructorVisit.objects.create(assignment=assignment, visited_on=visited_on, summary=summary, created_by=by)
    audit_event(actor=by, instance=visit, event="instructor_visit", detail={"enterprise": assignment.enterprise_id})
    return visit

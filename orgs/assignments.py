"""Writes on instructor assignments: staff assign a party-building
instructor to an enterprise for a period, and end the assignment. The
instructor's visits during it give the enterprise work coverage."""

from datetime import date

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from . import policy
from .audit import audit_event
from .models import Enterprise, InstructorAssignment, User
from .policy import require_permission


@transaction.atomic
def assignment_create(
    *, by: User, enterprise: Enterprise, instructor: User, start_on: date, end_on: date | None = None
) -> InstructorAssignment:
    require_permission(policy.may_assign_instructor_to(by, enterprise), _("您不能为该企业选派党建指导员"))
    if not policy.instructors().filter(pk=instructor.pk).exists():
        raise ApplicationError({"instructor": _("指导员：%(u)s 不是在用的党建指导员账号") % {"u": instructor}})
    if end_on is not None and end_on < start_on:
        raise ApplicationError({"end_on": _("结束日期：不能早于开始日期")})
    overlapping = InstructorAssignment.objects.filter(enterprise=enterprise, instructor=instructor).exclude(
        end_on__lt=start_on
    )
    if end_on is not None:
        overlapping = overlapping.exclude(start_on__gt=end_on)
    if overlapping.exists():
        raise ApplicationError({"start_on": _("开始日期：该指导员在此期间已选派到这家企业")})
    with set_actor(by):
        assignment = InstructorAssignment.objects.create(
            enterprise=enterprise,
            instructor=instructor,
            instructor_name=instructor.display_name or instructor.username,
            start_on=start_on,
            end_on=end_on,
        )
    audit_event(
        actor=by,
        instance=assignment,
        event="instructor_assigned",
        detail={"enterprise": enterprise.pk, "instructor": instructor.pk},
    )
    return assignment


@transaction.atomic
def assignment_end(*, by: User, assignment: InstructorAssignment, end_on: date) -> InstructorAssignment:
    assignment = InstructorAssignment.objects.select_for_update().get(pk=assignment.pk)
    require_permission(
        policy.may_assign_instructor_to(by, assignment.enterprise), _("您不能调整该企业的党建指导员选派")
    )
    if assignment.end_on is not None:
        raise ApplicationError({"end_on": _("结束日期：该选派已于 %(d)s 结束") % {"d": assignment.end_on}})
    if end_on < assignment.start_on:
        raise ApplicationError({"end_on": _("结束日期：不能早于开始日期")})
    last_visit = assignment.visits.aggregate(last=Max("visited_on"))["last"]
    if last_visit is not None and end_on < last_visit:
        raise ApplicationError({"end_on": _("结束日期：不能早于最后一次走访（%(d)s）") % {"d": last_visit}})
    with set_actor(by):
        assignment.end_on = end_on
        assignment.save(update_fields=["end_on"])
    audit_event(actor=by, instance=assignment, event="instructor_assignment_ended", detail={"end_on": str(end_on)})
    return assignment

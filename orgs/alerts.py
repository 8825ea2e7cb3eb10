"""Writes on warnings (DESIGN.md §10): 督办, the assignee's answer, staff
closing or sending back, the nightly refresh's own steps, and 整顿 plans.

Every step is kept as an AlertStep (who, when, note). Each service checks
the policy, validates fully and writes nothing when it refuses.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import ApplicationError
from core.files import IMAGE_KINDS, KIND_EXTENSIONS, FileKind, sniff

from . import policy
from .audit import audit_event
from .models import Alert, AlertStep, PartyOrganization, RectificationPlan, RectificationStep, User
from .policy import require_permission

AUTO_CLOSE_NOTE = gettext_noop("条件已消除，自动解除")
ESCALATE_NOTE = gettext_noop("逾期未办结，预警级别上调一级")
# blue → yellow → red; red stays red.
LEVEL_UP = {Alert.Level.BLUE: Alert.Level.YELLOW, Alert.Level.YELLOW: Alert.Level.RED, Alert.Level.RED: Alert.Level.RED}
EVIDENCE_KINDS = IMAGE_KINDS | {FileKind.PDF, FileKind.OFD}


def raised_level(level: str) -> str:
    return LEVEL_UP.get(Alert.Level(level), Alert.Level.RED)


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update(of=("self",)).select_related("organization", "enterprise").get(pk=alert.pk)


def _refuse_closed(alert: Alert) -> None:
    if alert.state == Alert.State.CLOSED:
        raise ApplicationError({"state": _("办理状态：此预警已解除，不能再办理")})


def _step(alert: Alert, *, action: str, by: User | None, from_state: str, **fields: object) -> AlertStep:
    step = AlertStep.objects.create(alert=alert, action=action, by=by, from_state=from_state, **fields)
    audit_event(actor=by, instance=alert, event=f"alert_{action}", detail={"step": step.pk})
    return step


@transaction.atomic
def alert_assign(*, alert: Alert, by: User, assignee: User | None, deadline: date | None, note: str = "") -> Alert:
    """督办: hand the warning to someone whose scope covers it, with a deadline."""
    require_permission(policy.may_work_alert(by, alert), _("仅区、街道工作人员可督办其管辖范围内的预警"))
    alert = _locked(alert)
    _refuse_closed(alert)
    errors = {}
    if assignee is None:
        errors["assignee"] = _("责任人：请选择责任人")
    elif not policy.may_be_assigned_alert(assignee, alert):
        errors["assignee"] = _("责任人：%(name)s 的管辖范围不包括此预警") % {"name": assignee}
    if deadline is None:
        errors["deadline"] = _("办理期限：请填写办理期限")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("办理期限：不能早于今天")
    if errors:
        raise ApplicationError(errors)
    from_state = alert.state
    alert.assignee, alert.deadline, alert.state = assignee, deadline, Alert.State.ASSIGNED
    alert.save(update_fields=["assignee", "deadline", "state"])
    _step(
        alert,
        action=AlertStep.Action.ASSIGN,
        by=by,
        from_state=from_state,
        assignee=assignee,
        deadline=deadline,
        note=(note or "").strip(),
    )
    return alert


def _evidence(upload: UploadedFile) -> tuple[ContentFile, str]:
    """The evidence file, checked by its content like every upload (core.files.sniff)."""
    name = os.path.basename(getattr(upload, "name", "") or "file")[:200]
    limit = getattr(settings, "ACTIVITY_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            {"evidence": _("佐证材料：文件超过大小限制（%(limit)d MB）") % {"limit": limit // (1024 * 1024)}}
        )
    if not data:
        raise ApplicationError({"evidence": _("佐证材料：文件是空文件")})
    kind = sniff(data, name=name)
    if kind not in EVIDENCE_KINDS:
        raise ApplicationError({"evidence": _("佐证材料：只能上传照片（JPG/PNG）、PDF或OFD文件")})
    extension = KIND_EXTENSIONS[kind]
    stem = os.path.splitext(name)[0] or "file"
    return ContentFile(data, name=f"{stem}.{extension}"), f"{stem}.{extension}"


@transaction.atomic
def alert_respond(*, alert: Alert, by: User, text: str, evidence: UploadedFile | None = None) -> Alert:
    """The assignee answers with what was done, and optionally a file as evidence."""
    alert = _locked(alert)
    if not policy.may_respond_alert(by, alert):
        raise ApplicationError({"assignee": _("责任人：此预警未督办给您，不能反馈")})
    _refuse_closed(alert)
    if alert.state != Alert.State.ASSIGNED:
        raise ApplicationError({"state": _("办理状态：已反馈，等待审核，不能重复反馈")})
    text = (text or "").strip()
    if not text:
        raise ApplicationError({"text": _("办理情况：请填写办理情况")})
    fields: dict[str, object] = {"note": text}
    if evidence is not None:
        content, original = _evidence(evidence)
        fields.update(evidence=content, evidence_name=original)
    from_state = alert.state
    alert.state = Alert.State.RESPONDED
    alert.save(update_fields=["state"])
    _step(alert, action=AlertStep.Action.RESPOND, by=by, from_state=from_state, **fields)
    return alert


@transaction.atomic
def alert_close(*, alert: Alert, by: User, note: str = "") -> Alert:
    """Staff check the work and close the warning."""
    require_permission(policy.may_work_alert(by, alert), _("仅区、街道工作人员可解除其管辖范围内的预警"))
    alert = _locked(alert)
    if alert.state == Alert.State.CLOSED:
        raise ApplicationError({"state": _("办理状态：此预警已解除，不能重复解除")})
    from_state = alert.state
    alert.state, alert.closed_on, alert.closed_by_refresh = Alert.State.CLOSED, timezone.localdate(), False
    alert.save(update_fields=["state", "closed_on", "closed_by_refresh"])
    _step(alert, action=AlertStep.Action.CLOSE, by=by, from_state=from_state, note=(note or "").strip())
    return alert


@transaction.atomic
def alert_reopen(*, alert: Alert, by: User, note: str) -> Alert:
    """Send the warning back: an answer that does not do, or a close made too soon."""
    require_permission(policy.may_work_alert(by, alert), _("仅区、街道工作人员可退回其管辖范围内的预警"))
    alert = _locked(alert)
    note = (note or "").strip()
    if not note:
        raise ApplicationError({"note": _("退回说明：请填写退回原因")})
    if alert.state == Alert.State.CLOSED:
        if alert.closed_by_refresh:
            raise ApplicationError({"state": _("办理状态：预警条件已消除，不能退回")})
        if Alert.objects.filter(kind=alert.kind, subject_key=alert.subject_key, closed_on__isnull=True).exists():
            raise ApplicationError({"state": _("办理状态：同一问题已有新的预警，请在新预警中办理")})
    elif alert.state != Alert.State.RESPONDED:
        raise ApplicationError({"state": _("办理状态：只有已反馈或已解除的预警可以退回")})
    from_state = alert.state
    alert.state = Alert.State.ASSIGNED if alert.assignee_id else Alert.State.OPEN
    alert.closed_on = None
    alert.save(update_fields=["state", "closed_on"])
    _step(alert, action=AlertStep.Action.REOPEN, by=by, from_state=from_state, note=note)
    return alert


# --- the nightly refresh's own steps ----------------------------------------------------------------


def alerts_refresh_undo(*, kinds: Sequence[str], on: date) -> None:
    """A second run on one date starts from what the first found: the alerts
    it closed are open again, in the state they were in, without its step."""
    steps = AlertStep.objects.filter(
        action=AlertStep.Action.AUTO_CLOSE, on=on, alert__kind__in=kinds, alert__closed_on=on
    )
    undone = list(steps)
    for step in undone:
        Alert.objects.filter(pk=step.alert_id).update(
            closed_on=None, closed_by_refresh=False, state=step.from_state or Alert.State.OPEN
        )
    AlertStep.objects.filter(pk__in=[s.pk for s in undone]).delete()
    # Alerts closed by a run before steps were kept.
    Alert.objects.filter(kind__in=kinds, closed_on=on, closed_by_refresh=True).update(
        closed_on=None, closed_by_refresh=False, state=Alert.State.OPEN
    )


def alerts_close_cleared(*, alerts: Iterable[Alert], on: date) -> int:
    """The condition is gone: close each alert and say so in its history."""
    alerts = list(alerts)
    steps = [
        AlertStep(alert=a, action=AlertStep.Action.AUTO_CLOSE, from_state=a.state, note=AUTO_CLOSE_NOTE, on=on)
        for a in alerts
    ]
    ids = [a.pk for a in alerts]
    for chunk in range(0, len(ids), 5000):
        Alert.objects.filter(pk__in=ids[chunk : chunk + 5000]).update(
            closed_on=on, state=Alert.State.CLOSED, closed_by_refresh=True
        )
    AlertStep.objects.bulk_create(steps, batch_size=2000)
    return len(alerts)


def alerts_escalate_overdue(*, on: date) -> int:
    """Past the deadline and not closed: the level goes up one step, once."""
    overdue = list(
        Alert.objects.filter(closed_on__isnull=True, deadline__lt=on, escalated=False).exclude(state=Alert.State.CLOSED)
    )
    for alert in overdue:
        alert.level = raised_level(alert.level)
        alert.escalated = True
    Alert.objects.bulk_update(overdue, ["level", "escalated"], batch_size=500)
    AlertStep.objects.bulk_create(
        [
            AlertStep(alert=a, action=AlertStep.Action.ESCALATE, from_state=a.state, note=ESCALATE_NOTE, on=on)
            for a in overdue
        ],
        batch_size=2000,
    )
    return len(overdue)


# --- 整顿 plans ---------------------------------------------------------------------------------------


@transaction.atomic
def rectification_plan_create(
    *,
    organization: PartyOrganization,
    by: User,
    reason: str,
    title: str,
    steps: Sequence[tuple[str, date | None]],
) -> RectificationPlan:
    require_permission(
        policy.may_plan_rectification(by, organization), _("仅区、街道工作人员可为其管辖范围内的党组织制定整顿计划")
    )
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("整顿事项：请填写整顿事项")
    if reason not in RectificationPlan.Reason.values:
        errors["reason"] = _("整顿原因：请选择整顿原因")
    cleaned = [((t or "").strip(), d) for t, d in steps if (t or "").strip() or d]
    if not cleaned:
        errors["steps"] = _("整顿步骤：请至少填写一个步骤")
    for i, (step_title, due_on) in enumerate(cleaned, start=1):
        if not step_title:
            errors["steps"] = _("整顿步骤：第%(n)d步缺少内容") % {"n": i}
        elif due_on is None:
            errors["steps"] = _("整顿步骤：第%(n)d步缺少完成期限") % {"n": i}
    if errors:
        raise ApplicationError(errors)
    plan = RectificationPlan.objects.create(organization=organization, reason=reason, title=title, created_by=by)
    RectificationStep.objects.bulk_create(
        [RectificationStep(plan=plan, title=t[:200], due_on=d) for t, d in cleaned if d is not None]
    )
    return plan


@transaction.atomic
def rectification_step_done(*, step: RectificationStep, by: User) -> RectificationStep:
    require_permission(
        policy.may_mark_rectification_step(by, step.plan.organization),
        _("仅该党组织书记或区、街道工作人员可确认整顿步骤"),
    )
    step = RectificationStep.objects.select_for_update().get(pk=step.pk)
    if step.done_on is not None:
        raise ApplicationError({"done_on": _("完成日期：此步骤已确认完成")})
    step.done_on, step.done_by = timezone.localdate(), by
    step.save(update_fields=["done_on", "done_by"])
    return step

"""The secretary's side of a withdrawal (提取申请): file a project with its
budget (项目书), correct and resubmit it after a return, or withdraw it.
The transitions (`move`, `record_step`, `lock`) are shared with the
approvals (funds.approvals)."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import ApplicationError
from core.i18n import said
from core.money import ZERO
from orgs import policy
from orgs.audit import audit_event
from orgs.models import PartyOrganization, User
from orgs.policy import require

from .ledger import amount_parse, retry_on_conflict, today
from .models import Application, ApplicationStep, BudgetLine, FundAccount
from .notifications import notify, street_staff
from .rules import credit_line


def record_step(application: Application, *, action: str, from_status: str, by: User, reason: str = "", request=None):
    ApplicationStep.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        reason=reason,
        by=by,
    )
    audit_event(
        actor=by,
        instance=application,
        event=f"fund.application.{action}",
        detail={"from": from_status, "to": application.status, "reason": reason},
        request=request,
    )


def move(
    application: Application, *, to: str, action: str, by: User, reason: str = "", request=None, fields=None
) -> None:
    """Put the application into status `to`, save it (only `fields` besides
    the status, or everything) and record the step: one place for every
    transition of the workflow."""
    previous = application.status
    application.status = to
    application.waiting_since = timezone.now()
    application.save(update_fields=None if fields is None else ["status", "waiting_since", *fields])
    record_step(application, action=action, from_status=previous, by=by, reason=reason, request=request)


def lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("organization", "account").get(pk=application.pk)


def _clean_project(
    *, activity: str, activity_date: date | None, participants: object, budget_lines: Sequence[dict], amount: object
) -> tuple[dict, list[BudgetLine], Decimal]:
    errors: dict[str, list[str]] = {}
    activity = (activity or "").strip()
    if not activity:
        errors.setdefault("activity", []).append(_("请填写活动名称"))
    if activity_date is None:
        errors.setdefault("activity_date", []).append(_("请填写活动日期"))
    try:
        participants_n = int(participants)
    except (TypeError, ValueError):
        participants_n = 0
    if participants_n < 1:
        errors.setdefault("participants", []).append(_("参加人数至少为1人"))
    try:
        total = amount_parse(amount, field=_("申请金额"))
    except ApplicationError as exc:
        errors.setdefault("amount", []).extend(exc.messages)
        total = None
    lines: list[BudgetLine] = []
    line_sum = ZERO
    for i, raw in enumerate(budget_lines, start=1):
        item = (raw.get("item") or "").strip()
        if not item:
            errors.setdefault("budget_lines", []).append(_("第%(n)s项预算缺少支出项目名称") % {"n": i})
            continue
        try:
            value = amount_parse(raw.get("amount"), field=_("第%(n)s项预算金额") % {"n": i})
        except ApplicationError as exc:
            errors.setdefault("budget_lines", []).extend(exc.messages)
            continue
        line_sum += value
        lines.append(BudgetLine(item=item[:100], amount=value, note=(raw.get("note") or "")[:200]))
    if not budget_lines:
        errors.setdefault("budget_lines", []).append(_("请至少填写一项预算明细"))
    elif total is not None and "budget_lines" not in errors and line_sum != total:
        errors.setdefault("budget_lines", []).append(
            _("预算明细合计 %(sum)s 元与申请金额 %(amount)s 元不一致") % {"sum": line_sum, "amount": total}
        )
    if errors:
        raise ApplicationError(errors)
    fields = {"activity": activity[:200], "activity_date": activity_date, "participants": participants_n}
    return fields, lines, total  # type: ignore[return-value]


def _check_secretary(by: User, organization: PartyOrganization) -> None:
    require(policy.may_apply_for_withdrawal(by, organization), _("只有本党组织书记可以提交或修改提取申请"))


def _check_within_credit(*, account: FundAccount, amount: Decimal, on: date, application=None, values=None) -> None:
    line = credit_line(account=account, on=on, values=values, exclude_application=application)
    if amount > line.drawable:
        raise ApplicationError(
            {
                "amount": [
                    _("申请金额 %(amount)s 元超出可提取额度 %(drawable)s 元")
                    % {"amount": amount, "drawable": line.drawable}
                ]
            }
        )


@retry_on_conflict
def application_create(
    *,
    organization: PartyOrganization,
    by: User,
    activity: str,
    activity_date: date | None,
    participants: object,
    budget_lines: Sequence[dict],
    amount: object,
    description: str = "",
    request=None,
) -> Application:
    """The secretary files a project (项目书); it goes to the street for approval."""
    _check_secretary(by, organization)
    account = FundAccount.objects.select_for_update().filter(organization=organization).first()
    if account is None:
        raise ApplicationError(_("该党组织尚未开设公积金账户"))
    fields, lines, total = _clean_project(
        activity=activity,
        activity_date=activity_date,
        participants=participants,
        budget_lines=budget_lines,
        amount=amount,
    )
    _check_within_credit(account=account, amount=total, on=today())
    application = Application.objects.create(
        organization=organization,
        account=account,
        amount=total,
        description=description or "",
        status=Application.Status.STREET_REVIEW,
        waiting_since=timezone.now(),
        created_by=by,
        **fields,
    )
    for line in lines:
        line.application = application
    BudgetLine.objects.bulk_create(lines)
    record_step(application, action=ApplicationStep.Action.SUBMIT, from_status="", by=by, request=request)
    notify(
        street_staff(application),
        application,
        said(
            gettext_noop("待审批：%(org)s申请提取 %(amount)s 元（%(activity)s）"),
            **{"org": organization.name, "amount": total, "activity": application.activity},
        ),
    )
    return application


@retry_on_conflict
def application_resubmit(
    *,
    application: Application,
    by: User,
    activity: str,
    activity_date: date | None,
    participants: object,
    budget_lines: Sequence[dict],
    amount: object,
    description: str = "",
    request=None,
) -> Application:
    """A returned application, corrected and sent back to the street."""
    application = lock(application)
    _check_secretary(by, application.organization)
    if application.status != Application.Status.RETURNED:
        raise ApplicationError(_("只有已退回的申请可以修改后重新提交"))
    FundAccount.objects.select_for_update().filter(pk=application.account_id).first()
    fields, lines, total = _clean_project(
        activity=activity,
        activity_date=activity_date,
        participants=participants,
        budget_lines=budget_lines,
        amount=amount,
    )
    _check_within_credit(account=application.account, amount=total, on=today(), application=application)
    for key, value in fields.items():
        setattr(application, key, value)
    application.amount = total
    application.description = description or ""
    move(
        application, to=Application.Status.STREET_REVIEW, action=ApplicationStep.Action.RESUBMIT, by=by, request=request
    )
    application.budget_lines.all().delete()
    for line in lines:
        line.application = application
    BudgetLine.objects.bulk_create(lines)
    notify(
        street_staff(application),
        application,
        said(
            gettext_noop("待审批（重新提交）：%(org)s申请提取 %(amount)s 元"),
            **{"org": application.organization.name, "amount": total},
        ),
    )
    return application


@retry_on_conflict
def application_withdraw(*, application: Application, by: User, request=None) -> Application:
    application = lock(application)
    _check_secretary(by, application.organization)
    allowed = (Application.Status.STREET_REVIEW, Application.Status.DISTRICT_REVIEW, Application.Status.RETURNED)
    if application.status not in allowed:
        raise ApplicationError(_("该申请已进入公示或拨付环节，不能撤回"))
    move(
        application, to=Application.Status.WITHDRAWN, action=ApplicationStep.Action.WITHDRAW, by=by, request=request,
        fields=[],
    )  # fmt: skip
    return application

"""The staff's side of a withdrawal: street approval, district approval
(which opens 公示), returns, objections during 公示 and disbursement through
the journal (DESIGN.md §5); settlement (报账) is funds.settlements. Who may
act at each step is orgs.policy's to say."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import ApplicationError
from core.i18n import said
from core.money import ZERO
from orgs import policy
from orgs.models import User
from orgs.policy import require
from orgs.rulebook import district_of
from orgs.scoping import AnyUser
from orgs.selectors import rating_in_force

from .ledger import external_account, ledger_post, organization_pool, retry_on_conflict, today
from .models import Application, ApplicationStep, FundAccount, Objection, TransactionKind
from .notifications import district_staff, notify, secretaries, street_staff
from .rules import RuleValues, credit_line, rule_values
from .withdrawals import lock, move, record_step

NOT_ALLOWED = gettext_lazy("您没有办理此业务的权限")


class Level:
    """The two approval levels; their values are orgs.policy's."""

    STREET = "street"
    DISTRICT = "district"


LEVEL_STATUS = {Level.STREET: Application.Status.STREET_REVIEW, Level.DISTRICT: Application.Status.DISTRICT_REVIEW}
AFTER = {
    Level.STREET: (
        Application.Status.DISTRICT_REVIEW,
        Application.Status.PUBLICITY,
        Application.Status.DISBURSED,
        Application.Status.SETTLEMENT_REVIEW,
        Application.Status.SETTLED,
    ),
    Level.DISTRICT: (
        Application.Status.PUBLICITY,
        Application.Status.DISBURSED,
        Application.Status.SETTLEMENT_REVIEW,
        Application.Status.SETTLED,
    ),
}


def _check_approver(by: User, application: Application, level: str) -> None:
    if level == Level.STREET:
        require(policy.may_approve_withdrawal(by, application, level), _("只有本街道非公党委工作人员可以进行街道审批"))
    elif level == Level.DISTRICT:
        require(policy.may_approve_withdrawal(by, application, level), _("只有区两新工委工作人员可以进行区级审批"))
    else:
        raise ApplicationError(_("未知的审批环节"))


def _separation_refusal(by: AnyUser, application: Application, level: str) -> str | None:
    """Why `by` may not approve at `level` though their grants allow it, if so."""
    steps = application.steps
    filers = steps.filter(action__in=[ApplicationStep.Action.SUBMIT, ApplicationStep.Action.RESUBMIT])
    if not policy.acts_apart_from(by, filers.values_list("by", flat=True)):
        return _("不能审批本人提交的申请")
    if level == Level.DISTRICT:
        street = steps.filter(action=ApplicationStep.Action.STREET_APPROVE).values_list("by", flat=True)
        if not policy.acts_apart_from(by, street):
            return _("已做街道审批的人员不能再做区级审批")
    return None


def _check_separation(by: User, application: Application, level: str) -> None:
    refusal = _separation_refusal(by, application, level)
    require(refusal is None, refusal or "")


def may_approve_now(*, user: AnyUser, application: Application, level: str) -> bool:
    """What the page's approve button asks: the grant, and the separation of duties."""
    return (
        policy.may_approve_withdrawal(user, application, level)
        and _separation_refusal(user, application, level) is None
    )


def _check_turn(application: Application, level: str) -> None:
    if application.status == LEVEL_STATUS[level]:
        return
    if application.status in AFTER[level]:
        label = _("街道审批") if level == Level.STREET else _("区级审批")
        raise ApplicationError(_("%(step)s已完成，不能重复审批") % {"step": label})
    raise ApplicationError(_("此申请当前不在您的审批环节（当前状态：%(s)s）") % {"s": application.get_status_display()})


@retry_on_conflict
def application_approve(
    *,
    application: Application,
    by: User,
    level: str,
    on: date | None = None,
    publicity_days: int | None = None,
    opinion: str = "",
    request=None,
) -> Application:
    """Street approval, then district approval; the district approval fixes
    the star and the rule values in force on its date and opens 公示."""
    application = lock(application)
    _check_approver(by, application, level)
    _check_separation(by, application, level)
    _check_turn(application, level)
    if level == Level.STREET:
        move(
            application, to=Application.Status.DISTRICT_REVIEW, action=ApplicationStep.Action.STREET_APPROVE, by=by,
            reason=opinion, fields=[],
        )  # fmt: skip
        notify(
            district_staff(application),
            application,
            said(
                gettext_noop("待区级审批：%(org)s申请提取 %(amount)s 元"),
                **{"org": application.organization.name, "amount": application.amount},
            ),
        )
        return application

    on = on or today()
    days = application.publicity_days if publicity_days is None else publicity_days
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise ApplicationError({"publicity_days": [_("公示天数应为1至30天")]})
    rating = rating_in_force(organization=application.organization, on=on)
    values = rule_values(stars=rating.stars if rating else None, on=on, region=district_of(application.organization))
    FundAccount.objects.select_for_update().filter(pk=application.account_id).first()
    application.account.refresh_from_db()
    line = credit_line(account=application.account, on=on, values=values, exclude_application=application)
    if application.amount > line.drawable:
        raise ApplicationError(
            _("按审批日（%(on)s）的星级与标准，申请金额 %(amount)s 元超出可提取额度 %(drawable)s 元，请退回修改")
            % {"on": on, "amount": application.amount, "drawable": line.drawable}
        )
    application.approved_on = on
    application.stars = values.stars
    application.match_rate = values.match_rate
    application.subsidy_cap = values.subsidy_cap
    application.publicity_days = days
    application.publicity_start = on
    application.publicity_end = on + timedelta(days=days - 1)
    move(
        application,
        to=Application.Status.PUBLICITY,
        action=ApplicationStep.Action.DISTRICT_APPROVE,
        by=by,
        reason=opinion,
    )
    notice = said(
        gettext_noop("公示：%(org)s提取 %(amount)s 元用于「%(activity)s」，公示至 %(end)s，如有异议请在公示期内提出"),
        **{
            "org": application.organization.name,
            "amount": application.amount,
            "activity": application.activity,
            "end": application.publicity_end,
        },
    )
    notify([*street_staff(application), *district_staff(application)], application, notice)
    notify(
        secretaries(application),
        application,
        said(gettext_noop("您的申请已通过区级审批，进入公示（至 %(end)s）"), **{"end": application.publicity_end}),
    )
    return application


@retry_on_conflict
def application_return(*, application: Application, by: User, level: str, reason: str, request=None) -> Application:
    """Either level sends the application back to the secretary, always with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError({"reason": [_("退回必须填写理由")]})
    application = lock(application)
    _check_approver(by, application, level)
    allowed = (
        (Application.Status.STREET_REVIEW,)
        if level == Level.STREET
        else (Application.Status.DISTRICT_REVIEW, Application.Status.PUBLICITY)
    )
    if application.status not in allowed:
        raise ApplicationError(
            _("此申请当前不在您的审批环节（当前状态：%(s)s）") % {"s": application.get_status_display()}
        )
    move(
        application, to=Application.Status.RETURNED, action=ApplicationStep.Action.RETURN, by=by, reason=reason,
        request=request, fields=[],
    )  # fmt: skip
    application.objections.filter(resolved_at__isnull=True).update(
        resolution=_("申请已退回"), resolved_by=by, resolved_at=timezone.now()
    )
    notify(
        secretaries(application),
        application,
        said(gettext_noop("您的申请被退回：%(reason)s"), **{"reason": reason[:200]}),
    )
    return application


@retry_on_conflict
def objection_raise(
    *, application: Application, by: User, text: str, on: date | None = None, request=None
) -> Objection:
    """During 公示, staff of the scope may object; disbursement then waits for the district."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError({"text": [_("请填写异议内容")]})
    application = lock(application)
    require(policy.may_object_to_withdrawal(by), _("只有管辖范围内的工作人员可以提出异议"))
    on = on or today()
    if application.status != Application.Status.PUBLICITY or (
        application.publicity_end and on > application.publicity_end
    ):
        raise ApplicationError(_("该申请不在公示期内，不能提出异议"))
    objection = Objection.objects.create(application=application, text=text, by=by)
    record_step(application, action=ApplicationStep.Action.OBJECT, from_status=application.status, by=by, reason=text)
    notify(
        district_staff(application),
        application,
        said(gettext_noop("公示异议：%(org)s的提取申请收到异议"), **{"org": application.organization.name}),
    )
    return objection


@retry_on_conflict
def objection_resolve(*, objection: Objection, by: User, resolution: str, request=None) -> Objection:
    resolution = (resolution or "").strip()
    if not resolution:
        raise ApplicationError({"resolution": [_("请填写处理意见")]})
    require(policy.may_resolve_objection(by), NOT_ALLOWED)
    application = lock(objection.application)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.resolved_at:
        raise ApplicationError(_("该异议已处理"))
    objection.resolution = resolution
    objection.resolved_by = by
    objection.resolved_at = timezone.now()
    objection.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    record_step(
        application, action=ApplicationStep.Action.RESOLVE, from_status=application.status, by=by, reason=resolution
    )
    return objection


@retry_on_conflict
def application_disburse(*, application: Application, by: User, on: date | None = None, request=None) -> Application:
    """After 公示 without open objections: the pool pays the reward or subsidy
    part into the account, then the account pays out the whole amount.

    The organization's own money is used first and the pool covers the
    rest, up to what the district approval allowed; the locks make fifty
    simultaneous disbursements against one balance queue, and each sees the
    balance the previous one left."""
    require(policy.may_disburse(by), NOT_ALLOWED)
    application = lock(application)
    on = on or today()
    if application.status in (
        Application.Status.DISBURSED,
        Application.Status.SETTLEMENT_REVIEW,
        Application.Status.SETTLED,
    ):
        raise ApplicationError(_("该申请已拨付，不能重复拨付"))
    if application.status != Application.Status.PUBLICITY:
        raise ApplicationError(_("此申请当前不在拨付环节（当前状态：%(s)s）") % {"s": application.get_status_display()})
    if application.publicity_end and on <= application.publicity_end:
        raise ApplicationError(_("公示期未满（至 %(end)s），暂不能拨付") % {"end": application.publicity_end})
    if application.objections.filter(resolved_at__isnull=True).exists():
        raise ApplicationError(_("公示期间有未处理的异议，请先处理"))
    pool = organization_pool(application.organization)
    sink = external_account(FundAccount.Kind.EXTERNAL_SINK)
    accounts = {
        a.pk: a
        for a in FundAccount.objects.select_for_update().filter(pk__in=[application.account_id, pool.pk]).order_by("pk")
    }
    account, pool = accounts[application.account_id], accounts[pool.pk]
    values = RuleValues(
        stars=application.stars,
        match_rate=application.match_rate or Decimal("0"),
        subsidy_cap=application.subsidy_cap or ZERO,
    )
    line = credit_line(
        account=account, on=application.approved_on or on, values=values, exclude_application=application, pool=pool
    )
    own = min(application.amount, account.balance)
    from_pool = application.amount - own
    if from_pool > line.pool_available:
        raise ApplicationError(
            _("可提取额度不足：账户余额 %(balance)s 元，资金池可奖补 %(pool)s 元，本次需 %(amount)s 元")
            % {"balance": account.balance, "pool": line.pool_available, "amount": application.amount}
        )
    reward_txn = None
    if from_pool > ZERO:
        reward_txn = ledger_post(
            kind=TransactionKind.REWARD,
            occurred_on=on,
            memo=_("%(mode)s：申请 #%(pk)s") % {"mode": line.mode_label, "pk": application.pk},
            legs=[(pool, -from_pool), (account, from_pool)],
            by=by,
        )
    disbursement = ledger_post(
        kind=TransactionKind.DISBURSEMENT,
        occurred_on=on,
        memo=_("提取拨付：申请 #%(pk)s %(activity)s") % {"pk": application.pk, "activity": application.activity},
        legs=[(account, -application.amount), (sink, application.amount)],
        by=by,
    )
    application.own_amount = own
    application.pool_amount = from_pool
    application.reward_transaction = reward_txn
    application.disbursement = disbursement
    move(
        application,
        to=Application.Status.DISBURSED,
        action=ApplicationStep.Action.DISBURSE,
        by=by,
        reason=_("本金 %(own)s 元，资金池 %(pool)s 元") % {"own": own, "pool": from_pool},
        request=request,
    )
    notify(
        secretaries(application),
        application,
        said(gettext_noop("已拨付 %(amount)s 元，活动结束后请上传票据报账"), **{"amount": application.amount}),
    )
    return application

"""Pages of the fund: thin views over the services and the scoped selectors."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.db_router import replica_reads
from core.errors import ApplicationError
from core.files import file_response
from core.pages import error_text, form_errors_from, paginate
from orgs import policy
from orgs.rulebook import (
    rule_region_for_page,
    rule_region_label,
    rule_region_options,
    rule_region_parse,
    rule_region_value,
)
from orgs.selectors import region_streets

from . import exports, services
from .approvals import may_approve_now
from .forms import (
    ApproveForm,
    BudgetLineFormSet,
    IncomeForm,
    PeriodForm,
    ProjectForm,
    ReviewForm,
    SettleForm,
    SettleLineFormSet,
    StarRuleForm,
)
from .models import Application, FundAccount, StarRule, TransactionKind
from .rules import star_rules_owner, star_rules_with_owners
from .selectors import (
    account_credit,
    account_get,
    account_list,
    account_statement,
    application_get,
    application_list,
    approval_queue,
    my_accounts,
    objection_get,
    publicity_list,
    settlement_list,
    supervision_report,
    transaction_get,
)
from .settlements import may_review_settlement_now

# --- accounts ---------------------------------------------------------------------------------


@login_required
def account_list_view(request):
    mine = list(my_accounts(user=request.user))
    # A secretary with one account goes straight to it; staff see the list.
    if policy.staff_role(request.user) is None and len(mine) == 1:
        return redirect("funds:account_detail", mine[0].pk)
    page = paginate(request, account_list(user=request.user))
    return render(request, "funds/account_list.html", {"page": page, "filters": {}})


def _period(request) -> tuple[date, date, PeriodForm]:
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = date(today.year, 1, 1), today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    if end < start:
        start, end = end, start
    return start, end, form


@login_required
def account_detail_view(request, pk: int):
    account = account_get(user=request.user, pk=pk)
    start, end, period_form = _period(request)
    statement = account_statement(account=account, start=start, end=end)
    context = {
        "account": account,
        "statement": statement,
        "period_form": period_form,
        "credit": account_credit(account=account) if account.kind == FundAccount.Kind.ORGANIZATION else None,
        "can_apply": account.organization is not None
        and policy.may_apply_for_withdrawal(request.user, account.organization),
        "can_post": policy.may_post_income(request.user),
        "income_form": IncomeForm(),
        "applications": account.applications.order_by("-created_at")[:20],
    }
    return render(request, "funds/account_detail.html", context)


@login_required
@replica_reads
def account_statement_xlsx(request, pk: int):
    account = account_get(user=request.user, pk=pk)
    start, end, _form = _period(request)
    return exports.statement_xlsx(account_statement(account=account, start=start, end=end))


@login_required
@require_POST
def account_income_view(request, pk: int):
    account = account_get(user=request.user, pk=pk, write=True)
    form = IncomeForm(request.POST)
    if not form.is_valid():
        # The amount's messages name it already; the other fields' get their label.
        problems = [
            f"{form.fields[name].label}：{message}" if name in form.fields and name != "amount" else message
            for name, errors in form.errors.items()
            for message in errors
        ]
        messages.error(request, _("未入账：%(e)s") % {"e": "；".join(problems)})
        return redirect("funds:account_detail", pk)
    data = form.cleaned_data
    try:
        target = account
        if data["kind"] == TransactionKind.FISCAL_SUBSIDY and account.kind != FundAccount.Kind.POOL:
            # From an organization's page: its own district's pool.
            target = services.organization_pool(account.organization)
        services.income_receive(
            kind=data["kind"],
            account=target,
            amount=data["amount"],
            by=request.user,
            occurred_on=data["occurred_on"],
            memo=data["memo"],
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已入账"))
    return redirect("funds:account_detail", pk)


@login_required
@require_POST
def transaction_reverse_view(request, pk: int):
    txn = transaction_get(user=request.user, pk=pk, write=True)
    back = request.POST.get("account") or ""
    try:
        services.transaction_reverse(transaction_=txn, by=request.user, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已冲正交易 #%(pk)s") % {"pk": txn.pk})
    if back.isdigit():
        return redirect("funds:account_detail", int(back))
    return redirect("funds:account_list")


# --- applications -----------------------------------------------------------------------------


@login_required
def application_list_view(request):
    filters = {k: request.GET.get(k, "") for k in ("q", "status", "street")}
    qs = application_list(user=request.user, filters=filters).order_by("-created_at")
    return render(
        request,
        "funds/application_list.html",
        {
            "page": paginate(request, qs),
            "filters": filters,
            "statuses": Application.Status.choices,
            "streets": region_streets(user=request.user),
            "title": _("提取申请"),
        },
    )


@login_required
def approval_queue_view(request):
    return render(
        request,
        "funds/application_list.html",
        {
            "page": paginate(request, approval_queue(user=request.user)),
            "filters": {},
            "title": _("待我审批"),
            "queue": True,
        },
    )


@login_required
def publicity_view(request):
    return render(request, "funds/publicity.html", {"applications": publicity_list(user=request.user)})


def _project_args(form, formset) -> dict:
    data = form.cleaned_data
    return {
        "activity": data["activity"],
        "activity_date": data["activity_date"],
        "participants": data["participants"],
        "description": data["description"],
        "amount": data["amount"],
        # A row with only an amount (zero included) still reaches the service, which asks for its item.
        "budget_lines": [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data.get("item") or f.cleaned_data.get("amount") is not None
        ],
    }


@login_required
def application_create_view(request, account_pk: int):
    account = account_get(user=request.user, pk=account_pk, write=True)
    if account.kind != FundAccount.Kind.ORGANIZATION:
        raise Http404
    form = ProjectForm(request.POST or None)
    formset = BudgetLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            application = services.application_create(
                organization=account.organization, by=request.user, request=request, **_project_args(form, formset)
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("申请已提交，等待街道审批"))
            return redirect("funds:application_detail", application.pk)
    return render(
        request,
        "funds/application_form.html",
        {"account": account, "form": form, "formset": formset, "credit": account_credit(account=account)},
    )


@login_required
def application_resubmit_view(request, pk: int):
    application = application_get(user=request.user, pk=pk, write=True)
    initial = {
        "activity": application.activity,
        "activity_date": application.activity_date,
        "participants": application.participants,
        "description": application.description,
        "amount": application.amount,
    }
    lines = [{"item": b.item, "amount": b.amount, "note": b.note} for b in application.budget_lines.all()]
    form = ProjectForm(request.POST or None, initial=initial)
    formset = BudgetLineFormSet(request.POST or None, prefix="lines", initial=lines)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.application_resubmit(
                application=application, by=request.user, request=request, **_project_args(form, formset)
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("申请已重新提交"))
            return redirect("funds:application_detail", application.pk)
    return render(
        request,
        "funds/application_form.html",
        {
            "account": application.account,
            "application": application,
            "form": form,
            "formset": formset,
            "credit": account_credit(account=application.account),
        },
    )


@login_required
def application_detail_view(request, pk: int):
    application = application_get(user=request.user, pk=pk)
    user = request.user
    status = application.status
    S = Application.Status
    is_secretary = policy.may_apply_for_withdrawal(user, application.organization)
    street_turn = status == S.STREET_REVIEW and may_approve_now(
        user=user, application=application, level=policy.STREET_LEVEL
    )
    district = policy.may_approve_withdrawal(user, application, policy.DISTRICT_LEVEL)
    context = {
        "application": application,
        "lines": application.budget_lines.all(),
        "steps": application.steps.select_related("by"),
        "objections": application.objections.select_related("by", "resolved_by"),
        "receipts": application.receipts.all(),
        "settlements": settlement_list(application=application),
        "approve_form": ApproveForm(initial={"publicity_days": application.publicity_days}),
        "review_form": ReviewForm(),
        "can_review_settlement": may_review_settlement_now(user=user, application=application),
        "can_return_settlement": status == S.SETTLEMENT_REVIEW and policy.may_review_settlement(user, application),
        "can_street": street_turn,
        "can_district": status == S.DISTRICT_REVIEW
        and may_approve_now(user=user, application=application, level=policy.DISTRICT_LEVEL),
        "can_return_district": district and status in (S.DISTRICT_REVIEW, S.PUBLICITY),
        "can_object": status == S.PUBLICITY and policy.may_object_to_withdrawal(user),
        "can_disburse": policy.may_disburse(user) and status == S.PUBLICITY,
        "can_settle": status == S.DISBURSED and policy.may_settle(user, application),
        "can_resubmit": is_secretary and status == S.RETURNED,
        "can_withdraw": is_secretary and status in (S.STREET_REVIEW, S.DISTRICT_REVIEW, S.RETURNED),
        "can_resolve": policy.may_resolve_objection(user),
        "today": timezone.localdate(),
    }
    return render(request, "funds/application_detail.html", context)


def _act(request, pk: int, action, success: str):
    application = application_get(user=request.user, pk=pk, write=True)
    try:
        action(application)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect("funds:application_detail", pk)


def _decide(request, pk: int, service, success: str, **args):
    """`_act` for a service called as `service(application=, by=, request=, **args)`:
    approving and returning an application or its settlement, disbursing, withdrawing."""
    return _act(request, pk, lambda app: service(application=app, by=request.user, request=request, **args), success)


def _opinion(request, form_class) -> dict:
    """The approval form's data; its fields are optional, and one not valid is left out."""
    form = form_class(request.POST)
    form.is_valid()
    return {**form.cleaned_data, "opinion": form.cleaned_data.get("opinion") or ""}


@login_required
@require_POST
def application_approve_view(request, pk: int, level: str):
    data = _opinion(request, ApproveForm)
    return _decide(
        request,
        pk,
        services.application_approve,
        _("已审批通过"),
        level=level,
        opinion=data["opinion"],
        publicity_days=data.get("publicity_days"),
    )


@login_required
@require_POST
def application_return_view(request, pk: int, level: str):
    reason = request.POST.get("reason", "")
    return _decide(request, pk, services.application_return, _("已退回"), level=level, reason=reason)


@login_required
@require_POST
def application_object_view(request, pk: int):
    # Staff who may read the application may object; objecting is not editing it.
    application = application_get(user=request.user, pk=pk)
    try:
        services.objection_raise(
            application=application, by=request.user, text=request.POST.get("text", ""), request=request
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("异议已提交，区两新工委将处理"))
    return redirect("funds:application_detail", pk)


@login_required
@require_POST
def objection_resolve_view(request, pk: int):
    objection = objection_get(user=request.user, pk=pk)
    try:
        services.objection_resolve(objection=objection, by=request.user, resolution=request.POST.get("resolution", ""))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("异议已处理"))
    return redirect("funds:application_detail", objection.application_id)


@login_required
@require_POST
def application_disburse_view(request, pk: int):
    return _decide(request, pk, services.application_disburse, _("已拨付"))


@login_required
def application_settle_view(request, pk: int):
    """报账: the line-by-line form; submitted, it goes to the street for review.
    A post of one `spent` total with `receipts` (the older form) is still read."""
    application = application_get(user=request.user, pk=pk, write=True)
    if request.method == "POST" and "lines-TOTAL_FORMS" not in request.POST:
        return _act(
            request,
            pk,
            lambda app: services.application_settle(
                application=app,
                by=request.user,
                spent=request.POST.get("spent", ""),
                receipts=request.FILES.getlist("receipts"),
                note=request.POST.get("note", ""),
                request=request,
            ),
            _("报账已提交，等待街道审核"),
        )
    form = SettleForm(request.POST or None)
    formset = SettleLineFormSet(request.POST or None, request.FILES or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        # A row left wholly empty is no line; any other reaches the service, which names what is missing.
        lines = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data.get("item") or f.cleaned_data.get("amount") is not None or f.cleaned_data.get("receipt")
        ]
        try:
            services.application_settle(
                application=application, by=request.user, lines=lines, note=form.cleaned_data["note"], request=request
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("报账已提交，等待街道审核"))
            return redirect("funds:application_detail", application.pk)
    return render(
        request,
        "funds/settlement_form.html",
        {"application": application, "form": form, "formset": formset, "today": timezone.localdate()},
    )


@login_required
@require_POST
def settlement_approve_view(request, pk: int):
    opinion = _opinion(request, ReviewForm)["opinion"]
    return _decide(request, pk, services.settlement_approve, _("报账已审核通过"), opinion=opinion)


@login_required
@require_POST
def settlement_return_view(request, pk: int):
    reason = request.POST.get("reason", "")
    return _decide(request, pk, services.settlement_return, _("报账已退回"), reason=reason)


@login_required
@require_POST
def application_withdraw_view(request, pk: int):
    return _decide(request, pk, services.application_withdraw, _("申请已撤回"))


@login_required
def receipt_download_view(request, pk: int, receipt_pk: int):
    application = application_get(user=request.user, pk=pk)
    receipt = application.receipts.filter(pk=receipt_pk).first()
    if receipt is None:
        raise Http404
    # The description is the name it was uploaded under (the stored name is random).
    return file_response(receipt.file, filename=receipt.description or _("票据"))


@login_required
def notifications_read_view(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
    return redirect("home")


# --- reports ----------------------------------------------------------------------------------


def _report_args(request):
    today = timezone.localdate()
    streets = list(region_streets(user=request.user))
    try:
        year = int(request.GET.get("year") or today.year)
        half = int(request.GET.get("half") or (1 if today.month <= 6 else 2))
    except ValueError:
        year, half = today.year, 1
    half = 1 if half not in (1, 2) else half
    street_id = request.GET.get("street") or ""
    street = next((s for s in streets if str(s.pk) == street_id), streets[0] if streets else None)
    if street_id and street is not None and str(street.pk) != street_id:
        raise Http404(_("记录不存在或不在您的管辖范围内"))
    return streets, street, year, half


@login_required
def supervision_view(request):
    streets, street, year, half = _report_args(request)
    report = supervision_report(user=request.user, street=street, year=year, half=half) if street else None
    return render(
        request,
        "funds/supervision.html",
        {"report": report, "streets": streets, "street": street, "year": year, "half": half},
    )


@login_required
@replica_reads
def supervision_xlsx_view(request):
    _streets, street, year, half = _report_args(request)
    if street is None:
        raise Http404
    return exports.supervision_xlsx(supervision_report(user=request.user, street=street, year=year, half=half))


@login_required
def star_rules_view(request):
    """The star table of one region: whose values are in force today, the
    history, and (staff who set that region's rules) a new row from a date on."""
    if not (policy.may_read_star_rules(request.user) or policy.may_set_star_rules(request.user)):
        raise Http404
    form = StarRuleForm(request.POST or None)
    raw = request.POST.get("region") if request.method == "POST" else request.GET.get("region")
    if request.method == "POST":
        if not policy.may_set_star_rules(request.user):
            raise PermissionDenied(_("只有区两新工委工作人员可以修改奖补标准"))
        if form.is_valid():
            try:
                # The service refuses a region the user does not hold, naming the field.
                target = rule_region_parse(raw)
                services.star_rule_set(by=request.user, region=target, **form.cleaned_data)
            except ApplicationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("已新增奖补标准，自生效日期起适用"))
                return redirect(f"{reverse('funds:star_rules')}?region={rule_region_value(target)}")
    region = rule_region_for_page(user=request.user, raw=raw, fallback=request.method == "POST")
    can_edit = policy.may_set_star_rules(request.user, region)
    today = timezone.localdate()
    return render(
        request,
        "funds/star_rules.html",
        {
            "in_force": star_rules_with_owners(on=today, region=region),
            "owner": star_rules_owner(on=today, region=region),
            "history": StarRule.objects.filter(region=region).select_related("created_by", "region"),
            "form": form,
            "can_edit": can_edit,
            "region_value": rule_region_value(region),
            "region_label": rule_region_label(region),
            "region_options": rule_region_options(request.user),
        },
    )

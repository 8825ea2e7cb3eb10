"""The dues pages: the secretary's (phone first: the organization's month,
one member) and the staff summary; forms call dues.services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.masking import mask_id_number
from core.pages import error_text, form_errors_from, paginate
from core.xlsx import percent, xlsx_response
from orgs import policy

from . import selectors as sel
from . import services
from .forms import BasisForm, ImportForm, PaymentForm, ReliefForm
from .imports import payment_lines
from .rules import ROUNDING_RULE, add_months, format_period, month_start, parse_period


def _period(request, default: date) -> date:
    try:
        return parse_period(request.GET.get("period") or format_period(default))
    except ApplicationError:
        return default


def _browse(request) -> None:
    if not policy.may_browse_dues(request.user):
        raise Http404


@login_required
def home_view(request):
    _browse(request)
    if policy.may_read_dues_figures(request.user):
        return redirect("dues:summary")
    organizations = list(sel.organizations_in_reach(user=request.user))
    if len(organizations) == 1:
        return redirect("dues:organization", organizations[0].pk)
    return render(request, "dues/home.html", {"organizations": organizations})


@login_required
def summary_view(request):
    if not policy.may_read_dues_figures(request.user):
        raise Http404
    period = _period(request, sel.last_month())
    table = sel.figures(user=request.user, period=period)
    return render(
        request,
        "dues/summary.html",
        {
            "table": table,
            "period": period,
            "page": paginate(request, table.organizations),
            "rebates": sel.rebates_in_reach(user=request.user)[:20],
            "rounding_rule": ROUNDING_RULE,
        },
    )


@login_required
def summary_export_view(request):
    if not policy.may_read_dues_figures(request.user):
        raise Http404
    period = _period(request, sel.last_month())
    table = sel.figures(user=request.user, period=period)
    rows = []
    for level, items in ((_("区"), table.districts), (_("街道"), table.streets), (_("党组织"), table.organizations)):
        for f in items:
            rows.append(
                [level, f.name, f.due, f.paid, percent(f.payment_rate), f.members_due, f.members_paid, f.in_arrears]
            )
    return xlsx_response(
        filename=f"dues-{format_period(period)}.xlsx",
        title=_("党费收缴 %(m)s") % {"m": format_period(period)},
        headers=[
            _("层级"),
            _("名称"),
            _("应缴（元）"),
            _("已缴（元）"),
            _("收缴率"),
            _("应缴人数"),
            _("已缴人数"),
            _("欠缴人数"),
        ],
        rows=rows,
    )


@login_required
def template_view(request):
    _browse(request)
    today = timezone.localdate()
    return xlsx_response(
        filename="dues-template.xlsx",
        title=_("党费表"),
        headers=["姓名", "身份证号", "所属月份", "金额", "缴纳日期"],
        rows=[["张三", "", format_period(month_start(today)), "15.00", today.isoformat()]],
    )


def _organization(request, pk):
    _browse(request)
    return sel.organization_get(user=request.user, pk=pk)


@login_required
def organization_view(request, organization_pk):
    organization = _organization(request, organization_pk)
    period = _period(request, month_start(timezone.localdate()))
    states = sel.member_states(sel.organization_members(organization=organization), period=period)
    figures = sel.figures(user=request.user, period=period, organization=organization).total
    return render(
        request,
        "dues/organization.html",
        {
            "organization": organization,
            "period": period,
            "previous": add_months(period, -1),
            "states": states,
            "figures": figures,
            "may_keep": policy.may_keep_dues(request.user, organization),
            "import_form": ImportForm(),
            "rebates": sel.rebates_of(organization=organization),
            "rounding_rule": ROUNDING_RULE,
        },
    )


@login_required
def month_view(request, organization_pk):
    organization = _organization(request, organization_pk)
    may_keep = policy.may_keep_dues(request.user, organization)
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    try:
        period = parse_period(source.get("period") or format_period(month_start(today)))
    except ApplicationError:
        period = month_start(today)
    states = sel.member_states(sel.organization_members(organization=organization), period=period)
    error = ""
    if request.method == "POST":
        if not may_keep:
            raise services_refusal()
        chosen = {int(x) for x in request.POST.getlist("pay") if x.isdigit()}
        rows = [
            services.MonthRow(s.member, request.POST.get(f"amount_{s.member.pk}", ""))
            for s in states
            if s.member.pk in chosen
        ]
        try:
            paid_on = date.fromisoformat(request.POST.get("paid_on", ""))
        except ValueError:
            error = _("缴纳日期：请填写日期")
        else:
            try:
                payments = services.payments_record_month(
                    by=request.user, organization=organization, period=period, paid_on=paid_on, rows=rows
                )
            except ApplicationError as exc:
                error = error_text(exc)
            else:
                messages.success(
                    request,
                    _("已登记 %(m)s 党费 %(n)d 人") % {"m": format_period(period), "n": len(payments)},
                )
                return redirect(
                    f"{reverse('dues:organization', args=[organization.pk])}?period={format_period(period)}"
                )
    posted = request.POST if request.method == "POST" else None
    rows = []
    for s in states:
        if s.due is None and s.payment is None:
            continue
        amount = posted.get(f"amount_{s.member.pk}", "") if posted else (s.due or "")
        checked = (s.member.pk in {int(x) for x in posted.getlist("pay") if x.isdigit()}) if posted else True
        rows.append({"state": s, "amount": amount, "checked": checked})
    return render(
        request,
        "dues/month.html",
        {
            "organization": organization,
            "period": period,
            "rows": rows,
            "open_rows": [r for r in rows if r["state"].payment is None],
            "may_keep": may_keep,
            "error": error,
            "paid_on": (posted.get("paid_on") if posted else "") or today.isoformat(),
            "today": today,
        },
    )


def services_refusal():
    from django.core.exceptions import PermissionDenied

    return PermissionDenied(_("您不能登记该党组织的党费"))


@login_required
@require_POST
def import_view(request, organization_pk):
    organization = _organization(request, organization_pk)
    if not policy.may_keep_dues(request.user, organization):
        raise services_refusal()
    form = ImportForm(request.POST, request.FILES)
    target = reverse("dues:organization", args=[organization.pk])
    if not form.is_valid():
        messages.error(request, _("请选择要导入的 .xlsx 文件"))
        return redirect(target)
    try:
        lines = payment_lines(form.cleaned_data["file"], organization=organization)
        payments = services.payments_record_many(by=request.user, organization=organization, lines=lines)
    except ApplicationError as exc:
        messages.error(request, _("导入失败，未写入任何数据：%(e)s") % {"e": error_text(exc)})
    else:
        messages.success(request, _("已导入 %(n)d 条党费记录") % {"n": len(payments)})
    return redirect(target)


# --- one member -------------------------------------------------------------------------------


def _member(request, pk):
    _browse(request)
    return sel.member_get(user=request.user, pk=pk)


def _member_context(request, member, **forms) -> dict:
    user = request.user
    today = timezone.localdate()
    state = sel.member_states([member], period=month_start(today))[0]
    basis = state.basis
    try:
        current = sel.current_due(member=member)
    except ApplicationError:
        current = None
    may_keep = policy.may_keep_dues(user, member.organization)
    may_relieve = policy.may_approve_dues_relief(user, member.organization)
    income = ""
    if basis is not None and basis.monthly_income:
        income = (
            basis.monthly_income
            if policy.may_reveal_dues_income(user, member)
            else mask_id_number(basis.monthly_income)
        )
    context = {
        "member": member,
        "basis": basis,
        "income": income,
        "current": current,
        "state": state,
        "payments": sel.member_payments(member=member),
        "reliefs": sel.member_reliefs(member=member),
        "may_keep": may_keep,
        "may_relieve": may_relieve,
        "rounding_rule": ROUNDING_RULE,
    }
    if may_keep:
        initial = {}
        if basis is not None:
            initial = {
                "category": basis.category,
                "monthly_income": basis.monthly_income if policy.may_reveal_dues_income(user, member) else "",
                "due_from": format_period(basis.due_from),
                "arrears_reason": basis.arrears_reason,
            }
        context["basis_form"] = forms.get("basis_form") or BasisForm(initial=initial)
        first_open = state.arrears[0] if state.arrears else month_start(today)
        context["payment_form"] = forms.get("payment_form") or PaymentForm(
            initial={
                "period": format_period(first_open),
                "amount": sel.due_in(member=member, state=state, period=first_open) or "",
                "paid_on": today,
            }
        )
    if may_relieve:
        context["relief_form"] = forms.get("relief_form") or ReliefForm(
            initial={
                "first_period": format_period(month_start(today)),
                "last_period": format_period(month_start(today)),
            }
        )
    return context


@login_required
def member_view(request, member_pk):
    member = _member(request, member_pk)
    return render(request, "dues/member.html", _member_context(request, member))


def _back(member):
    return redirect("dues:member", member.pk)


@login_required
@require_POST
def basis_view(request, member_pk):
    member = _member(request, member_pk)
    form = BasisForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            due_from = parse_period(data["due_from"], field="due_from") if data["due_from"] else None
            services.basis_declare(
                by=request.user,
                member=member,
                category=data["category"],
                monthly_income=data["monthly_income"],
                due_from=due_from,
                arrears_reason=data["arrears_reason"],
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("党费基数已保存"))
            return _back(member)
    return render(request, "dues/member.html", _member_context(request, member, basis_form=form), status=400)


@login_required
@require_POST
def pay_view(request, member_pk):
    member = _member(request, member_pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            period = parse_period(data["period"])
            services.payment_record(
                by=request.user, member=member, period=period, amount=data["amount"], paid_on=data["paid_on"]
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已登记 %(m)s 党费") % {"m": format_period(period)})
            return _back(member)
    return render(request, "dues/member.html", _member_context(request, member, payment_form=form), status=400)


@login_required
@require_POST
def relief_view(request, member_pk):
    member = _member(request, member_pk)
    form = ReliefForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.relief_grant(
                by=request.user,
                member=member,
                kind=data["kind"],
                monthly_amount=data["monthly_amount"] or None,
                first_period=parse_period(data["first_period"], field="first_period"),
                last_period=parse_period(data["last_period"], field="last_period"),
                reason=data["reason"],
            )
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("党费减免已登记"))
            return _back(member)
    return render(request, "dues/member.html", _member_context(request, member, relief_form=form), status=400)

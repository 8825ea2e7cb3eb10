"""The alliance pages: list, page, and the forms that call alliances.services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import error_text, form_errors_from, paginate
from orgs import policy

from . import selectors as sel
from . import services
from .forms import AllianceForm, JointActivityForm, LeaveForm, MemberForm, PeriodForm, ProblemForm, ResolveForm
from .models import Alliance


@login_required
def alliance_list_view(request):
    if not policy.may_browse_alliances(request.user):
        raise Http404
    status = request.GET.get("status") or None
    if status not in (None, *Alliance.Status.values):
        status = None
    page = paginate(request, sel.alliance_list(user=request.user, status=status))
    return render(
        request,
        "alliances/alliance_list.html",
        {"page": page, "status": status or "", "may_create": policy.may_create_alliances(request.user)},
    )


def _alliance_form(request, data=None) -> AllianceForm:
    user = request.user
    return AllianceForm(
        data,
        regions=sel.alliance_regions(user=user),
        enterprises=sel.enterprises_in_reach(user=user),
        parks=sel.parks_in_reach(user=user),
        organizations=sel.organizations_in_reach(user=user),
        initial={"founded_on": timezone.localdate()},
    )


@login_required
def alliance_create_view(request):
    if not policy.may_create_alliances(request.user):
        raise Http404
    form = _alliance_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alliance = services.alliance_create(by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("联盟已建立"))
            return redirect("alliances:detail", alliance.pk)
    return render(request, "alliances/alliance_form.html", {"form": form})


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


def _detail_context(request, alliance: Alliance, **forms) -> dict:
    user = request.user
    today = timezone.localdate()
    start, end, period_form = _period(request)
    may_manage = policy.may_manage_alliance(user, alliance)
    may_keep = policy.may_keep_alliance_records(user, alliance)
    members = list(sel.member_list(alliance=alliance))
    context = {
        "alliance": alliance,
        "x_members": [m for m in members if m.organization_id],
        "n_members": [m for m in members if m.enterprise_id],
        "problems": sel.problem_list(alliance=alliance),
        "activities": sel.joint_activity_list(alliance=alliance),
        "period": sel.alliance_resolution(alliance=alliance, start=start, end=end),
        "overall": sel.alliance_resolution(alliance=alliance),
        "start": start,
        "end": end,
        "period_form": period_form,
        "active": alliance.active_on(today),
        "may_manage": may_manage,
        "may_keep": may_keep,
        "today": today,
    }
    if may_manage:
        context["member_form"] = forms.get("member_form") or MemberForm(
            organizations=sel.organizations_in_reach(user=user),
            enterprises=sel.n_candidates(user=user),
            initial={"joined_on": today},
        )
    if may_keep:
        context["problem_form"] = forms.get("problem_form") or ProblemForm(
            enterprises=sel.problem_enterprise_choices(user=user, alliance=alliance).filter(
                pk__in=sel.member_enterprise_choices(alliance=alliance, on=today).values("pk")
            ),
            initial={"raised_on": today},
        )
        context["activity_form"] = forms.get("activity_form") or JointActivityForm(
            organizations=sel.member_organization_choices(alliance=alliance, on=today), initial={"held_on": today}
        )
    return context


@login_required
def alliance_detail_view(request, pk: int):
    alliance = sel.alliance_get(user=request.user, pk=pk)
    return render(request, "alliances/alliance_detail.html", _detail_context(request, alliance))


def _refused(request, alliance: Alliance, **forms):
    return render(request, "alliances/alliance_detail.html", _detail_context(request, alliance, **forms), status=400)


@login_required
@require_POST
def member_add_view(request, pk: int):
    alliance = sel.alliance_get(user=request.user, pk=pk)
    form = MemberForm(
        request.POST,
        organizations=sel.organizations_in_reach(user=request.user),
        enterprises=sel.n_candidates(user=request.user),
    )
    if form.is_valid():
        try:
            services.member_add(by=request.user, alliance=alliance, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("成员已加入"))
            return redirect("alliances:detail", pk)
    return _refused(request, alliance, member_form=form)


@login_required
@require_POST
def member_leave_view(request, pk: int):
    member = sel.member_get(user=request.user, pk=pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退出日期：请填写日期"))
    else:
        try:
            services.member_leave(by=request.user, member=member, left_on=form.cleaned_data["left_on"])
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已登记退出"))
    return redirect("alliances:detail", member.alliance_id)


@login_required
@require_POST
def problem_raise_view(request, pk: int):
    alliance = sel.alliance_get(user=request.user, pk=pk)
    form = ProblemForm(request.POST, enterprises=sel.problem_enterprise_choices(user=request.user, alliance=alliance))
    if form.is_valid():
        try:
            services.problem_raise(by=request.user, alliance=alliance, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("问题已登记"))
            return redirect("alliances:detail", pk)
    return _refused(request, alliance, problem_form=form)


@login_required
@require_POST
def problem_resolve_view(request, pk: int):
    problem = sel.problem_get(user=request.user, pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{m}" for k, es in form.errors.items() for m in es))
    else:
        try:
            services.problem_resolve(by=request.user, problem=problem, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("问题已化解"))
    return redirect("alliances:detail", problem.alliance_id)


@login_required
@require_POST
def joint_activity_view(request, pk: int):
    alliance = sel.alliance_get(user=request.user, pk=pk)
    form = JointActivityForm(request.POST, organizations=sel.member_organization_choices(alliance=alliance, on=None))
    if form.is_valid():
        try:
            services.joint_activity_record(by=request.user, alliance=alliance, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("联合活动已登记"))
            return redirect("alliances:detail", pk)
    return _refused(request, alliance, activity_form=form)

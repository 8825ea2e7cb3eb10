"""Pages of the demand library: thin, they fetch through selectors and
write through services; which buttons show is the policy's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from core.pages import form_errors_from, paginate
from orgs import policy
from orgs.selectors import enterprise_list, region_streets

from .figures import demands_figures
from .forms import CheckForm, ClaimForm, CompleteForm, ReasonForm, RectifiedForm, SetUpForm
from .models import DemandCheck, DemandProject
from .selectors import (
    claim_members,
    claim_organizations,
    demand_checks,
    demand_claims,
    demand_get,
    demand_history,
    demand_list,
    set_up_owners,
)
from .services import (
    demand_check,
    demand_claim,
    demand_complete,
    demand_exit,
    demand_rectified,
    demand_send_back,
    demand_set_up,
)

REFUSED = _lazy("您没有对此需求项目执行此操作的权限")
FILTER_KEYS = ("q", "level", "state", "street", "overdue")


@login_required
def demand_list_view(request: HttpRequest) -> HttpResponse:
    if not policy.may_browse_demands(request.user):
        raise PermissionDenied(_("党建需求库只对工作人员和党组织书记开放"))
    filters = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    owners = set_up_owners(user=request.user)
    return render(
        request,
        "demands/list.html",
        {
            "page": paginate(request, demand_list(user=request.user, filters=filters), 30),
            "filters": filters,
            "levels": DemandProject.Level.choices,
            "states": DemandProject.State.choices,
            "streets": region_streets(user=request.user),
            "can_set_up": any(owners.values()),
            "demand_figures": demands_figures(user=request.user),
        },
    )


def _owner(data: dict[str, Any], owners: dict[str, list]) -> Any:
    level = data["level"]
    key = {"A": "district", "B": "street", "C": "organization"}[level]
    wanted = data.get(key)
    return next((o for o in owners[level] if o.pk == wanted), None)


@login_required
def demand_create_view(request: HttpRequest) -> HttpResponse:
    owners = set_up_owners(user=request.user)
    if not any(owners.values()):
        raise PermissionDenied(_("您不能建立需求项目"))
    form = SetUpForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = None
        code = data.get("enterprise_code", "").strip()
        if code:
            enterprise = enterprise_list(user=request.user, filters={"credit_code": code}).first()
            if enterprise is None:
                form.add_error("enterprise_code", _("没有找到此统一社会信用代码的企业（或不在您的管辖范围内）"))
        if not form.errors:
            try:
                project = demand_set_up(
                    by=request.user,
                    level=data["level"],
                    owner=_owner(data, owners),
                    title=data["title"],
                    description=data["description"],
                    proposer_kind=data["proposer_kind"],
                    collected_by=data["collected_by"],
                    target_date=data["target_date"],
                    enterprise=enterprise,
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("需求项目已建单"))
                return redirect("demands:detail", project.pk)
    return render(request, "demands/form.html", {"form": form})


def _claim_form(request: HttpRequest, project: DemandProject, data=None) -> ClaimForm:
    return ClaimForm(
        data,
        organizations=claim_organizations(user=request.user, project=project),
        members=claim_members(user=request.user, project=project).select_related("organization")[:300],
    )


def _detail(request: HttpRequest, project: DemandProject, *, open_form: str = "", **bound: forms.Form) -> HttpResponse:
    user = request.user
    may_manage = policy.may_manage_demand(user, project)
    live = not project.closed
    context = {
        "project": project,
        "claims": demand_claims(project=project),
        "checks": demand_checks(project=project),
        "history": demand_history(project=project),
        "may_claim": live and policy.may_claim_demand(user, project),
        "may_check": live and policy.may_check_demand(user, project),
        "may_complete": may_manage and project.state == DemandProject.State.CLAIMED,
        "may_send_back": may_manage and project.state == DemandProject.State.CLAIMED,
        "may_rectify": may_manage and project.state == DemandProject.State.RECTIFYING,
        "may_exit": may_manage and live,
        "open_form": open_form,
        # A refusal of the whole action (not of one field), shown whether or not its form still is.
        "action_errors": [e for form in bound.values() for e in form.non_field_errors()],
    }
    if context["may_claim"]:
        context["claim_form"] = bound.get("claim_form") or _claim_form(request, project)
    context["check_form"] = bound.get("check_form") or CheckForm()
    context["complete_form"] = bound.get("complete_form") or CompleteForm()
    context["send_back_form"] = bound.get("send_back_form") or ReasonForm()
    context["rectified_form"] = bound.get("rectified_form") or RectifiedForm()
    context["exit_form"] = bound.get("exit_form") or ReasonForm()
    return render(request, "demands/detail.html", context)


@login_required
def demand_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, demand_get(user=request.user, pk=pk))


def _act(request: HttpRequest, project: DemandProject, name: str, form: forms.Form, write, done: str) -> HttpResponse:
    """Run a write from a form on the project page; on a refusal, show the
    page again with the form and its message (nothing was written)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, done)
            return redirect("demands:detail", project.pk)
    project.refresh_from_db()
    return _detail(request, project, open_form=name, **{f"{name}_form": form})


@login_required
@require_POST
def demand_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = demand_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_claim_demand(request.user, project), REFUSED)
    form = _claim_form(request, project, request.POST)

    def write(data):
        organization = None
        if data["organization"]:
            organization = claim_organizations(user=request.user, project=project).get(pk=data["organization"])
        members = list(claim_members(user=request.user, project=project).filter(pk__in=data["members"]))
        demand_claim(
            project=project,
            by=request.user,
            organization=organization,
            members=members,
            claimed_on=data["claimed_on"],
        )

    return _act(request, project, "claim", form, write, _("已登记认领"))


@login_required
@require_POST
def demand_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = demand_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_check_demand(request.user, project), REFUSED)
    return _act(
        request,
        project,
        "check",
        CheckForm(request.POST),
        lambda d: demand_check(
            project=project,
            by=request.user,
            checked_on=d["checked_on"],
            finding=d["finding"],
            result=d["result"] or DemandCheck.Result.OK,
        ),
        _("已记录跟单检查"),
    )


@login_required
@require_POST
def demand_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = demand_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_manage_demand(request.user, project), REFUSED)
    return _act(
        request,
        project,
        "complete",
        CompleteForm(request.POST),
        lambda d: demand_complete(
            project=project, by=request.user, satisfaction=d["satisfaction"], completed_on=d["completed_on"]
        ),
        _("项目已完成，满意度已记录"),
    )


@login_required
@require_POST
def demand_send_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = demand_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_manage_demand(request.user, project), REFUSED)
    return _act(
        request,
        project,
        "send_back",
        ReasonForm(request.POST),
        lambda d: demand_send_back(project=project, by=request.user, reason=d["reason"]),
        _("已退回整改"),
    )


@login_required
@require_POST
def demand_rectified_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = demand_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_manage_demand(request.user, project), REFUSED)
    return _act(
        request,
        project,
        "rectified",
        RectifiedForm(request.POST),
        lambda d: demand_rectified(project=project, by=request.user, note=d["note"]),
        _("已确认整改完成"),
    )


@login_required
@require_POST
def demand_exit_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = demand_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_manage_demand(request.user, project), REFUSED)
    return _act(
        request,
        project,
        "exit",
        ReasonForm(request.POST),
        lambda d: demand_exit(project=project, by=request.user, reason=d["reason"]),
        _("项目已退出"),
    )

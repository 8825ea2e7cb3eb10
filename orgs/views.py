from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import dashboards
from .dashboards import drilldown_context
from .forms import VisitForm
from .models import BusinessStatus, OrgSetup, PartyOrganization, Role
from .selectors import (
    assignment_get,
    assignment_list,
    enterprise_get,
    enterprise_list,
    organization_get,
    organization_list,
    region_streets,
    scope_for,
    visit_list,
)
from .services import instructor_visit_create

# The role whose home page a user lands on when they hold several.
HOME_ORDER = [Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY, Role.INSTRUCTOR]


def primary_role(user) -> str | None:
    scope = scope_for(user)
    if "superuser" in scope.roles:
        return Role.DISTRICT
    return next((role for role in HOME_ORDER if role in scope.roles), None)


@login_required
def home(request):
    from members.selectors import member_totals

    role = primary_role(request.user)
    if role == Role.LEADER:
        # Leaders only read: their day starts on the dashboard. Staff land on
        # the workbench, where their queues are, one click from the dashboard.
        return redirect("orgs:dashboard")
    context = {
        "role": role,
        "role_label": Role(role).label if role else "",
        "enterprise_count": enterprise_list(user=request.user).count(),
        "organization_count": organization_list(user=request.user).count(),
        "members": member_totals(user=request.user),
    }
    if role == Role.SECRETARY:
        context["my_organizations"] = organization_list(user=request.user)[:10]
    context.update(_role_panels(request.user, role))
    return render(request, "home.html", context)


def _compliance_panels(organizations) -> list[dict]:
    """This year's calendar and what is due next, from the compliance engine (orgs/stats)."""
    from .stats.compliance import next_due, organization_calendar

    today = timezone.localdate()
    return [
        {
            "organization": org,
            "calendar": organization_calendar(organization=org, year=today.year, on=today),
            "next_due": next_due(organization=org, on=today)[:5],
        }
        for org in organizations
    ]


def _role_panels(user, role: str | None) -> dict:
    """What each role acts on first. The activity and member apps stand on
    orgs, so they are imported here, at the top floor, not at module level."""
    from activities.selectors import activities_to_act_on, activity_list, overdue_items, review_queue
    from members.models import Stage
    from members.selectors import pipeline_counts, transfers_incoming

    panels: dict = {}
    if role == Role.SECRETARY:
        panels["to_act_on"] = activities_to_act_on(user=user)[:10]
        panels["recent_activities"] = activity_list(user=user).order_by("-held_on", "-pk")[:5]
        panels["incoming_transfers"] = transfers_incoming(user=user).count()
        panels["pipelines"] = [
            (org, [(Stage(k).label, n) for k, n in pipeline_counts(organization=org).items()])
            for org in organization_list(user=user)[:5]
        ]
        panels["compliance"] = _compliance_panels(organization_list(user=user)[:2])
    elif role in (Role.STREET, Role.DISTRICT):
        overdue = overdue_items(user=user)
        panels["review_count"] = review_queue(user=user).count()
        panels["overdue_review"] = overdue["review"].count()
        panels["overdue_submission"] = overdue["submission"].count()
    if role == Role.INSTRUCTOR:
        panels["assignments"] = assignment_list(user=user).filter(instructor=user).order_by("enterprise__name")[:20]
        panels["recent_visits"] = visit_list(user=user)[:5]
    return panels


def _page(request, qs, per_page: int = 50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


@login_required
def enterprise_list_view(request):
    filters = {
        k: request.GET.get(k, "")
        for k in ("q", "street", "status", "org_setup", "park", "industry", "above_scale", "min_formal", "covered")
    }
    page = _page(request, enterprise_list(user=request.user, filters=filters).order_by("street__name", "name"))
    return render(
        request,
        "orgs/enterprise_list.html",
        {
            "page": page,
            "filters": filters,
            "drilldown": drilldown_context(request.GET),
            "streets": region_streets(user=request.user),
            "statuses": BusinessStatus.choices,
            "setups": OrgSetup.choices,
        },
    )


@login_required
def enterprise_detail_view(request, pk: int):
    enterprise = enterprise_get(user=request.user, pk=pk)
    organizations = list(organization_list(user=request.user).filter(enterprises=enterprise))
    return render(
        request,
        "orgs/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "surveys": enterprise.surveys.order_by("-year"),
            "organizations": organizations,
            "coverage": dashboards.enterprise_coverage(
                enterprise=enterprise,
                organizations=enterprise.organizations.all(),
                visible_ids={o.pk for o in organizations},
                on=timezone.localdate(),
            ),
            "assignments": enterprise.instructor_assignments.select_related("instructor"),
        },
    )


@login_required
def organization_list_view(request):
    filters = {k: request.GET.get(k, "") for k in ("q", "street", "org_type", "formation_mode")}
    page = _page(request, organization_list(user=request.user, filters=filters).order_by("street__name", "name"))
    return render(
        request,
        "orgs/organization_list.html",
        {
            "page": page,
            "filters": filters,
            "streets": region_streets(user=request.user),
            "types": PartyOrganization.Type.choices,
        },
    )


@login_required
def organization_detail_view(request, pk: int):
    from members.models import Stage
    from members.selectors import pipeline_counts

    organization = organization_get(user=request.user, pk=pk)
    rating = dashboards.rating_latest(organization=organization)
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "organization": organization,
            "term_status": dashboards.term_status(organization=organization, on=timezone.localdate()),
            "rating": rating,
            "evidence": dashboards.rating_evidence(rating=rating) if rating else [],
            "gap": dashboards.rating_gap(rating=rating) if rating else [],
            "fund": dashboards.organization_fund(organization=organization),
            "enterprises": organization.enterprises.select_related("street").order_by("name"),
            "pipeline": [(Stage(k).label, n) for k, n in pipeline_counts(organization=organization).items()],
            "compliance": _compliance_panels([organization])[0],
        },
    )


@login_required
def visit_list_view(request):
    """The instructor's assigned enterprises and visit log, with a form to log a visit."""
    assignments = assignment_list(user=request.user)
    own = assignments.filter(instructor=request.user)
    form = VisitForm(request.POST or None, assignments=own, initial={"assignment": request.GET.get("assignment")})
    if request.method == "POST" and form.is_valid():
        assignment = assignment_get(user=request.user, pk=form.cleaned_data["assignment"].pk, write=True)
        try:
            instructor_visit_create(
                assignment=assignment,
                by=request.user,
                visited_on=form.cleaned_data["visited_on"],
                summary=form.cleaned_data["summary"],
            )
            messages.success(request, _("走访已登记"))
            return redirect("orgs:visit_list")
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                form.add_error(None, exc)
    return render(
        request,
        "orgs/visit_list.html",
        {
            "form": form,
            "can_log": own.exists(),
            "assignments": assignments.order_by("enterprise__name")[:200],
            "page": _page(request, visit_list(user=request.user)),
            "filters": {},
        },
    )

"""The registry's pages: enterprises and party organizations, with what
the floors below know of them (coverage, rating, members, fund)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.pages import paginate
from members.models import Stage
from members.selectors import pipeline_counts
from orgs import policy
from orgs.models import BusinessStatus, OrgSetup, PartyOrganization
from orgs.selectors import (
    enterprise_get,
    enterprise_list,
    organization_get,
    organization_list,
    rectification_plans,
    region_streets,
)
from orgs.services import enterprise_phone_reveal

from . import registry
from .dashboards.drilldown import drilldown_context
from .home import compliance_panels


@login_required
def enterprise_list_view(request: HttpRequest) -> HttpResponse:
    filters = {
        k: request.GET.get(k, "")
        for k in ("q", "street", "status", "org_setup", "park", "industry", "above_scale", "min_formal", "covered")
    }
    page = paginate(request, enterprise_list(user=request.user, filters=filters).order_by("street__name", "name"))
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
def enterprise_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_get(user=request.user, pk=pk)
    organizations = list(organization_list(user=request.user).filter(enterprises=enterprise))
    return render(
        request,
        "orgs/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "surveys": enterprise.surveys.order_by("-year"),
            "organizations": organizations,
            "coverage": registry.enterprise_coverage(
                enterprise=enterprise,
                organizations=enterprise.organizations.all(),
                visible_ids={o.pk for o in organizations},
                on=timezone.localdate(),
            ),
            "assignments": enterprise.instructor_assignments.select_related("instructor"),
            "may_reveal_phone": policy.may_reveal_enterprise_phone(request.user, enterprise),
        },
    )


@login_required
@require_POST
def enterprise_phone_reveal_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A deliberate, audited action; answers the whole number (htmx swaps it in)."""
    enterprise = enterprise_get(user=request.user, pk=pk)
    phone = enterprise_phone_reveal(enterprise=enterprise, by=request.user, request=request)
    return render(request, "members/_revealed.html", {"value": phone})


@login_required
def organization_list_view(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("q", "street", "org_type", "formation_mode")}
    page = paginate(request, organization_list(user=request.user, filters=filters).order_by("street__name", "name"))
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
def organization_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = organization_get(user=request.user, pk=pk)
    today = timezone.localdate()
    rating = registry.organization_rating(organization=organization, on=today)
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "organization": organization,
            "term_status": registry.term_status(organization=organization, on=today),
            "rating": rating,
            "evidence": registry.rating_evidence(rating=rating) if rating else [],
            "gap": registry.rating_gap(rating=rating) if rating else [],
            "fund": registry.organization_fund(user=request.user, organization=organization),
            "enterprises": organization.enterprises.select_related("street").order_by("name"),
            "pipeline": [(Stage(k).label, n) for k, n in pipeline_counts(organization=organization).items()],
            "compliance": compliance_panels([organization])[0],
            "plans": rectification_plans(user=request.user, organization=organization),
            "may_plan": policy.may_plan_rectification(request.user, organization),
        },
    )

"""The registry's pages: enterprises and party organizations, with what
the floors below know of them (coverage, rating, members, fund)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances.selectors import joint_activities_of
from core.db_router import replica_reads
from core.masking import mask_phone
from core.pages import paginate
from core.xlsx import xlsx_response
from members.models import Stage
from members.selectors import pipeline_counts
from orgs import policy
from orgs.models import BusinessStatus, OrgSetup, PartyOrganization
from orgs.proposals import proposer_organization
from orgs.selectors import (
    election_list,
    enterprise_get,
    enterprise_list,
    organization_get,
    organization_list,
    record_history,
    rectification_plans,
    region_streets,
)
from orgs.services import enterprise_phone_reveal

from . import list_exports, registry
from .dashboards.drilldown import drilldown_context
from .home import compliance_panels

ENTERPRISE_FILTERS = ("q", "street", "status", "org_setup", "park", "industry", "above_scale", "min_formal", "covered")
ORGANIZATION_FILTERS = ("q", "street", "org_type", "formation_mode")


def _filters(request: HttpRequest, keys: tuple[str, ...]) -> dict[str, str]:
    """The list's filters, read the same way by the list and by its export."""
    return {k: request.GET.get(k, "") for k in keys}


def _enterprises(request: HttpRequest):
    filters = _filters(request, ENTERPRISE_FILTERS)
    return filters, enterprise_list(user=request.user, filters=filters).order_by("street__name", "name")


def _organizations(request: HttpRequest):
    filters = _filters(request, ORGANIZATION_FILTERS)
    return filters, organization_list(user=request.user, filters=filters).order_by("street__name", "name")


@login_required
def enterprise_list_view(request: HttpRequest) -> HttpResponse:
    filters, enterprises = _enterprises(request)
    page = paginate(request, enterprises)
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
            "may_edit": policy.may_edit_enterprises(request.user),
        },
    )


@login_required
@replica_reads
def enterprise_export_view(request: HttpRequest) -> HttpResponse:
    """What the enterprise list shows under the same filters, every page of it."""
    _f, enterprises = _enterprises(request)
    return xlsx_response(
        filename=f"企业_{timezone.localdate():%Y%m%d}.xlsx",
        title=_("非公企业"),
        headers=list_exports.enterprise_headers(),
        rows=list_exports.enterprise_rows(enterprises),
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
            # The contact phone is shown masked to everyone; the whole number is in the survey file.
            "masked_phone": mask_phone(enterprise.phone),
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
            "may_edit": policy.may_edit_enterprise(request.user, enterprise),
            "may_propose": proposer_organization(by=request.user, record=enterprise) is not None,
            "history": record_history(instance=enterprise) if policy.may_read_record_history(request.user) else None,
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
    filters, organizations = _organizations(request)
    page = paginate(request, organizations)
    return render(
        request,
        "orgs/organization_list.html",
        {
            "page": page,
            "filters": filters,
            "streets": region_streets(user=request.user),
            "types": PartyOrganization.Type.choices,
            "may_create": policy.may_edit_organizations(request.user),
        },
    )


@login_required
@replica_reads
def organization_export_view(request: HttpRequest) -> HttpResponse:
    """What the organization list shows under the same filters, every page of it."""
    _f, organizations = _organizations(request)
    return xlsx_response(
        filename=f"党组织_{timezone.localdate():%Y%m%d}.xlsx",
        title=_("党组织"),
        headers=list_exports.organization_headers(),
        rows=list_exports.organization_rows(organizations),
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
            "elections": election_list(organization=organization),
            "may_edit": organization.dissolved_on is None and policy.may_edit_organization(request.user, organization),
            "may_propose": organization.dissolved_on is None and policy.may_propose_change(request.user, organization),
            "history": record_history(instance=organization) if policy.may_read_record_history(request.user) else None,
            "plans": rectification_plans(user=request.user, organization=organization),
            "may_plan": policy.may_plan_rectification(request.user, organization),
            "joint_activities": joint_activities_of(organization=organization)[:50],
        },
    )

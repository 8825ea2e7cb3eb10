"""The workbench: what each role acts on first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from activities.selectors import activities_to_act_on, activity_list, overdue_items, review_queue
from members.models import Stage
from members.selectors import member_totals, pipeline_counts, transfers_incoming
from orgs import policy
from orgs.models import Role
from orgs.selectors import (
    alerts_for_me,
    assignment_list,
    enterprise_list,
    organization_list,
    proposal_list,
    proposal_queue,
    visit_list,
)
from stats import compliance


@login_required
def home(request):
    # Which workbench to lay out: the policy names the role a user is seen as first.
    role = policy.home_role(request.user)
    if role == Role.LEADER or (role == Role.CITY and not policy.has_workbench(request.user)):
        # Leaders and city staff only read records: their day starts on the
        # dashboard. Staff land on the workbench, where their queues are, one
        # click from the dashboard.
        return redirect("orgs:dashboard")
    context = {
        "role": role,
        "role_label": Role(role).label if role else "",
        "enterprise_count": enterprise_list(user=request.user).count(),
        "organization_count": organization_list(user=request.user).count(),
        "members": member_totals(user=request.user),
    }
    if role == Role.SECRETARY:
        # Read once: the panels below show the first of the same list (the
        # compliance calendar needs the district above the street).
        context["my_organizations"] = list(organization_list(user=request.user).select_related("street__parent")[:10])
    # Warnings assigned to the user or about their organizations, with a link to answer.
    context["my_warnings"] = list(alerts_for_me(user=request.user)[:10])
    context.update(_role_panels(request.user, role, context.get("my_organizations")))
    return render(request, "home.html", context)


def compliance_panels(organizations) -> list[dict]:
    """This year's calendar and what is due next, from the compliance engine (stats/)."""
    panels = compliance.compliance_panels(organizations=list(organizations), on=timezone.localdate())
    return [
        {"organization": panel.organization, "calendar": panel.calendar, "next_due": panel.next_due[:5]}
        for panel in panels
    ]


def _role_panels(user, role: str | None, my_organizations: list | None = None) -> dict:
    """What each role acts on first (`my_organizations`: the first ten of
    the user's organizations in the list's order, if already read)."""

    panels: dict = {}
    if role == Role.SECRETARY:
        if my_organizations is None:
            my_organizations = list(organization_list(user=user)[:10])
        panels["to_act_on"] = activities_to_act_on(user=user)[:10]
        panels["recent_activities"] = activity_list(user=user).order_by("-held_on", "-pk")[:5]
        panels["incoming_transfers"] = transfers_incoming(user=user).count()
        panels["pipelines"] = [
            (org, [(Stage(k).label, n) for k, n in pipeline_counts(organization=org).items()])
            for org in my_organizations[:5]
        ]
        panels["compliance"] = compliance_panels(my_organizations[:2])
        # The outcome of what the secretary proposed reaches them here.
        panels["my_proposals"] = proposal_list(user=user).filter(proposed_by=user).order_by("-proposed_at")[:5]
    elif role in (Role.STREET, Role.DISTRICT):
        overdue = overdue_items(user=user)
        panels["review_count"] = review_queue(user=user).count()
        panels["overdue_review"] = overdue["review"].count()
        panels["overdue_submission"] = overdue["submission"].count()
        panels["proposal_count"] = proposal_queue(user=user).count()
    if role == Role.INSTRUCTOR:
        panels["assignments"] = assignment_list(user=user).filter(instructor=user).order_by("enterprise__name")[:20]
        panels["recent_visits"] = visit_list(user=user)[:5]
    return panels

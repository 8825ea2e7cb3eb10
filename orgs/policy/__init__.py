"""Who may do what (DESIGN.md §7): every write and every privileged read.

Scoping (`scope_for`) says which records a user *reaches*; the predicates
here say what they may *do* with what they reach. Each one answers True or
False and never raises. Services call them through `require()`, which
raises the refusal; pages and templates call the same predicates to show or
hide a button; the API calls them through `orgs.permissions.PolicyPermission`
and through the services. So a page and the API cannot disagree, and "who
may do X?" is answered in this package only (its sections: base,
accounts, rules, pairings, venues and this file): no other module outside
`orgs/scoping.py` looks at a user's roles.

Write predicates read the *write* scope, where a leader's grants do not
count (leaders read and never write); read predicates read the read scope.
A superuser holds every role.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from ..models import Enterprise, PartyOrganization, Region, Role, User
from ..role_holders import alert_assignable_users as alert_assignable_users
from ..scoping import NOTHING, AnyUser, Scope
from .accounts import (  # noqa: F401  (sections of the one policy)
    account_regions,
    instructors,
    is_instructor,
    may_assign_instructor_to,
    may_assign_instructors,
    may_browse_users,
    may_grant,
    may_manage_account,
    may_manage_users,
    reachable_accounts_q,
)
from .alliances import (  # noqa: F401  (sections of the one policy)
    may_browse_alliances,
    may_create_alliance_in,
    may_create_alliances,
    may_keep_alliance_records,
    may_keep_any_alliance_records,
    may_manage_alliance,
    may_read_alliance_figures,
)
from .base import _holders, _reaches, _reads, _writes, require, require_permission  # noqa: F401
from .demands import (  # noqa: F401
    demand_claim_organizations_q,
    demand_reach_organizations_q,
    may_browse_demands,
    may_check_demand,
    may_claim_demand,
    may_manage_demand,
    may_set_up_demand,
    may_write_demands,
)
from .dues import (  # noqa: F401
    may_approve_any_dues_relief,
    may_approve_dues_relief,
    may_browse_dues,
    may_keep_any_dues,
    may_keep_dues,
    may_post_dues_rebates,
    may_read_dues_figures,
    may_reveal_dues_income,
)
from .pairings import (  # noqa: F401
    holds_cadre_role,
    holds_leader_role,
    may_browse_pairings,
    may_log_pairing_visit,
    may_manage_pairing_in,
    may_manage_pairings,
    pairing_side_users_q,
)
from .people import (  # noqa: F401
    may_browse_party_workers,
    may_create_training_in,
    may_create_trainings,
    may_keep_any_cross_appointments,
    may_keep_cross_appointments,
    may_keep_party_worker,
    may_keep_party_worker_in,
    may_manage_training,
    may_read_people_figures,
    may_recommend_to,
    may_recommend_workers,
    may_register_party_workers,
)
from .rules import (  # noqa: F401
    RULE_REGION_KINDS,
    may_post_to_pool,
    may_set_any_rules,
    may_set_rules,
    rule_regions_settable,
)
from .venues import (  # noqa: F401
    may_act_for_organization,
    may_browse_venues,
    may_cancel_booking,
    may_keep_venues,
    may_manage_venue,
    may_read_venue_figures,
    may_register_venue_for,
)

STAFF = (Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER)

# The role whose workbench a user lands on when they hold several.
HOME_ORDER = (Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY, Role.INSTRUCTOR)


# --- what a user is, for the workbench and the menu ------------------------------------------


def home_role(user: AnyUser) -> str | None:
    """The role whose workbench and labels a user sees first."""
    scope = _reads(user)
    if "superuser" in scope.roles:
        return Role.DISTRICT
    return next((role for role in HOME_ORDER if role in scope.roles), None)


def staff_role(user: AnyUser) -> str | None:
    """City, district, street or leader: the staff role a dashboard is shown as, if any."""
    role = home_role(user)
    return role if role in STAFF else None


def has_workbench(user: AnyUser) -> bool:
    """Queues to act on; city staff act on no district's records: theirs is the dashboard."""
    return _reads(user).has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY, Role.INSTRUCTOR)


def may_view_dashboard(user: AnyUser) -> bool:
    """Dashboards, the bulletin and the coverage tables: city, district and
    street staff and leaders, for the regions they reach."""
    scope = _reads(user)
    return scope.has_role(*STAFF) and (scope.everything or bool(scope.street_ids))


def may_browse_enterprises(user: AnyUser) -> bool:
    return _reads(user).has_role(*STAFF, Role.SECRETARY, Role.INSTRUCTOR)


def may_browse_organizations(user: AnyUser) -> bool:
    """Organizations, rosters, activity records and fund accounts (each list scoped)."""
    return _reads(user).has_role(*STAFF, Role.SECRETARY)


def may_browse_visits(user: AnyUser) -> bool:
    return _reads(user).has_role(Role.DISTRICT, Role.STREET, Role.INSTRUCTOR)


def may_use_admin(user: AnyUser) -> bool:
    """Django's admin is the operator's: staff do their work in the pages,
    and an account with the staff flag but no model permission would only
    find an empty admin there."""
    return bool(user is not None and user.is_authenticated and user.is_superuser)


# --- the registry ------------------------------------------------------------------------------


def may_edit_enterprises(user: AnyUser) -> bool:
    """District staff, and street staff for their street, keep the enterprise ledger."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_edit_enterprise_in(user: AnyUser, street: Region) -> bool:
    """May register an enterprise in (or move one to) this street."""
    return may_edit_enterprises(user) and Region.objects.filter(_writes(user).regions_q(), pk=street.pk).exists()


def may_reveal_enterprise_phone(user: AnyUser, enterprise: Any) -> bool:
    """The whole contact phone of an enterprise: who keeps its ledger entry
    (district staff, street staff of its street). Readers of the ledger
    (leaders, instructors, secretaries) see it masked."""
    return may_edit_enterprise_in(user, enterprise.street)


def may_edit_enterprise(user: AnyUser, enterprise: Any) -> bool:
    """Correct this enterprise's facts, mark it closed, move it (within may_move_enterprise)."""
    return (
        may_edit_enterprises(user)
        and Enterprise.objects.filter(_writes(user).enterprises_q(), pk=enterprise.pk).exists()
    )


def may_move_enterprise(user: AnyUser, enterprise: Any, street: Region) -> bool:
    """Move an enterprise to another street: district staff of both streets'
    district, or a street staff member who keeps both the street it leaves
    and the one it joins."""
    scope = _writes(user)
    if scope.holds(Role.DISTRICT, enterprise.street_id) and scope.holds(Role.DISTRICT, street.pk):
        return True
    return (
        may_edit_enterprises(user) and enterprise.street_id in scope.street_ids and may_edit_enterprise_in(user, street)
    )


def may_read_record_history(user: AnyUser) -> bool:
    """The change history (field, old → new, who, why) of an enterprise or an organization: staff."""
    return _reads(user).has_role(*STAFF)


def may_edit_organizations(user: AnyUser) -> bool:
    """District staff, and street staff for their street, keep the organization register
    (create, edit, dissolve, merge, record an election)."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_edit_organization(user: AnyUser, organization: PartyOrganization) -> bool:
    return may_edit_organizations(user) and _reaches(_writes(user).organizations_q(), organization)


def may_edit_organization_in(user: AnyUser, street: Region) -> bool:
    """May create an organization in (or move one to) this street."""
    return may_edit_organizations(user) and may_edit_enterprise_in(user, street)


def may_log_visit(user: AnyUser, assignment: Any) -> bool:
    """Only the instructor of an assignment logs visits to its enterprise."""
    return user is not None and assignment.instructor_id == user.pk


def may_override_rating(user: AnyUser) -> bool:
    return _writes(user).has_role(Role.DISTRICT)


# --- rating inputs -----------------------------------------------------------------------------


def may_enter_venue_checks(user: AnyUser) -> bool:
    """Whether the user enters 六有 checklists at all: street staff (the API's first question)."""
    return "superuser" in _writes(user).roles or Role.STREET in _writes(user).roles


def may_enter_venue_check(user: AnyUser, organization: PartyOrganization) -> bool:
    """The 六有 checklist of an organization: street staff of its street."""
    scope = _writes(user)
    return "superuser" in scope.roles or (Role.STREET in scope.roles and organization.street_id in scope.street_ids)


def may_enter_veto(user: AnyUser) -> bool:
    """一票否决, entered and lifted with a reason: district staff."""
    return _writes(user).has_role(Role.DISTRICT)


def may_set_rating_scheme(user: AnyUser, region: Region | None | str = "any") -> bool:
    """Criteria weights and star thresholds from a date on: district staff for
    their district, city staff for the city's defaults (`may_set_rules`);
    with no region named, whether the user sets any region's scheme."""
    if region == "any":
        return may_set_any_rules(user)
    return may_set_rules(user, region)  # type: ignore[arg-type]


# --- the survey import -------------------------------------------------------------------------


def may_use_survey_import(user: AnyUser) -> bool:
    """District and street staff open the import pages and their batches."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_import_survey(user: AnyUser, street: Region | None, district: Region | None = None) -> bool:
    """District staff import for their whole district or any of its streets;
    street staff only for their own street. With neither a street nor a
    district named, whether the user imports for a whole district at all.
    `user` None is the operator's command line (`manage.py import_survey`),
    which runs with the server's rights."""
    if user is None:
        return True
    scope = _writes(user)
    if street is not None:
        return scope.holds(Role.DISTRICT, street.pk) or (Role.STREET in scope.roles and street.pk in scope.street_ids)
    if district is not None:
        return scope.holds(Role.DISTRICT, district.pk)
    return scope.has_role(Role.DISTRICT)


def may_export_survey_ledger(user: AnyUser) -> bool:
    return _reads(user).has_role(*STAFF)


# --- members -----------------------------------------------------------------------------------


def roster_organizations_q(user: AnyUser) -> Q:
    """The organizations whose roster the user keeps: every one they reach
    for district staff; their own (and its sub-organizations) for a secretary."""
    scope = _writes(user)
    if scope.has_role(Role.DISTRICT):
        return scope.organizations_q()
    return _own_organizations_q(scope)


def _own_organizations_q(scope: Scope) -> Q:
    """A secretary's own organizations and their sub-organizations."""
    if Role.SECRETARY in scope.roles and scope.organization_ids:
        return Q(pk__in=scope.organization_ids) | Q(parent_id__in=scope.organization_ids)
    return NOTHING


def may_keep_rosters(user: AnyUser) -> bool:
    """Whether the user keeps any roster at all (the API's first question)."""
    return _writes(user).has_role(Role.DISTRICT, Role.SECRETARY)


def may_edit_members(user: AnyUser, organization: PartyOrganization) -> bool:
    """Add, edit, move along the stages, record departures and transfers."""
    return _reaches(roster_organizations_q(user), organization)


def may_reveal_member(user: AnyUser, member: Any) -> bool:
    """The whole ID number and phone: district staff, and the secretary of the member's own organization."""
    scope = _writes(user)
    if scope.holds(Role.DISTRICT, member.organization.street_id):
        return True
    return Role.SECRETARY in scope.roles and member.organization_id in scope.organization_ids


# --- activities --------------------------------------------------------------------------------


def activity_filing_q(user: AnyUser) -> Q:
    """The organizations whose records the user files, corrects and
    submits: the organization's own secretary, or the secretary of its
    parent organization. Staff review records; they never write them."""
    scope = _writes(user)
    return Q() if "superuser" in scope.roles else _own_organizations_q(scope)


def may_file_activity(user: AnyUser, organization: PartyOrganization) -> bool:
    """File, correct or submit a record of this organization."""
    return _reaches(activity_filing_q(user), organization)


def may_review_activities(user: AnyUser) -> bool:
    return _writes(user).has_role(Role.STREET, Role.DISTRICT)


def may_review_activity(user: AnyUser, organization: PartyOrganization) -> bool:
    return may_review_activities(user) and _reaches(_writes(user).organizations_q(), organization)


def may_approve_activity(user: AnyUser, activity: Any) -> bool:
    """Approve a record: staff whose scope reaches it, unless they filed,
    edited or submitted it (its history says who did), whatever grants they hold."""
    return may_review_activity(user, activity.organization) and acts_apart_from(user, activity.filer_ids())


# --- the fund ----------------------------------------------------------------------------------

STREET_LEVEL = "street"
DISTRICT_LEVEL = "district"


def may_post_income(user: AnyUser) -> bool:
    """Income of every kind, and the fiscal subsidy to the pool: district staff."""
    return _writes(user).has_role(Role.DISTRICT)


def may_reverse_transaction(user: AnyUser) -> bool:
    return _writes(user).has_role(Role.DISTRICT)


def may_apply_for_withdrawal(user: AnyUser, organization: PartyOrganization) -> bool:
    """File, correct, resubmit or withdraw a project: the organization's own secretary."""
    scope = _writes(user)
    return scope.has_role(Role.SECRETARY) and _reaches(scope.organizations_q(), organization)


def approval_levels(user: AnyUser) -> set[str]:
    """The approval levels a user acts at: street staff the street's, district staff the final one."""
    scope = _writes(user)
    levels = set()
    if Role.STREET in scope.roles or "superuser" in scope.roles:
        levels.add(STREET_LEVEL)
    if scope.has_role(Role.DISTRICT):
        levels.add(DISTRICT_LEVEL)
    return levels


def may_approve_withdrawal(user: AnyUser, application: Any, level: str) -> bool:
    """Approve or return at a level: street staff of the organization's street; district staff."""
    scope = _writes(user)
    if level == STREET_LEVEL:
        return "superuser" in scope.roles or (
            Role.STREET in scope.roles and application.organization.street_id in scope.street_ids
        )
    if level == DISTRICT_LEVEL:
        return scope.holds(Role.DISTRICT, application.organization.street_id)
    return False


def secretaries_of(organization: PartyOrganization) -> QuerySet[User]:
    """Who files and settles for an organization (and hears of its applications)."""
    return _holders(Role.SECRETARY, organization_id=organization.pk)


def street_approvers(organization: PartyOrganization) -> QuerySet[User]:
    """Who approves an organization's applications at street level."""
    return _holders(Role.STREET, region_id=organization.street_id)


def district_approvers(organization: PartyOrganization) -> QuerySet[User]:
    """Who gives the final approval for an organization: staff of its district
    (a grant at the district or above it, or one naming no region)."""
    above = organization.street.path_up_ids()
    return User.objects.filter(
        Q(role_grants__region_id__in=above) | Q(role_grants__region__isnull=True),
        is_active=True,
        role_grants__role=Role.DISTRICT,
    ).distinct()


def may_object_to_withdrawal(user: AnyUser) -> bool:
    """During 公示, street and district staff of the scope may object (an
    objection holds the money, so it is a write: leaders, who only read, may not)."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def acts_apart_from(user: AnyUser, earlier: Iterable[int | None]) -> bool:
    """Separation of duties: a decision is not taken by anyone who already
    acted on the same record in a role it checks (who filed an application
    or a record does not approve it; who approved at street level does not
    approve at district level), whatever grants they hold."""
    return user is not None and user.pk not in set(earlier)


def may_see_publicity(user: AnyUser) -> bool:
    return _reads(user).has_role(Role.DISTRICT, Role.STREET)


def may_resolve_objection(user: AnyUser) -> bool:
    return _writes(user).has_role(Role.DISTRICT)


def may_disburse(user: AnyUser) -> bool:
    return _writes(user).has_role(Role.DISTRICT)


def may_settle(user: AnyUser, application: Any) -> bool:
    """报账: the organization's secretary, or staff of its district."""
    return _writes(user).holds(Role.DISTRICT, application.organization.street_id) or may_apply_for_withdrawal(
        user, application.organization
    )


def may_review_settlement(user: AnyUser, application: Any) -> bool:
    """Approve or return a 报账: street staff of the organization's street, as
    for the street's approval of the application (whoever submitted the
    settlement does not approve it: see `acts_apart_from`)."""
    return may_approve_withdrawal(user, application, STREET_LEVEL)


def may_set_star_rules(user: AnyUser, region: Region | None | str = "any") -> bool:
    """The 公积金 star table from a date on: as `may_set_rating_scheme`."""
    if region == "any":
        return may_set_any_rules(user)
    return may_set_rules(user, region)  # type: ignore[arg-type]


def may_read_star_rules(user: AnyUser) -> bool:
    return _reads(user).has_role(*STAFF, Role.SECRETARY)


# --- warnings (DESIGN.md §10) ------------------------------------------------------------------


def _reaches_alert(scope: Scope, alert: Any) -> bool:
    from ..models import Alert

    return Alert.objects.filter(scope.alerts_q(), pk=alert.pk).exists()


def may_browse_warnings(user: AnyUser) -> bool:
    """The warnings page (each list scoped): staff, secretaries and instructors."""
    return _reads(user).has_role(*STAFF, Role.SECRETARY, Role.INSTRUCTOR)


def may_work_alerts(user: AnyUser) -> bool:
    """Assign (督办), close and send back warnings: district and street staff."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_work_alert(user: AnyUser, alert: Any) -> bool:
    """District staff, and street staff of a warning their street reaches."""
    return may_work_alerts(user) and _reaches_alert(_writes(user), alert)


def may_be_assigned_alert(user: AnyUser, alert: Any) -> bool:
    """An assignee is someone whose (write) scope covers the warning: staff of
    its street or district, a secretary of its organization, its instructor."""
    return bool(user is not None and user.is_active) and _reaches_alert(_writes(user), alert)


def may_answer_alerts(user: AnyUser) -> bool:
    """Whether the user may answer any warning at all (the API's first question):
    anyone who writes; whether this one is theirs is `may_respond_alert`."""
    return _writes(user).has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY, Role.INSTRUCTOR)


def may_respond_alert(user: AnyUser, alert: Any) -> bool:
    """Answer a warning: only the person it is assigned to, while it reaches them."""
    return user is not None and alert.assignee_id == user.pk and may_be_assigned_alert(user, alert)


def may_plan_rectification(user: AnyUser, organization: PartyOrganization) -> bool:
    """A 整顿 plan is set by district staff, or street staff of the organization's street."""
    return may_work_alerts(user) and _reaches(_writes(user).organizations_q(), organization)


def may_mark_rectification_step(user: AnyUser, organization: PartyOrganization) -> bool:
    """A step is marked done by staff who may plan it, or the organization's own secretary."""
    return may_plan_rectification(user, organization) or _reaches(_own_organizations_q(_writes(user)), organization)


# --- change proposals: a secretary proposes, street or district staff confirm ----------------


def may_propose_change(user: AnyUser, record: Any) -> bool:
    """A secretary, for their own organization's facts and the enterprises it covers."""
    scope = _writes(user)
    own = scope.organization_ids if Role.SECRETARY in scope.roles else frozenset()
    if isinstance(record, PartyOrganization):
        return record.pk in own
    return bool(own) and Enterprise.objects.filter(pk=record.pk, organizations__pk__in=own).exists()


def may_browse_proposals(user: AnyUser) -> bool:
    return _writes(user).has_role(Role.DISTRICT, Role.STREET, Role.SECRETARY)


def may_decide_proposal(user: AnyUser, proposal: Any) -> bool:
    """Confirm or reject: who may edit the record itself, never its proposer."""
    target = proposal.target
    editor = may_edit_enterprise if isinstance(target, Enterprise) else may_edit_organization
    return editor(user, target) and acts_apart_from(user, [proposal.proposed_by_id])


# --- security ----------------------------------------------------------------------------------


def may_read_audit(user: AnyUser) -> bool:
    """The audit trail and its export: city or district staff who reach the
    whole installation (its entries are not filed under a region)."""
    scope = _reads(user)
    return scope.everything and scope.has_role(Role.CITY, Role.DISTRICT)


def may_enrol_two_factor(user: AnyUser) -> bool:
    return _reads(user).has_role(Role.CITY, Role.DISTRICT)

"""Who may do what: 党费 (a section of orgs.policy). Members are taken
duck-typed (`organization`, `organization_id`): the ground floor does not
import the dues app.

- Bases and payments are kept by whoever keeps the roster: the
  organization's own secretary (and the secretary of its parent), and
  district staff, who may correct them.
- An exemption or reduction is decided by the branch and approved by the
  party committee above it (中央组织部《关于中国共产党党费收缴、使用和管理
  的规定》): here street staff of the organization's street or district
  staff record it as its approver. A secretary does not approve their own
  members' relief.
- The declared income is seen whole by those who see the ID number whole.
- The quarterly rebate is posted by the job; by hand, by district staff.
"""

from __future__ import annotations

from typing import Any

from ..models import PartyOrganization, Role
from ..scoping import AnyUser
from .base import _reaches, _reads, _writes


def may_browse_dues(user: AnyUser) -> bool:
    """The dues pages (scoped): staff, leaders and secretaries."""
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER, Role.SECRETARY)


def may_keep_any_dues(user: AnyUser) -> bool:
    """Whether the user records dues at all (the API's first question)."""
    return _writes(user).has_role(Role.DISTRICT, Role.SECRETARY)


def may_keep_dues(user: AnyUser, organization: PartyOrganization) -> bool:
    """Declare a member's basis and record payments: who keeps the roster."""
    from . import roster_organizations_q

    return _reaches(roster_organizations_q(user), organization)


def may_approve_any_dues_relief(user: AnyUser) -> bool:
    return _writes(user).has_role(Role.DISTRICT, Role.STREET)


def may_approve_dues_relief(user: AnyUser, organization: PartyOrganization) -> bool:
    """Exempt or reduce: street staff of the organization's street, district staff."""
    scope = _writes(user)
    return scope.holds(Role.DISTRICT, organization.street_id) or scope.holds(Role.STREET, organization.street_id)


def may_reveal_dues_income(user: AnyUser, member: Any) -> bool:
    """The declared income whole: as the ID number (district staff, the member's own secretary)."""
    from . import may_reveal_member

    return may_reveal_member(user, member)


def may_read_dues_figures(user: AnyUser) -> bool:
    return _reads(user).has_role(Role.CITY, Role.DISTRICT, Role.STREET, Role.LEADER)


def may_post_dues_rebates(user: AnyUser) -> bool:
    """Run the quarter's rebate by hand: district staff (`None` is the job or the command)."""
    return user is None or _writes(user).has_role(Role.DISTRICT)

"""What the floors above keep per party organization, as far as the ground
floor needs to know when it dissolves or merges one.

The ground floor imports no other app (DESIGN.md §7), yet dissolving an
organization must be refused while it still has members, and a merge must
move the members and activity records along. So each work app registers
here, from its AppConfig.ready(), what it keeps: a count of what still lives
in an organization (which blocks a dissolution), a move of it all to another
organization (a merge), and the roster's names (an election's committee).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from .models import PartyOrganization


@dataclass(frozen=True)
class Dependent:
    label: str | Promise  # what the refusal names: 党员, 组织生活记录, ...
    live_count: Callable[[PartyOrganization], int] | None = None
    move: Callable[[PartyOrganization, PartyOrganization], int] | None = None
    roster: Callable[[PartyOrganization], dict[int, str]] | None = None


_DEPENDENTS: dict[str, Dependent] = {}


def register(key: str, dependent: Dependent) -> None:
    _DEPENDENTS[key] = dependent


def dependents() -> list[Dependent]:
    return list(_DEPENDENTS.values())


def live_dependents(organization: PartyOrganization) -> list[tuple[str | Promise, int]]:
    """What still lives in the organization: (label, count) for each non-zero count."""
    found = []
    for d in dependents():
        if d.live_count is not None:
            n = d.live_count(organization)
            if n:
                found.append((d.label, n))
    return found


def move_all(source: PartyOrganization, target: PartyOrganization) -> dict[str, int]:
    return {str(d.label): d.move(source, target) for d in dependents() if d.move is not None}


def roster(organization: PartyOrganization) -> dict[int, str]:
    """Member id → name of the organization's roster (empty without the members app)."""
    names: dict[int, str] = {}
    for d in dependents():
        if d.roster is not None:
            names.update(d.roster(organization))
    return names

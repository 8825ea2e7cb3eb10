"""Reads of members, always scoped through orgs.selectors.scope_for."""

from django.db.models import Count, Q, QuerySet

from core.crypto import blind_index
from orgs.models import PartyOrganization, Role
from orgs.selectors import scope_for, scoped_get

from .models import Member, Stage


def member_list(*, user, filters: dict | None = None) -> QuerySet[Member]:
    qs = Member.objects.filter(scope_for(user).organizations_q("organization"))
    filters = filters or {}
    for key in ("organization", "stage", "status", "mobility", "gender", "enterprise"):
        value = filters.get(key)
        if value not in (None, ""):
            qs = qs.filter(**{key: value})
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"])
    return qs.select_related("organization", "enterprise")


def member_get(*, user, pk, write: bool = False) -> Member:
    return scoped_get(
        user=user,
        queryset=Member.objects.select_related("organization", "enterprise"),
        scope_q_name="organizations_q",
        path="organization",
        pk=pk,
        write=write,
    )


def member_by_id_number(*, id_number: str) -> Member | None:
    """District-wide look-up through the blind index (for duplicate checks,
    which must see past the caller's scope to say where a number lives)."""
    return Member.objects.select_related("organization").filter(id_number_index=blind_index(id_number)).first()


def member_may_reveal(*, user, member: Member) -> bool:
    """Whole ID numbers and phones: district staff, and the member's own secretary."""
    scope = scope_for(user, write=True)
    if scope.has_role(Role.DISTRICT):
        return True
    return Role.SECRETARY in scope.roles and member.organization_id in scope.organization_ids


def pipeline_counts(*, organization: PartyOrganization) -> dict[str, int]:
    rows = (
        Member.objects.filter(organization=organization, status=Member.Status.ACTIVE)
        .values("stage")
        .annotate(n=Count("pk"))
    )
    counts = {stage: 0 for stage in Stage.values}
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts


def member_totals(*, user) -> dict[str, int]:
    return (
        member_list(user=user)
        .filter(status=Member.Status.ACTIVE)
        .aggregate(
            formal=Count("pk", filter=Q(stage=Stage.FORMAL)),
            probationary=Count("pk", filter=Q(stage=Stage.PROBATIONARY)),
            pipeline=Count("pk", filter=Q(stage__in=[Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE])),
        )
    )

"""Reads of members, always scoped through orgs.selectors.scope_for."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core.crypto import blind_index
from orgs import policy
from orgs.models import PartyOrganization
from orgs.selectors import AnyUser, scope_for, scoped_get

from .models import Member, MemberEvent, Stage, Transfer


def member_list(*, user: AnyUser, filters: dict | None = None) -> QuerySet[Member]:
    qs = Member.objects.filter(scope_for(user).organizations_q("organization"))
    filters = filters or {}
    for key in ("organization", "stage", "status", "mobility", "gender", "enterprise"):
        value = filters.get(key)
        if value not in (None, ""):
            if key in ("organization", "enterprise") and not str(value).isdigit():
                continue
            qs = qs.filter(**{key: value})
    q = (filters.get("q") or "").strip()
    if q:
        # A whole ID number is found through its blind index; anything else is a name.
        if len(q) == 18 and q[:17].isdigit():
            qs = qs.filter(id_number_index=blind_index(q))
        else:
            qs = qs.filter(name__icontains=q)
    return qs.select_related("organization", "enterprise")


def member_get(*, user: AnyUser, pk: int | str | None, write: bool = False) -> Member:
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


def pipeline_counts(*, organization: PartyOrganization) -> dict[str, int]:
    rows = (
        Member.objects.filter(organization=organization, status=Member.Status.ACTIVE)
        .values("stage")
        .annotate(n=Count("pk"))
    )
    counts = {stage: 0 for stage in Stage.values}
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts


def member_totals(*, user: AnyUser) -> dict[str, int]:
    return (
        member_list(user=user)
        .filter(status=Member.Status.ACTIVE)
        .aggregate(
            formal=Count("pk", filter=Q(stage=Stage.FORMAL)),
            probationary=Count("pk", filter=Q(stage=Stage.PROBATIONARY)),
            pipeline=Count("pk", filter=Q(stage__in=[Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE])),
        )
    )


def member_events(*, member: Member) -> QuerySet[MemberEvent]:
    """Events of a member already fetched through `member_get`."""
    return member.events.select_related("from_organization", "to_organization", "recorded_by")


def organizations_for_roster(*, user: AnyUser) -> QuerySet[PartyOrganization]:
    """Organizations whose roster the user keeps (orgs.policy), still active."""
    return PartyOrganization.objects.filter(policy.roster_organizations_q(user), dissolved_on__isnull=True).order_by(
        "name"
    )


def transfer_targets(*, user: AnyUser, exclude_pk: int | None = None) -> QuerySet[PartyOrganization]:
    """Every active organization of the district, by name only: a sender
    must be able to name a receiver outside their own reach."""
    qs = PartyOrganization.objects.filter(dissolved_on__isnull=True).select_related("street").order_by("name")
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


TRANSFER_SEARCH_LIMIT = 20


def transfer_target_search(*, user: AnyUser, query: str, exclude_pk: int | None = None) -> list[PartyOrganization]:
    """The receiving organizations whose name holds what was typed (the transfer form's search field)."""
    query = (query or "").strip()
    if not query:
        return []
    return list(
        transfer_targets(user=user, exclude_pk=exclude_pk).filter(name__icontains=query)[:TRANSFER_SEARCH_LIMIT]
    )


def _transfer_q(user: AnyUser) -> Q:
    scope = scope_for(user)
    return scope.organizations_q("from_organization") | scope.organizations_q("to_organization")


def transfer_list(*, user: AnyUser) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(_transfer_q(user))
        .distinct()
        .select_related("member", "from_organization", "to_organization", "requested_by", "decided_by")
    )


def transfers_incoming(*, user: AnyUser) -> QuerySet[Transfer]:
    """Open transfers the user may confirm: into a roster they keep (orgs.policy)."""
    keeps = PartyOrganization.objects.filter(policy.roster_organizations_q(user)).values("pk")
    return Transfer.objects.filter(to_organization__in=keeps, status=Transfer.Status.REQUESTED).select_related(
        "member", "from_organization", "to_organization"
    )


def transfer_get(*, user: AnyUser, pk: int | str) -> Transfer:
    """Seen by both sides of the transfer; anyone else gets 404."""
    try:
        return transfer_list(user=user).get(pk=pk)
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise Http404(_("记录不存在或不在您的管辖范围内")) from None


def live_member_count(*, organization: PartyOrganization) -> int:
    """Members and applicants whose organizational relationship is still in the organization."""
    return Member.objects.filter(organization=organization).exclude(status=Member.Status.LEFT).count()


def roster_names(*, organization: PartyOrganization) -> dict[int, str]:
    """The roster as id → name, for choosing a committee (not scoped: the caller has the organization)."""
    rows = Member.objects.filter(organization=organization).exclude(status=Member.Status.LEFT)
    return dict(rows.order_by("name").values_list("pk", "name"))

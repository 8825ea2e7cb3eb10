"""Reads of 党费, always scoped through `scope_for`: a secretary reaches
their own organizations' members, staff those of their streets or district.

Arrears: a month is in arrears when something was due for it (`DuesBook.due`)
and no payment is recorded; the current month is not in arrears until it
has passed. Figures for a month: `due` is the sum of what the members owed
for it, `paid` the sum of payments recorded for it, `payment_rate`
paid ÷ due (None where nothing was due), `in_arrears` the members with at
least one month in arrears up to and including it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.money import ZERO
from members.models import Member
from members.selectors import member_get
from orgs.models import PartyOrganization, Region
from orgs.scoping import AnyUser, scope_for
from orgs.selectors import scoped_get

from .models import DuesBasis, Payment, Rebate, Relief
from .rules import PAYING_STAGES, Due, DuesBook, add_months, month_start, months

# How far back arrears are looked for: a basis older than this counts from here.
ARREARS_WINDOW_MONTHS = 36

__all__ = ["member_get"]


def organizations_in_reach(*, user: AnyUser) -> QuerySet[PartyOrganization]:
    return (
        PartyOrganization.objects.filter(scope_for(user).organizations_q(), dissolved_on__isnull=True)
        .select_related("street")
        .order_by("street__name", "name")
    )


def organization_get(*, user: AnyUser, pk: int | str | None) -> PartyOrganization:
    return scoped_get(
        user=user,
        queryset=PartyOrganization.objects.select_related("street"),
        scope_q_name="organizations_q",
        pk=pk,
    )


def last_month(on: date | None = None) -> date:
    return add_months(month_start(on or timezone.localdate()), -1)


@dataclass
class MemberDues:
    member: Member
    basis: DuesBasis | None
    reliefs: list[Relief]
    paid: dict[date, Payment]
    due: Decimal | None = None
    payment: Payment | None = None
    arrears: list[date] = field(default_factory=list)
    consecutive: int = 0

    @property
    def arrears_total(self) -> int:
        return len(self.arrears)


def dues_members(members: QuerySet[Member]) -> QuerySet[Member]:
    return (
        members.filter(stage__in=PAYING_STAGES)
        .select_related("organization", "organization__street", "dues_basis")
        .order_by("organization_id", "name", "pk")
    )


def member_states(
    members: QuerySet[Member] | list[Member], *, period: date, on: date | None = None, book: DuesBook | None = None
) -> list[MemberDues]:
    """Each member's due and payment for `period`, and their months in
    arrears up to `period` (and up to the month before `on`)."""
    on = on or timezone.localdate()
    book = book or DuesBook()
    members = list(members)
    ids = [m.pk for m in members]
    reliefs: dict[int, list[Relief]] = defaultdict(list)
    for relief in Relief.objects.filter(member_id__in=ids):
        reliefs[relief.member_id].append(relief)
    paid: dict[int, dict[date, Payment]] = defaultdict(dict)
    for payment in Payment.objects.filter(member_id__in=ids):
        paid[payment.member_id][payment.period] = payment
    end = min(period, last_month(on))
    out = []
    for member in members:
        basis = getattr(member, "dues_basis", None) if _has_basis(member) else None
        state = MemberDues(member=member, basis=basis, reliefs=reliefs[member.pk], paid=paid[member.pk])
        state.due = book.due(member, basis, period, state.reliefs)
        state.payment = state.paid.get(period)
        if basis is not None:
            start = max(month_start(basis.due_from), add_months(end, -ARREARS_WINDOW_MONTHS + 1))
            run_open = True
            for month in reversed(months(start, end)):
                due = book.due(member, basis, month, state.reliefs)
                if due is None:
                    run_open = False
                    continue
                if month in state.paid:
                    run_open = False
                    continue
                state.arrears.append(month)
                if run_open:
                    state.consecutive += 1
            state.arrears.reverse()
        out.append(state)
    return out


def _has_basis(member: Member) -> bool:
    try:
        return member.dues_basis is not None
    except DuesBasis.DoesNotExist:
        return False


def organization_members(*, organization: PartyOrganization) -> QuerySet[Member]:
    return dues_members(Member.objects.filter(organization=organization).exclude(status=Member.Status.LEFT))


def current_due(*, member: Member, on: date | None = None) -> Due | None:
    """The full monthly amount by the member's basis this month, with its bracket (None without a basis)."""
    if not _has_basis(member):
        return None
    return DuesBook().full_amount(member.dues_basis, month_start(on or timezone.localdate()))


def due_in(*, member: Member, state: MemberDues, period: date) -> Decimal | None:
    """What `member` owes for `period` (None: nothing)."""
    return DuesBook().due(member, state.basis, period, state.reliefs)


def member_payments(*, member: Member) -> QuerySet[Payment]:
    return Payment.objects.filter(member=member).select_related("recorded_by").order_by("-period")


def member_reliefs(*, member: Member) -> QuerySet[Relief]:
    return Relief.objects.filter(member=member).select_related("approved_by")


# --- figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    due: Decimal = ZERO
    paid: Decimal = ZERO
    members_due: int = 0
    members_paid: int = 0
    in_arrears: int = 0
    pk: int | None = None

    @property
    def payment_rate(self) -> float | None:
        return float(self.paid / self.due) if self.due else None

    def add(self, state: MemberDues, period: date) -> None:
        if state.due is not None:
            self.due += state.due
            self.members_due += 1
            if state.payment is not None:
                self.members_paid += 1
        if state.payment is not None:
            self.paid += state.payment.amount
        if any(month <= period for month in state.arrears):
            self.in_arrears += 1


@dataclass
class FigureTable:
    period: date
    organizations: list[Figures]
    streets: list[Figures]
    districts: list[Figures]
    total: Figures


def figures(
    *, user: AnyUser, period: date, organization: PartyOrganization | None = None, on: date | None = None
) -> FigureTable:
    """Collected, due, payment rate and members in arrears for `period`, per
    organization, street and district the user reaches."""
    orgs = organizations_in_reach(user=user)
    if organization is not None:
        orgs = orgs.filter(pk=organization.pk)
    org_list = list(orgs)
    members = dues_members(Member.objects.filter(organization__in=org_list))
    states = member_states(members, period=period, on=on)
    by_org = {o.pk: Figures(name=o.name, pk=o.pk) for o in org_list}
    streets: dict[int, Figures] = {}
    districts: dict[int, Figures] = {}
    district_of_street: dict[int, Region | None] = {}
    total = Figures(name="")
    for state in states:
        org = state.member.organization
        by_org[org.pk].add(state, period)
        street = org.street
        streets.setdefault(street.pk, Figures(name=street.name, pk=street.pk)).add(state, period)
        if street.pk not in district_of_street:
            district_of_street[street.pk] = street.district()
        district = district_of_street[street.pk]
        if district is not None:
            districts.setdefault(district.pk, Figures(name=district.name, pk=district.pk)).add(state, period)
        total.add(state, period)
    return FigureTable(
        period=period,
        organizations=list(by_org.values()),
        streets=sorted(streets.values(), key=lambda f: f.name),
        districts=sorted(districts.values(), key=lambda f: f.name),
        total=total,
    )


def rebates_of(*, organization: PartyOrganization) -> QuerySet[Rebate]:
    return Rebate.objects.filter(organization=organization).select_related("transaction").order_by("-quarter", "-seq")


def rebates_in_reach(*, user: AnyUser) -> QuerySet[Rebate]:
    return (
        Rebate.objects.filter(scope_for(user).organizations_q("organization"))
        .select_related("organization")
        .order_by("-quarter", "organization__name", "seq")
    )


def arrears_members(*, on: date) -> list[MemberDues]:
    """Every member with months in arrears as of `on` (the warnings' source)."""
    period = last_month(on)
    members = dues_members(
        Member.objects.filter(dues_basis__isnull=False).filter(Q(left_on__isnull=True) | Q(left_on__gte=period))
    )
    return [s for s in member_states(members, period=period, on=on) if s.arrears]

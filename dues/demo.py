"""Demo dues for seed_demo: a basis for the district's probationary and
formal members (most on the job, some retirees, students and unemployed),
payments for the last eight months with realistic gaps (a few members three
or more months behind, one or two six), one approved reduction and one
exemption, and the last full quarter's 党费返还 posted into the 公积金. From
its own random stream, so the rest of the demo keeps its data."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from members.models import Member
from orgs.models import PartyOrganization, Region, User

from .models import DuesBasis, Payment, Relief
from .reference import ensure_brackets
from .rules import PAYING_STAGES, DuesBook, acceptance_date, add_months, month_start, quarter_of
from .services import rebates_post

MONTHS_BACK = 8
INCOMES = [2600, 2980, 3000, 3500, 4200, 4800, 5000, 5600, 6500, 7200, 8800, 9500, 10000, 12500, 16000, 23000]


def seed(*, district: Region, secretary_organization: PartyOrganization | None, as_of: date, seed: int) -> int:
    """Returns how many payments were made."""
    ensure_brackets()
    rng = random.Random(seed + 19)
    staff = User.objects.filter(username="district").first()
    secretary = User.objects.filter(username="secretary").first()
    this_month = month_start(as_of)
    first = add_months(this_month, -MONTHS_BACK)
    members = list(
        Member.objects.filter(
            organization__street__parent=district, stage__in=PAYING_STAGES, status=Member.Status.ACTIVE
        ).order_by("pk")
    )
    bases = []
    for member in members:
        roll = rng.random()
        category, income = "employed", Decimal(rng.choice(INCOMES)) + Decimal(rng.randrange(0, 100)) / 100
        if roll < 0.08:
            category, income = "retired", Decimal(rng.choice([3200, 4500, 5000, 5800, 7000]))
        elif roll < 0.11:
            category, income = "student", None
        elif roll < 0.13:
            category, income = "unemployed", None
        accepted = acceptance_date(member) or first
        bases.append(
            DuesBasis(
                member=member,
                category=category,
                monthly_income=f"{income:.2f}" if income is not None else "",
                due_from=max(first, month_start(accepted)),
                updated_by=secretary,
            )
        )
    DuesBasis.objects.bulk_create(bases, batch_size=1000)
    basis_of = {b.member_id: b for b in bases}
    reliefs: dict[int, list[Relief]] = {}
    if staff is not None and len(members) > 4:
        # Secretary's organization first, so the demo secretary sees them.
        own = [m for m in members if secretary_organization and m.organization_id == secretary_organization.pk]
        reduced, exempt = (own + members)[:2]
        reliefs[reduced.pk] = [
            Relief.objects.create(
                member=reduced,
                kind=Relief.Kind.REDUCED,
                monthly_amount=Decimal("5.00"),
                first_period=add_months(this_month, -4),
                last_period=add_months(this_month, 1),
                reason="家庭遭遇重大变故，支部党员大会讨论同意减交",
                approved_by=staff,
                approved_on=as_of,
            )
        ]
        reliefs[exempt.pk] = [
            Relief.objects.create(
                member=exempt,
                kind=Relief.Kind.EXEMPT,
                first_period=add_months(this_month, -6),
                last_period=add_months(this_month, -3),
                reason="长期患病住院，经济困难",
                approved_by=staff,
                approved_on=as_of,
            )
        ]
    book = DuesBook()
    payments = []
    for member in members:
        basis = basis_of[member.pk]
        roll = rng.random()
        unpaid = 0  # the most recent months left unpaid
        if roll < 0.04:
            unpaid = rng.randint(6, 8)  # six months or more behind
        elif roll < 0.14:
            unpaid = rng.randint(3, 5)
        elif roll < 0.22:
            unpaid = 1
        for back in range(MONTHS_BACK, unpaid, -1):
            period = add_months(this_month, -back)
            due = book.due(member, basis, period, reliefs.get(member.pk, []))
            if due is None:
                continue
            paid_on = min(as_of, date(period.year, period.month, rng.randint(5, 25)))
            payments.append(
                Payment(
                    member=member,
                    organization_id=member.organization_id,
                    period=period,
                    amount=due,
                    paid_on=paid_on,
                    recorded_by=secretary,
                )
            )
    Payment.objects.bulk_create(payments, batch_size=2000)
    # The last full quarter's rebate, as the job would post it.
    last_quarter = quarter_of(add_months(this_month, -3 - (this_month.month - 1) % 3))
    rebates_post(quarter=last_quarter, on=as_of)
    return len(payments)

"""A project of each class in the shared world: A in the district, B in
street A, C of org A; and street B's own staff (an outsider to A's street)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from demands.models import DemandProject
from demands.services import demand_set_up
from orgs.models import Role
from tests.factories import UserFactory, grant


def set_up(by, level, owner, *, ago=30, span=60, title="项目"):
    set_up_on = timezone.localdate() - timedelta(days=ago)
    return demand_set_up(
        by=by,
        level=level,
        owner=owner,
        title=title,
        proposer_kind=DemandProject.Proposer.MEMBER,
        collected_by=DemandProject.Collection.FORUM,
        set_up_on=set_up_on,
        target_date=set_up_on + timedelta(days=span),
    )


@pytest.fixture
def projects(world):
    district = world.street_a.parent
    return {
        "A": set_up(world.district, "A", district, title="区级项目"),
        "B": set_up(world.street_a_staff, "B", world.street_a, title="甲街道项目"),
        "C": set_up(world.secretary_a, "C", world.org_a, title="甲支部项目"),
    }


@pytest.fixture
def street_b_staff(world):
    return grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)

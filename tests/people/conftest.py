"""People of street 甲 and street 乙: each organization's secretary in the
register (甲's trained, 乙's not), a worker of each street in the talent
pool, and a district course that 甲's secretary attended. The world's
street 乙 and secretary_b are the outsiders."""

from dataclasses import dataclass
from datetime import date

import pytest

from orgs.models import Role
from people import services
from people.models import PartyWorker, Training
from tests.factories import UserFactory, grant

COURSE_START = date(2025, 4, 1)


@dataclass
class Staff:
    secretary_a: PartyWorker
    secretary_b: PartyWorker
    pool_a: PartyWorker
    pool_b: PartyWorker
    course: Training
    street_b_staff: object


@pytest.fixture
def staff(world) -> Staff:
    for org, name in ((world.org_a, "王甲书记"), (world.org_b, "赵乙书记")):
        org.secretary_name = name
        org.save(update_fields=["secretary_name"])
    secretary_a = services.worker_register(
        by=world.street_a_staff,
        name="王甲书记",
        source=PartyWorker.Source.ELECTED,
        employment=PartyWorker.Employment.PART_TIME,
        post=PartyWorker.Post.SECRETARY,
        organization=world.org_a,
        phone="13812345678",
    )
    secretary_b = services.worker_register(
        by=world.district,
        name="赵乙书记",
        source=PartyWorker.Source.HIRED,
        employment=PartyWorker.Employment.FULL_TIME,
        post=PartyWorker.Post.SECRETARY,
        organization=world.org_b,
    )
    pool_a = services.worker_register(
        by=world.street_a_staff,
        name="钱甲退休干部",
        source=PartyWorker.Source.RETIRED_CADRE,
        employment=PartyWorker.Employment.PART_TIME,
        region=world.street_a,
        in_pool=True,
    )
    pool_b = services.worker_register(
        by=world.district,
        name="孙乙转业军人",
        source=PartyWorker.Source.VETERAN,
        employment=PartyWorker.Employment.FULL_TIME,
        region=world.street_b,
        in_pool=True,
    )
    course = services.training_create(
        by=world.street_a_staff,
        title="非公企业党组织书记轮训班",
        level=Training.Level.DISTRICT,
        starts_on=COURSE_START,
        ends_on=date(2025, 4, 3),
        hours="16",
        organizer="区委两新工委",
        region=world.street_a,
        attendees=[secretary_a],
    )
    street_b_staff = grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)
    return Staff(
        secretary_a=secretary_a,
        secretary_b=secretary_b,
        pool_a=pool_a,
        pool_b=pool_b,
        course=course,
        street_b_staff=street_b_staff,
    )

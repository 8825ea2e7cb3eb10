"""An alliance of street 甲 led by org_a (secretary_a's), with one X member
organization and one N enterprise; the world's street 乙 and secretary_b are
the outsiders."""

from dataclasses import dataclass
from datetime import date

import pytest

from alliances import services
from alliances.models import Alliance, AllianceMember
from orgs.models import Role
from tests.factories import EnterpriseFactory, OrganizationFactory, UserFactory, grant

FOUNDED = date(2026, 1, 10)


@dataclass
class Chain:
    alliance: Alliance
    x_org: object
    x_enterprise: object
    n_enterprise: object
    spare: object
    street_b_staff: object


@pytest.fixture
def chain(world) -> Chain:
    x_enterprise = EnterpriseFactory(street=world.street_a, name="甲链上配套有限公司")
    x_org = OrganizationFactory(street=world.street_a, name="中共甲链上配套支部", enterprises=[x_enterprise])
    n_enterprise = EnterpriseFactory(street=world.street_a, name="甲无党组织小微企业")
    spare = EnterpriseFactory(street=world.street_a, name="甲另一家无党组织企业")
    alliance = services.alliance_create(
        by=world.street_a_staff,
        name="甲街道装备制造产业链党建联盟",
        chain="装备制造",
        region=world.street_a,
        lead_kind=Alliance.LeadKind.ENTERPRISE,
        lead_enterprise=world.enterprise_a,
        lead_organization=world.org_a,
        first_secretary="王立新",
        first_secretary_post="街道党工委副书记",
        secretary_general="孙丽",
        founded_on=FOUNDED,
    )
    services.member_add(by=world.street_a_staff, alliance=alliance, organization=x_org, joined_on=date(2026, 2, 1))
    services.member_add(by=world.street_a_staff, alliance=alliance, enterprise=n_enterprise, joined_on=date(2026, 2, 1))
    street_b_staff = grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)
    return Chain(
        alliance=alliance,
        x_org=x_org,
        x_enterprise=x_enterprise,
        n_enterprise=n_enterprise,
        spare=spare,
        street_b_staff=street_b_staff,
    )


def member_count() -> int:
    return AllianceMember.objects.count()

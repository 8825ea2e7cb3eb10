"""The register's pages and forms as street staff use them on a 390-px phone:
the enterprise with its change history, the organization with its committee
and elections, and every form of the register. Nothing scrolls sideways."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.organization_services import election_record, organization_update
from orgs.services import enterprise_edit

from .conftest import shot
from .test_phone_layouts import _problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_pages_fit_a_phone(world, phone_as, live_server):
    staff = world.street_a_staff
    enterprise_edit(
        enterprise=world.enterprise_a,
        by=staff,
        reason="企业来电更正从业人数并说明上一年度排查表中填报有误的原因",
        employees=120,
        address="浙江省温州市瓯海区娄桥街道古岸头工业区瓯海大道一千二百三十四号",
    )
    organization_update(organization=world.org_a, by=staff, reason="书记调整", secretary_name="欧阳明华")
    election_record(
        organization=world.org_a,
        by=staff,
        held_on=timezone.localdate() - timedelta(days=3),
        secretary="张甲",
        deputies=["欧阳明华"],
        committee=["司马相如", "诸葛孔明", "上官婉儿"],
    )
    paths = [
        reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk]),
        reverse("orgs:enterprise_edit", args=[world.enterprise_a.pk]),
        reverse("orgs:organization_list"),
        reverse("orgs:organization_detail", args=[world.org_a.pk]),
        reverse("orgs:organization_create"),
        reverse("orgs:organization_edit", args=[world.org_a.pk]),
        reverse("orgs:organization_dissolve", args=[world.org_a.pk]),
        reverse("orgs:organization_merge", args=[world.org_a.pk]),
        reverse("orgs:organization_election", args=[world.org_a.pk]),
    ]
    page = phone_as(staff)
    problems = []
    for number, path in enumerate(paths):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        shot(page, f"phone-register-{number:02d}")
        problems.extend(_problems(page, path))
    assert not problems, "\n".join(problems)

"""Pages: the right user gets them, the outsider gets 404."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("role", ["district", "secretary_a", "street_a_staff", "leader"])
def test_enterprise_page_for_users_in_scope(world, login, role):
    response = login(getattr(world, role)).get(reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk]))
    assert response.status_code == 200
    assert "甲企业有限公司" in response.content.decode()


def test_enterprise_page_outsider_gets_404(world, login):
    response = login(world.secretary_b).get(reverse("orgs:enterprise_detail", args=[world.enterprise_a.pk]))
    assert response.status_code == 404
    assert "甲企业" not in response.content.decode()


def test_organization_page_outsider_gets_404(world, login):
    client = login(world.secretary_b)
    assert client.get(reverse("orgs:organization_detail", args=[world.org_a.pk])).status_code == 404
    assert client.get(reverse("orgs:organization_detail", args=[world.org_b.pk])).status_code == 200


def test_lists_show_only_the_scope(world, login):
    body = login(world.secretary_b).get(reverse("orgs:enterprise_list")).content.decode()
    assert "乙企业有限公司" in body and "甲企业有限公司" not in body
    body = login(world.district).get(reverse("orgs:organization_list")).content.decode()
    assert "中共甲企业支部委员会" in body and "中共乙企业支部委员会" in body


def test_bad_page_number_and_filters_are_harmless(world, login):
    client = login(world.district)
    response = client.get(reverse("orgs:enterprise_list"), {"page": "abc", "street": "x", "status": "nonsense"})
    assert response.status_code == 200
    assert "甲企业有限公司" in response.content.decode()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("orgs:enterprise_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("district", "区两新工委工作人员"),
        ("street_a_staff", "街道非公党委工作人员"),
        ("secretary_a", "企业党组织书记"),
        ("instructor", "党建指导员"),
        ("leader", "领导（只读）"),
    ],
)
def test_home_page_per_role(world, login, role, expected):
    # Leaders are sent on to the dashboard, which names their role too.
    body = login(getattr(world, role)).get(reverse("home"), follow=True).content.decode()
    assert expected in body


def test_navigation_follows_role(world, login):
    body = login(world.instructor).get(reverse("home")).content.decode()
    assert reverse("orgs:enterprise_list") in body
    assert reverse("orgs:organization_list") not in body


def test_secretary_home_and_org_page_show_the_compliance_calendar(world, login):
    from activities.reference import ensure_reference_data

    ensure_reference_data()
    client = login(world.secretary_a)
    home = client.get(reverse("home")).content.decode()
    assert "组织生活日历" in home and "主题党日" in home and "近期应开" in home
    page = client.get(reverse("orgs:organization_detail", args=[world.org_a.pk])).content.decode()
    assert "组织生活日历" in page

"""Pages and API: the right user gets a pairing, an outsider a 404; the API
per CONTRACT.md; the page and the API write through the same service."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from orgs.models import Region, Role
from pairings.models import Pairing, PairingKind, Visit
from tests.factories import UserFactory, grant


def test_pairing_pages_for_the_street_and_404_for_outsiders(world, pairing, login):
    other_street = grant(UserFactory(), Role.STREET, region=world.street_b)
    for user in (world.street_a_staff, world.district, world.leader):
        client = login(user)
        assert "甲企业有限公司" in client.get(reverse("pairings:list")).content.decode()
        assert client.get(reverse("pairings:detail", args=[pairing.pk])).status_code == 200
    for outsider in (other_street, world.secretary_b):
        client = login(outsider)
        assert "甲企业有限公司" not in client.get(reverse("pairings:list")).content.decode()
        assert client.get(reverse("pairings:detail", args=[pairing.pk])).status_code == 404
        assert client.get(reverse("pairings:visit_log", args=[pairing.pk])).status_code == 404
    assert not Visit.objects.exists()


def test_list_filters_by_kind(world, pairing, login):
    client = login(world.district)
    assert "甲企业有限公司" in client.get(reverse("pairings:list"), {"kind": PairingKind.CADRE_POINT}).content.decode()
    body = client.get(reverse("pairings:list"), {"kind": PairingKind.DEPARTMENT_ENTERPRISE}).content.decode()
    assert "暂无结对" in body


def test_visit_logged_on_the_page(world, pairing, login):
    client = login(world.street_a_staff)
    response = client.post(
        reverse("pairings:visit_log", args=[pairing.pk]),
        {"visited_on": timezone.localdate().isoformat(), "kind": "phone", "findings": "电话了解用工"},
    )
    assert response.status_code == 302
    assert Visit.objects.get().kind == Visit.Kind.PHONE
    body = client.get(reverse("pairings:detail", args=[pairing.pk])).content.decode()
    assert "本季度" in body and "已联系 1 次，定量 2 次" in body
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    body = client.post(
        reverse("pairings:visit_log", args=[pairing.pk]), {"visited_on": future, "kind": "visit", "findings": "x"}
    ).content.decode()
    assert "联系日期不能晚于今天" in body
    assert Visit.objects.count() == 1


def test_create_form_for_staff_only(world, login):
    client = login(world.street_a_staff)
    response = client.post(
        reverse("pairings:create"),
        {
            "kind": PairingKind.DEPARTMENT_ENTERPRISE,
            "side_kind": "department",
            "side_name": "街道党建办",
            "enterprise": world.enterprise_a.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2025-06-01",
            "quota_per_quarter": 1,
        },
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Pairing.objects.exists()
    assert login(world.secretary_a).get(reverse("pairings:create")).status_code == 403


def test_api_list_detail_and_visits(world, pairing, api):
    client = api(world.street_a_staff)
    data = client.get("/api/v1/pairings/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["kind"] == "cadre_point" and row["kind_display"] == "干部包点"
    assert row["enterprise"] == world.enterprise_a.pk and row["enterprise_name"] == "甲企业有限公司"
    assert row["starts_on"] == "2025-01-01" and row["ends_on"] is None
    assert row["quota_per_quarter"] == 2 and row["visits_this_quarter"] == 0
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/api/v1/pairings/{pairing.pk}/visits/",
        {"visited_on": today, "kind": "meeting", "findings": "座谈", "follow_up": "下月回访"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind_display"] == "座谈"
    assert client.get(f"/api/v1/pairings/{pairing.pk}/").json()["visits_this_quarter"] == 1


def test_api_refuses_bad_visits_and_outsiders(world, pairing, api):
    client = api(world.street_a_staff)
    response = client.post(
        f"/api/v1/pairings/{pairing.pk}/visits/",
        {"visited_on": "2024-06-01", "kind": "visit", "findings": "x"},
        format="json",
    )
    assert response.status_code == 400 and "联系日期不在结对期限内" in response.content.decode()
    outsider = api(world.secretary_b)
    assert outsider.get(f"/api/v1/pairings/{pairing.pk}/").status_code == 404
    assert outsider.get("/api/v1/pairings/").json()["count"] == 0
    response = outsider.post(
        f"/api/v1/pairings/{pairing.pk}/visits/",
        {"visited_on": timezone.localdate().isoformat(), "kind": "visit", "findings": "x"},
        format="json",
    )
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_api_creates_and_refuses_a_negative_quota(world, api):
    client = api(world.district)
    body = {
        "kind": "department_enterprise",
        "side_kind": "department",
        "side_name": "区经信局",
        "enterprise": world.enterprise_b.pk,
        "starts_on": "2026-01-01",
        "quota_per_quarter": -2,
    }
    response = client.post("/api/v1/pairings/", body, format="json")
    assert response.status_code == 400 and "每季度联系次数不能小于0" in response.content.decode()
    assert not Pairing.objects.exists()
    response = client.post("/api/v1/pairings/", {**body, "quota_per_quarter": 1}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["street"] == world.street_b.pk
    assert api(world.secretary_a).post("/api/v1/pairings/", body, format="json").status_code == 403
    assert Pairing.objects.count() == 1


def test_leader_of_an_area_logs_a_visit_and_the_secretary_of_the_member(world, api):
    area = Pairing.objects.create(
        kind=PairingKind.LEADER_AREA,
        side_kind="leader",
        side_user=world.leader,
        street=world.street_a,
        starts_on=date(2025, 1, 1),
    )
    body = {"visited_on": timezone.localdate().isoformat(), "kind": "visit", "findings": "片区走访"}
    assert api(world.leader).post(f"/api/v1/pairings/{area.pk}/visits/", body, format="json").status_code == 201
    member_side = Pairing.objects.create(
        kind=PairingKind.MEMBER_HARDSHIP,
        side_kind="member",
        side_member=world.member_a,
        enterprise=world.enterprise_a,
        target_name="困难职工甲",
        street=world.street_a,
        starts_on=date(2025, 1, 1),
    )
    url = f"/api/v1/pairings/{member_side.pk}/visits/"
    assert api(world.secretary_a).post(url, body, format="json").status_code == 201
    assert api(world.secretary_b).post(url, body, format="json").status_code == 404


def test_another_districts_people_are_neither_offered_nor_accepted(world, login, api):
    """The leader or cadre of a pairing is one of its district's people: the
    create form offers no other district's account, and the service refuses
    one in Chinese with nothing written."""
    other = Region.objects.create(name="丙区", kind=Region.Kind.DISTRICT, parent=world.street_a.parent.parent)
    outsider = grant(UserFactory(username="bing_leader", display_name="丙区领导"), Role.LEADER, region=other)
    body = login(world.district).get(reverse("pairings:create")).content.decode()
    assert "丙区领导" not in body and world.leader.username in body
    request = {
        "kind": "leader_area",
        "side_kind": "leader",
        "side_user": outsider.pk,
        "street": world.street_a.pk,
        "starts_on": "2026-01-01",
    }
    response = api(world.district).post("/api/v1/pairings/", request, format="json")
    assert response.status_code == 400 and "须是本区的领导或工作人员" in response.content.decode()
    assert not Pairing.objects.exists()
    response = api(world.district).post("/api/v1/pairings/", {**request, "side_user": world.leader.pk}, format="json")
    assert response.status_code == 201, response.content


def test_a_visit_without_its_recorder_shows(world, pairing, login):
    Visit.objects.create(pairing=pairing, visited_on=date(2025, 3, 1), findings="导入的旧记录")
    response = login(world.district).get(reverse("pairings:detail", args=[pairing.pk]))
    assert response.status_code == 200 and "导入的旧记录" in response.content.decode()


def test_list_by_street_with_its_figures_and_the_leaders_area(world, pairing, login):
    """The list's figures describe the rows below them; a street narrows both,
    the kinds come in the practice's order, and a leader finds their area one
    click away (their dashboard shows the area's figures)."""
    Pairing.objects.create(
        kind=PairingKind.LEADER_AREA,
        side_kind="leader",
        side_user=world.leader,
        street=world.street_b,
        starts_on=date(2025, 1, 1),
    )
    Pairing.objects.create(
        kind=PairingKind.DEPARTMENT_ENTERPRISE,
        side_kind="department",
        side_name="区人社局",
        enterprise=world.enterprise_b,
        street=world.street_b,
        starts_on=date(2025, 1, 1),
    )
    client = login(world.leader)
    body = client.get(reverse("pairings:list")).content.decode()
    assert 'data-figure="total">3<' in body
    # 部门联企 is listed before 领导包片 before 干部包点, as the practice lists them.
    rows = body[body.index('data-testid="pairing-list"') :]
    assert rows.index("部门联企</td>") < rows.index("领导包片</td>") < rows.index("干部包点</td>")
    assert f'href="?street={world.street_b.pk}">乙街道</a>' in body
    body = client.get(reverse("pairings:list"), {"street": world.street_b.pk}).content.decode()
    assert 'data-figure="total">2<' in body and "甲企业有限公司" not in body
    assert 'data-testid="pairing-area"' in client.get(reverse("orgs:dashboard")).content.decode()

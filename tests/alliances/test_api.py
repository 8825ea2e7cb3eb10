"""/api/v1/alliances/ and /api/v1/alliance-problems/ per CONTRACT.md."""

from datetime import date

from alliances.models import Alliance, AllianceMember, AllianceProblem


def _create_body(world, **over):
    body = {
        "name": "甲街道软件和信息服务产业链党建联盟",
        "chain": "软件和信息服务",
        "region": world.street_a.pk,
        "lead_kind": "association",
        "lead_association": "甲街道软件行业协会",
        "lead_organization": world.org_a.pk,
        "first_secretary": "陈海涛",
        "first_secretary_post": "区商务局局长",
        "secretary_general": "吴静",
        "founded_on": "2026-01-01",
    }
    body.update(over)
    return body


def test_create_list_detail(api, world, chain):
    client = api(world.street_a_staff)
    response = client.post("/api/v1/alliances/", _create_body(world), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["chain"] == "软件和信息服务" and created["lead_kind_display"] == "行业协会"
    assert created["problems_raised"] == 0 and created["resolution_rate"] is None
    listed = client.get("/api/v1/alliances/").json()
    assert listed["count"] == 2
    detail = client.get(f"/api/v1/alliances/{chain.alliance.pk}/").json()
    assert {m["kind"] for m in detail["members"]} == {"X", "N"}
    for key in (
        "members",
        "problems_raised",
        "problems_resolved",
        "resolution_rate",
        "first_secretary",
        "secretary_general",
    ):
        assert key in detail


def test_members_problems_resolve(api, world, chain):
    staff = api(world.street_a_staff)
    url = f"/api/v1/alliances/{chain.alliance.pk}/"
    response = staff.post(url + "members/", {"enterprise": chain.spare.pk, "joined_on": "2026-02-15"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "N"
    secretary = api(world.secretary_a)
    response = secretary.post(
        url + "problems/",
        {"title": "原料涨价", "category": "materials", "enterprise": chain.spare.pk, "raised_on": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    problem_id = response.json()["id"]
    response = secretary.post(
        f"/api/v1/alliance-problems/{problem_id}/resolve/",
        {"resolved_on": "2026-03-04", "resolution": "联盟集中采购"},
        format="json",
    )
    assert response.status_code == 200, response.content
    detail = staff.get(url).json()
    assert (detail["problems_raised"], detail["problems_resolved"], detail["resolution_rate"]) == (1, 1, 1.0)


def test_bad_input_is_a_chinese_400_and_nothing_written(api, world, chain):
    staff = api(world.street_a_staff)
    url = f"/api/v1/alliances/{chain.alliance.pk}/"
    before = AllianceMember.objects.count()
    response = staff.post(url + "members/", {"enterprise": chain.spare.pk, "joined_on": "2025-12-01"}, format="json")
    assert response.status_code == 400 and "不能早于联盟成立日期" in response.content.decode()
    assert AllianceMember.objects.count() == before
    response = staff.post(
        url + "problems/",
        {"title": "订单", "category": "orders", "enterprise": chain.spare.pk, "raised_on": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 400 and "不是本联盟成员" in response.content.decode()
    problem = AllianceProblem.objects.create(
        alliance=chain.alliance,
        enterprise=chain.n_enterprise,
        title="融资",
        category="financing",
        raised_on=date(2026, 3, 10),
    )
    response = staff.post(
        f"/api/v1/alliance-problems/{problem.pk}/resolve/",
        {"resolved_on": "2026-03-01", "resolution": "x"},
        format="json",
    )
    assert response.status_code == 400 and "不能早于提出日期" in response.content.decode()
    problem.refresh_from_db()
    assert problem.resolved_on is None
    response = staff.post("/api/v1/alliances/", _create_body(world, region=world.street_b.pk), format="json")
    assert response.status_code == 400 and "所属区域" in response.content.decode()
    assert Alliance.objects.count() == 1


def test_outsiders_get_404(api, world, chain):
    problem = AllianceProblem.objects.create(
        alliance=chain.alliance,
        enterprise=chain.n_enterprise,
        title="融资",
        category="financing",
        raised_on=date(2026, 3, 10),
    )
    for outsider in (world.secretary_b, chain.street_b_staff):
        client = api(outsider)
        assert client.get("/api/v1/alliances/").json()["count"] == 0
        assert client.get(f"/api/v1/alliances/{chain.alliance.pk}/").status_code == 404
        response = client.post(
            f"/api/v1/alliances/{chain.alliance.pk}/members/",
            {"enterprise": chain.spare.pk, "joined_on": "2026-03-01"},
            format="json",
        )
        assert response.status_code == 404
        response = client.post(
            f"/api/v1/alliance-problems/{problem.pk}/resolve/",
            {"resolved_on": "2026-03-11", "resolution": "x"},
            format="json",
        )
        assert response.status_code == 404
    problem.refresh_from_db()
    assert problem.resolved_on is None
    assert AllianceMember.objects.filter(enterprise=chain.spare).count() == 0


def test_member_secretary_reads_but_does_not_write(api, world, chain):
    from orgs.models import Role
    from tests.factories import UserFactory, grant

    x_secretary = grant(UserFactory(username="x_sec"), Role.SECRETARY, organization=chain.x_org)
    client = api(x_secretary)
    assert client.get(f"/api/v1/alliances/{chain.alliance.pk}/").status_code == 200
    response = client.post(
        f"/api/v1/alliances/{chain.alliance.pk}/problems/",
        {"title": "订单", "category": "orders", "enterprise": chain.x_enterprise.pk, "raised_on": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 403
    assert not AllianceProblem.objects.exists()

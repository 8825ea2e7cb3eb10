"""/api/v1/demands/ per CONTRACT.md: list and filters, create, claim,
check, complete, exit; refusals in Chinese with nothing written; 404 outside scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demands.models import DemandCheck, DemandClaim, DemandProject

from .conftest import yesterday

URL = "/api/v1/demands/"


def test_list_is_scoped_and_filters(world, projects, api):
    body = api(world.district).get(URL).json()
    assert body["count"] == 3
    row = next(r for r in body["results"] if r["level"] == "C")
    assert (row["level_display"], row["state"], row["state_display"]) == ("C类（党组织）", "open", "建单")
    assert row["organization_name"] == world.org_a.name and row["district_name"] == world.street_a.parent.name
    assert [r["title"] for r in api(world.district).get(URL, {"level": "B"}).json()["results"]] == ["甲街道项目"]
    assert api(world.district).get(URL, {"title": "支部"}).json()["count"] == 1
    assert api(world.district).get(URL, {"state": "completed"}).json()["count"] == 0
    target = projects["A"].target_date
    assert api(world.district).get(URL, {"target_date": target.isoformat()}).json()["count"] == 3
    assert api(world.district).get(URL, {"target_date_after": str(target + timedelta(days=1))}).json()["count"] == 0
    # Secretary B sees the district's A project (to claim it), not street A's B or org A's C.
    assert [r["level"] for r in api(world.secretary_b).get(URL).json()["results"]] == ["A"]
    assert api(world.instructor).get(URL).json()["count"] == 0


@pytest.mark.parametrize("level", ["B", "C"])
def test_outsiders_get_404(world, projects, api, street_b_staff, level):
    project = projects[level]
    for user in (world.secretary_b, street_b_staff, world.instructor):
        client = api(user)
        assert client.get(f"{URL}{project.pk}/").status_code == 404
        for path, data in [
            ("claim", {"organization": world.org_b.pk}),
            ("check", {"checked_on": str(yesterday()), "finding": "x"}),
            ("complete", {"satisfaction": 5}),
            ("exit", {"reason": "x"}),
        ]:
            answer = client.post(f"{URL}{project.pk}/{path}/", data, format="json")
            assert answer.status_code in (403, 404), (user, path, answer.status_code)
            if answer.status_code == 403:
                assert user == world.instructor  # refused before the record is looked up: writes nothing anywhere
    assert not DemandClaim.objects.exists() and not DemandCheck.objects.exists()


def test_create_claim_check_complete(world, api):
    client = api(world.street_a_staff)
    target = timezone.localdate() + timedelta(days=60)
    answer = client.post(
        URL,
        {
            "level": "B",
            "street": world.street_a.pk,
            "title": "园区职工子女托管",
            "proposer_kind": "employee",
            "collected_by": "poll",
            "target_date": str(target),
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    pk = answer.json()["id"]
    assert answer.json()["state"] == "open"
    answer = client.post(f"{URL}{pk}/claim/", {"members": [world.member_a.pk]}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "claimed"
    assert [c["member_name"] for c in answer.json()["claims"]] == ["张甲"]
    today = str(timezone.localdate())
    answer = api(world.district).post(f"{URL}{pk}/check/", {"checked_on": today, "finding": "进展正常"}, format="json")
    assert answer.status_code == 200 and answer.json()["checks"][0]["kind"] == "quarterly"
    answer = client.post(f"{URL}{pk}/complete/", {"satisfaction": 5}, format="json")
    assert answer.status_code == 200
    assert (answer.json()["state"], answer.json()["satisfaction"]) == ("completed", 5)


def test_create_refuses_a_target_before_set_up_and_a_missing_owner(world, api):
    client = api(world.district)
    base = {"level": "A", "title": "x", "proposer_kind": "member", "collected_by": "forum"}
    answer = client.post(URL, {**base, "district": world.street_a.parent.pk, "target_date": str(yesterday())})
    assert answer.status_code == 400 and "不能早于建单日期" in answer.json()["target_date"][0]
    answer = client.post(URL, {**base, "target_date": str(timezone.localdate())})
    assert answer.status_code == 400 and "district" in answer.json()
    assert not DemandProject.objects.exists()


@pytest.mark.parametrize("value", [0, 6, "五", None, 4.5])
def test_satisfaction_outside_1_to_5_is_a_400(world, projects, api, value):
    project = projects["C"]
    client = api(world.secretary_a)
    assert client.post(f"{URL}{project.pk}/claim/", {"organization": world.org_a.pk}, format="json").status_code == 200
    answer = client.post(f"{URL}{project.pk}/complete/", {"satisfaction": value}, format="json")
    assert answer.status_code == 400
    assert "满意度" in str(answer.json())
    project.refresh_from_db()
    assert (project.state, project.satisfaction) == ("claimed", None)


def test_claim_on_an_exited_project_and_a_check_in_the_future(world, projects, api):
    project = projects["A"]
    client = api(world.district)
    future = str(timezone.localdate() + timedelta(days=1))
    answer = client.post(f"{URL}{project.pk}/check/", {"checked_on": future, "finding": "x"}, format="json")
    assert answer.status_code == 400 and "不能晚于今天" in str(answer.json())
    assert client.post(f"{URL}{project.pk}/exit/", {"reason": "效果差"}, format="json").json()["state"] == "exited"
    answer = client.post(f"{URL}{project.pk}/claim/", {"organization": world.org_a.pk}, format="json")
    assert answer.status_code == 400 and "已退出" in str(answer.json())
    answer = client.post(f"{URL}{project.pk}/complete/", {"satisfaction": 3}, format="json")
    assert answer.status_code == 400
    assert not DemandClaim.objects.exists() and not DemandCheck.objects.exists()


def test_claim_names_no_member_outside_reach(world, projects, api):
    answer = api(world.secretary_a).post(
        f"{URL}{projects['C'].pk}/claim/", {"members": [world.member_b.pk]}, format="json"
    )
    assert answer.status_code == 400 and world.member_b.name not in str(answer.json())
    assert not DemandClaim.objects.exists()


def test_leader_reads_and_may_not_write(world, projects, api):
    client = api(world.leader)
    assert client.get(URL).json()["count"] == 3
    project = projects["A"]
    assert client.post(f"{URL}{project.pk}/exit/", {"reason": "x"}, format="json").status_code == 403
    assert client.post(URL, {"level": "A"}, format="json").status_code == 403

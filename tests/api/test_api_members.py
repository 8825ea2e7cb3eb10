"""/api/v1/members/: masked by default, an audited reveal, creation by the right people only."""

import pytest
from auditlog.models import LogEntry

from members.models import Member, MemberEvent
from tests.factories import make_id_number

URL = "/api/v1/members/"


def test_list_masks_id_numbers_and_phones_for_everyone(world, api):
    for user in (world.district, world.secretary_a):
        body = api(user).get(URL).content.decode()
        assert world.member_a.id_number not in body
        assert "13812345678" not in body
    row = api(world.secretary_a).get(URL).json()["results"][0]
    assert row["id_number_masked"] == world.member_a.id_number[:6] + "********" + world.member_a.id_number[-4:]
    assert row["phone_masked"] == "138****5678"
    assert "id_number" not in row and "phone" not in row
    assert row["organization_name"] == "中共甲企业支部委员会"
    assert row["stage"] == "formal" and row["stage_display"] == "正式党员"


def test_list_and_detail_are_scoped(world, api):
    client = api(world.secretary_b)
    assert [r["name"] for r in client.get(URL).json()["results"]] == ["李乙"]
    assert client.get(f"{URL}{world.member_a.pk}/").status_code == 404


def test_reveal_by_own_secretary_is_audited(world, api):
    response = api(world.secretary_a).post(f"{URL}{world.member_a.pk}/reveal/")
    assert response.status_code == 200
    assert response.json()["id_number"] == world.member_a.id_number
    # One record per revealed field, the same as a reveal on the member page.
    entries = LogEntry.objects.filter(additional_data__event="member_reveal")
    assert sorted(e.changes["field"] for e in entries) == ["id_number", "phone"]
    entry = entries.get(changes__field="id_number")
    assert entry.actor == world.secretary_a
    assert entry.object_pk == str(world.member_a.pk)
    assert entry.remote_addr == "127.0.0.1"
    assert world.member_a.id_number not in str(entry.changes)


@pytest.mark.parametrize("role", ["street_a_staff", "leader"])
def test_reveal_refused_to_those_who_may_not_see(world, api, role):
    response = api(getattr(world, role)).post(f"{URL}{world.member_a.pk}/reveal/")
    assert response.status_code == 403
    assert world.member_a.id_number not in response.content.decode()
    assert not LogEntry.objects.filter(additional_data__event="member_reveal").exists()


def test_reveal_outside_scope_is_404(world, api):
    assert api(world.secretary_b).post(f"{URL}{world.member_a.pk}/reveal/").status_code == 404


def _new(world, **over):
    data = {
        "organization": world.org_a.pk,
        "id_number": make_id_number(777),
        "name": "王新",
        "gender": "male",
        "stage": "applicant",
        "applied_on": "2025-03-01",
        "phone": "13900001111",
    }
    data.update(over)
    return data


def test_secretary_files_a_member_of_own_org(world, api):
    response = api(world.secretary_a).post(URL, _new(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number_masked"].startswith("210204") and "*" in body["id_number_masked"]
    member = Member.objects.get(name="王新")
    assert member.phone == "13900001111"
    assert MemberEvent.objects.filter(member=member, kind="joined").exists()


def test_secretary_of_another_org_cannot_file_there(world, api):
    response = api(world.secretary_b).post(URL, _new(world), format="json")
    assert response.status_code == 400  # the organization does not exist for them
    assert not Member.objects.filter(name="王新").exists()


@pytest.mark.parametrize("role", ["street_a_staff", "leader"])
def test_staff_other_than_district_cannot_file(world, api, role):
    response = api(getattr(world, role)).post(URL, _new(world), format="json")
    assert response.status_code == 403
    assert not Member.objects.filter(name="王新").exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"id_number": "210204198506150001"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"gender": "other"}, "gender"),
        ({"applied_on": "2025-02-30"}, "applied_on"),
        ({"stage": "formal"}, "formal_on"),
        ({"status": "left"}, "status"),
        ({"id_number_index": "x"}, "id_number_index"),
        ({"name": "名" * 51}, "name"),
        ({"enterprise": 987654}, "enterprise"),
    ],
)
def test_bad_member_input_is_400_and_nothing_written(world, api, over, field):
    before = Member.objects.count()
    response = api(world.district).post(URL, _new(world, **over), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Member.objects.count() == before


def test_duplicate_id_number_is_400_naming_where_it_lives(world, api):
    response = api(world.district).post(
        URL, _new(world, id_number=world.member_b.id_number, gender=world.member_b.gender), format="json"
    )
    assert response.status_code == 400
    assert "中共乙企业支部委员会" in response.json()["id_number"][0]


def test_member_filters(world, api):
    client = api(world.district)
    assert client.get(URL, {"organization": world.org_b.pk}).json()["count"] == 1
    assert client.get(URL, {"stage": "applicant"}).json()["count"] == 0
    assert client.get(URL, {"q": "张"}).json()["count"] == 1
    assert client.get(URL, {"stage": "nope"}).status_code == 400

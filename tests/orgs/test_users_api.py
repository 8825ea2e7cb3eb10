"""/api/v1/users/: district staff create accounts and grant roles within
their reach; everything else is refused and nothing is written."""

import pytest
from auditlog.models import LogEntry

from orgs.models import Region, Role, RoleGrant, User
from tests.factories import DistrictFactory, StreetFactory, UserFactory, grant

URL = "/api/v1/users/"
GOOD_PASSWORD = "Qiang-Mima-2026"


def _new(world, **over):
    body = {
        "username": "zhangsan",
        "display_name": "张三",
        "password": GOOD_PASSWORD,
        "grants": [{"role": "secretary", "organization": world.org_a.pk}],
    }
    body.update(over)
    return body


def _counts():
    return User.objects.count(), RoleGrant.objects.count()


def test_district_creates_an_account_with_its_roles(world, api):
    response = api(world.district).post(URL, _new(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "password" not in body
    assert body["must_change_password"] is True
    assert body["grants"][0]["role"] == "secretary"
    assert body["grants"][0]["organization_name"] == world.org_a.name
    account = User.objects.get(username="zhangsan")
    assert account.check_password(GOOD_PASSWORD)
    assert list(account.role_grants.values_list("role", "organization")) == [("secretary", world.org_a.pk)]
    # The account row and the grant are both in the audit trail, under the district user.
    entries = LogEntry.objects.filter(actor=world.district)
    assert entries.filter(content_type__model="user", object_pk=str(account.pk), action=LogEntry.Action.CREATE).exists()
    assert entries.filter(content_type__model="rolegrant", action=LogEntry.Action.CREATE).exists()
    assert entries.filter(additional_data__event="role_granted", object_pk=str(account.pk)).exists()


@pytest.mark.parametrize("role", ["street_a_staff", "secretary_a", "leader", "instructor"])
def test_only_district_staff_create_accounts(world, api, role):
    before = _counts()
    response = api(getattr(world, role)).post(URL, _new(world), format="json")
    assert response.status_code == 403
    assert _counts() == before


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"password": "12345678"}, "password", "密码"),
        ({"password": "zhangsan1"}, "password", "密码"),
        ({"username": "district"}, "username", "已被使用"),
        ({"username": "DISTRICT"}, "username", "已被使用"),
        ({"username": "有 空格"}, "username", "用户名"),
        ({"grants": [{"role": "emperor"}]}, "grants", "未知角色"),
        ({"grants": []}, "grants", "至少"),
        ({"grants": [{"role": "secretary"}]}, "grants", "党组织"),
        ({"grants": [{"role": "street"}]}, "grants", "街道"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, api, over, field, words):
    before = _counts()
    response = api(world.district).post(URL, _new(world, **over), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body, body
    assert words in "".join(map(str, body[field])), body
    assert _counts() == before


@pytest.fixture
def bounded(world):
    """District staff whose grant is bound to the district of the world, and
    a second district with a street and an organization of its own."""
    home = Region.objects.get(kind=Region.Kind.DISTRICT)
    other = DistrictFactory(name="外区")
    other_street = StreetFactory(name="外区街道", parent=other)
    staff = grant(UserFactory(username="bounded"), Role.DISTRICT, region=home)
    return staff, other, other_street


def test_a_grant_outside_the_callers_district_is_403_and_nothing_written(world, api, bounded):
    staff, other, other_street = bounded
    before = _counts()
    body = _new(world, grants=[{"role": "street", "region": other_street.pk}])
    response = api(staff).post(URL, body, format="json")
    assert response.status_code == 403
    assert "超出您的管辖范围" in response.json()["detail"]
    assert _counts() == before
    # One grant inside, one outside: still nothing.
    body = _new(world, grants=[{"role": "street", "region": world.street_a.pk}, {"role": "leader", "region": other.pk}])
    assert api(staff).post(URL, body, format="json").status_code == 403
    assert _counts() == before
    # Inside the district: written.
    body = _new(world, grants=[{"role": "street", "region": world.street_a.pk}])
    assert api(staff).post(URL, body, format="json").status_code == 201


def test_a_grant_above_the_callers_level_is_403(world, api, bounded):
    """A district-wide grant that names no district reaches every district:
    above a granter bound to one."""
    staff, _, _ = bounded
    before = _counts()
    for role in ("district", "leader"):
        response = api(staff).post(URL, _new(world, grants=[{"role": role}]), format="json")
        assert response.status_code == 403
    assert _counts() == before


def test_patch_replaces_roles_resets_password_and_deactivates(world, api):
    account = world.secretary_a
    client = api(world.district)
    response = client.patch(
        f"{URL}{account.pk}/",
        {"grants": [{"role": "secretary", "organization": world.org_b.pk}], "display_name": "新名字"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert list(account.role_grants.values_list("organization", flat=True)) == [world.org_b.pk]
    assert LogEntry.objects.filter(additional_data__event="role_revoked", object_pk=str(account.pk)).exists()
    response = client.patch(f"{URL}{account.pk}/", {"password": GOOD_PASSWORD, "is_active": False}, format="json")
    assert response.status_code == 200
    account.refresh_from_db()
    assert (account.is_active, account.must_change_password, account.check_password(GOOD_PASSWORD)) == (
        False,
        True,
        True,
    )
    events = set(LogEntry.objects.filter(object_pk=str(account.pk)).values_list("additional_data__event", flat=True))
    assert {"password_reset", "user_deactivated"} <= events


def test_patch_with_a_weak_password_writes_nothing(world, api):
    account = world.secretary_a
    response = api(world.district).patch(
        f"{URL}{account.pk}/", {"password": "123", "display_name": "改了"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()
    account.refresh_from_db()
    assert account.display_name != "改了" and account.check_password("Correct-Horse-9")


def test_district_staff_may_not_deactivate_themselves(world, api):
    response = api(world.district).patch(f"{URL}{world.district.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 400
    assert "is_active" in response.json()


def test_bounded_staff_do_not_reach_accounts_of_another_district(world, api, bounded):
    staff, other, other_street = bounded
    outsider = grant(UserFactory(username="outside"), Role.STREET, region=other_street)
    client = api(staff)
    names = {u["username"] for u in client.get(URL).json()["results"]}
    assert "outside" not in names and "secretary_a" in names
    assert client.get(f"{URL}{outsider.pk}/").status_code == 404
    assert client.patch(f"{URL}{outsider.pk}/", {"is_active": False}, format="json").status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


@pytest.mark.parametrize("role", ["street_a_staff", "secretary_a", "instructor"])
def test_others_do_not_see_accounts(world, api, role):
    client = api(getattr(world, role))
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{world.secretary_b.pk}/").status_code == 404


def test_leader_reads_and_may_not_write(world, api):
    client = api(world.leader)
    assert client.get(f"{URL}{world.secretary_b.pk}/").status_code == 200
    response = client.patch(f"{URL}{world.secretary_b.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 403
    world.secretary_b.refresh_from_db()
    assert world.secretary_b.is_active


def test_list_filters(world, api):
    client = api(world.district)
    names = {u["username"] for u in client.get(URL, {"role": "secretary"}).json()["results"]}
    assert names == {"secretary_a", "secretary_b"}
    world.secretary_b.is_active = False
    world.secretary_b.save()
    names = {u["username"] for u in client.get(URL, {"role": "secretary", "active": "0"}).json()["results"]}
    assert names == {"secretary_b"}


def test_no_token_for_an_account_that_must_change_its_password(world, client):
    account = world.secretary_a
    account.must_change_password = True
    account.save()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "secretary_a", "password": "Correct-Horse-9"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]


def test_a_reset_revokes_the_accounts_tokens(world, api, client):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "secretary_a", "password": "Correct-Horse-9"},
        content_type="application/json",
    )
    key = response.json()["token"]
    assert client.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    api(world.district).patch(f"{URL}{world.secretary_a.pk}/", {"password": GOOD_PASSWORD}, format="json")
    assert client.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)

"""A new secretary's account comes with the 换届 that made them secretary,
in one step: the election page's optional 为新书记开通账号 part (and the
elections endpoint's optional `account`) opens the account in the same
transaction, through the one account service."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from orgs.models import Election, Role, RoleGrant, User

URL = "/api/v1/organizations/"
STRONG = "Xinshuji-2026!"


def _writes():
    return LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count()


def _elect(client, org, **data):
    payload = {
        "held_on": (timezone.localdate() - timedelta(days=5)).isoformat(),
        "term_years": 3,
        "secretary": "王新",
        "account_username": "wangxin",
        "account_password": STRONG,
    }
    payload.update(data)
    return client.post(reverse("orgs:organization_election", args=[org.pk]), payload)


def _nothing_written(world, before, users_before):
    world.org_a.refresh_from_db()
    assert not Election.objects.exists()
    assert world.org_a.secretary_name != "王新"
    assert User.objects.count() == users_before
    assert _writes() == before


def test_one_step_records_the_election_and_opens_the_secretarys_account(world, login):
    client = login(world.district)
    response = _elect(client, world.org_a)
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.secretary_name == "王新"
    assert Election.objects.filter(organization=world.org_a, secretary_name="王新").exists()
    account = User.objects.get(username="wangxin")
    assert account.display_name == "王新" and account.must_change_password and account.check_password(STRONG)
    assert list(account.role_grants.values_list("role", "organization_id", "region_id")) == [
        (Role.SECRETARY, world.org_a.pk, None)
    ]
    page = client.get(response["Location"]).content.decode()
    assert "wangxin" in page


def test_the_account_part_is_optional(world, login):
    users = User.objects.count()
    assert _elect(login(world.district), world.org_a, account_username="", account_password="").status_code == 302
    assert Election.objects.count() == 1 and User.objects.count() == users


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"account_username": "bad name!"}, "account_username", "用户名"),
        ({"account_username": "district"}, "account_username", "已被使用"),
        ({"account_password": "123"}, "account_password", "密码"),
        ({"account_password": ""}, "account_password", "请填写密码"),
    ],
)
def test_a_bad_account_refuses_the_election_too(world, login, data, field, words):
    before, users = _writes(), User.objects.count()
    response = _elect(login(world.district), world.org_a, **data)
    assert response.status_code == 200
    message = response.context["form"].errors[field][0]
    assert "为新书记开通账号" in message and words in message
    _nothing_written(world, before, users)


def test_street_staff_may_record_the_election_but_not_open_the_account(world, login):
    before, users = _writes(), User.objects.count()
    response = _elect(login(world.street_a_staff), world.org_a)
    assert response.status_code == 200
    assert "无权开通账号" in str(response.context["form"].non_field_errors())
    _nothing_written(world, before, users)
    # Without the account part the same street user records it.
    response = _elect(login(world.street_a_staff), world.org_a, account_username="", account_password="")
    assert response.status_code == 302


def test_outsider_gets_404_and_nothing_written(world, login):
    before, users = _writes(), User.objects.count()
    assert _elect(login(world.secretary_b), world.org_a).status_code == 404
    _nothing_written(world, before, users)


def _api_election(**account):
    return {
        "held_on": (timezone.localdate() - timedelta(days=5)).isoformat(),
        "secretary": "王新",
        "account": {"username": "wangxin", "password": STRONG, **account},
    }


def test_the_api_opens_the_account_with_the_election(world, api):
    response = api(world.district).post(f"{URL}{world.org_a.pk}/elections/", _api_election(), format="json")
    assert response.status_code == 201, response.content
    account = User.objects.get(username="wangxin")
    assert account.must_change_password and account.display_name == "王新"
    assert RoleGrant.objects.filter(user=account, role=Role.SECRETARY, organization=world.org_a).exists()


def test_the_api_refuses_both_on_a_weak_password_or_for_street_staff(world, api):
    before, users = _writes(), User.objects.count()
    response = api(world.district).post(
        f"{URL}{world.org_a.pk}/elections/", _api_election(password="123"), format="json"
    )
    assert response.status_code == 400 and "account_password" in response.json()
    response = api(world.street_a_staff).post(f"{URL}{world.org_a.pk}/elections/", _api_election(), format="json")
    assert response.status_code == 400 and "account" in response.json()
    assert (
        api(world.secretary_b).post(f"{URL}{world.org_a.pk}/elections/", _api_election(), format="json").status_code
        == 404
    )
    _nothing_written(world, before, users)

"""The organization register kept in the pages: create, edit, dissolve
(refused while members remain), merge, and 换届 (election) with its history."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from members.models import Member
from orgs.models import Election, PartyOrganization
from tests.factories import EnterpriseFactory, MemberFactory, OrganizationFactory

TODAY = timezone.localdate


def _writes():
    return LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count()


def _org_form(world, **changes):
    data = {
        "name": "中共甲街道新兴企业联合支部委员会",
        "org_type": "joint_branch",
        "formation_mode": "joint",
        "street": world.street_a.pk,
        "secretary_name": "赵书记",
        "term_start": "2026-01-10",
        "enterprise_codes": world.enterprise_a.credit_code,
        "reason": "新组建",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- create and edit ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["district", "street_a_staff"])
def test_staff_create_an_organization_with_its_enterprises(world, login, role):
    client = login(getattr(world, role))
    assert "organizations/new/" in client.get(reverse("orgs:organization_list")).content.decode()
    response = client.post(reverse("orgs:organization_create"), _org_form(world))
    org = PartyOrganization.objects.get(name="中共甲街道新兴企业联合支部委员会")
    assert response.status_code == 302 and response.url == reverse("orgs:organization_detail", args=[org.pk])
    assert list(org.enterprises.all()) == [world.enterprise_a]
    # A term start alone gets the default length (3 years for a branch).
    assert org.term_end == date(2029, 1, 10)


def test_street_staff_cannot_create_in_another_street(world, login):
    before = PartyOrganization.objects.count()
    response = login(world.street_a_staff).post(
        reverse("orgs:organization_create"), _org_form(world, street=world.street_b.pk)
    )
    assert response.status_code == 200 and "street" in response.context["form"].errors
    assert PartyOrganization.objects.count() == before


def test_unknown_enterprise_code_and_duplicate_name_are_refused(world, login):
    client = login(world.district)
    before = (PartyOrganization.objects.count(), _writes())
    response = client.post(reverse("orgs:organization_create"), _org_form(world, enterprise_codes="91330000000000000X"))
    assert "未找到企业" in response.context["form"].errors["enterprise_codes"][0]
    response = client.post(reverse("orgs:organization_create"), _org_form(world, name=world.org_a.name))
    assert "同名" in response.context["form"].errors["name"][0]
    assert (PartyOrganization.objects.count(), _writes()) == before


@pytest.mark.parametrize("role", ["secretary_a", "leader", "instructor"])
def test_others_may_not_create(world, login, role):
    client = login(getattr(world, role))
    assert client.get(reverse("orgs:organization_create")).status_code == 403
    assert client.post(reverse("orgs:organization_create"), _org_form(world)).status_code == 403
    assert not PartyOrganization.objects.filter(name="中共甲街道新兴企业联合支部委员会").exists()


def test_edit_records_the_change_in_the_history(world, login):
    client = login(world.street_a_staff)
    url = reverse("orgs:organization_edit", args=[world.org_a.pk])
    data = _org_form(world, name=world.org_a.name, org_type="branch", formation_mode="own", reason="书记调整")
    data.update(term_start="2025-01-01", term_end="2028-01-01", secretary_name="钱书记")
    assert client.post(url, data).status_code == 302
    world.org_a.refresh_from_db()
    assert world.org_a.secretary_name == "钱书记"
    page = client.get(reverse("orgs:organization_detail", args=[world.org_a.pk])).content.decode()
    assert "修改历史" in page and "钱书记" in page and "书记调整" in page


def test_a_term_that_ends_before_it_starts_is_refused(world, login):
    url = reverse("orgs:organization_edit", args=[world.org_a.pk])
    data = _org_form(world, name=world.org_a.name, term_start="2026-01-01", term_end="2025-01-01")
    before = _writes()
    response = login(world.district).post(url, data)
    assert "任期届满日期应晚于任期开始日期" in response.context["form"].errors["term_end"][0]
    world.org_a.refresh_from_db()
    assert world.org_a.term_end is None and _writes() == before


def test_a_parent_cannot_be_its_own_descendant(world, login):
    child = OrganizationFactory(street=world.street_a, parent=world.org_a, name="中共甲企业第一党小组支部")
    data = _org_form(world, name=world.org_a.name, parent=child.pk)
    response = login(world.district).post(reverse("orgs:organization_edit", args=[world.org_a.pk]), data)
    assert "下级" in response.context["form"].errors["parent"][0]
    world.org_a.refresh_from_db()
    assert world.org_a.parent is None


def test_outsider_gets_404_on_every_form(world, login):
    client = login(world.street_a_staff)
    for name in ("organization_edit", "organization_dissolve", "organization_merge", "organization_election"):
        assert client.get(reverse(f"orgs:{name}", args=[world.org_b.pk])).status_code == 404
        assert client.post(reverse(f"orgs:{name}", args=[world.org_b.pk]), {}).status_code == 404


def test_buttons_shown_only_to_those_the_policy_allows(world, login):
    detail = reverse("orgs:organization_detail", args=[world.org_a.pk])
    election = reverse("orgs:organization_election", args=[world.org_a.pk])
    assert election in login(world.street_a_staff).get(detail).content.decode()
    for role in ("secretary_a", "leader"):
        client = login(getattr(world, role))
        assert election not in client.get(detail).content.decode()
        assert "organizations/new/" not in client.get(reverse("orgs:organization_list")).content.decode()


# --- dissolve -----------------------------------------------------------------------------------


def test_dissolve_is_refused_while_members_remain(world, login):
    url = reverse("orgs:organization_dissolve", args=[world.org_a.pk])
    before = _writes()
    response = login(world.district).post(url, {"dissolved_on": TODAY().isoformat(), "reason": "企业停业"})
    error = response.context["form"].errors["dissolved_on"][0]
    assert "1名党员" in error
    world.org_a.refresh_from_db()
    assert world.org_a.dissolved_on is None and _writes() == before


def test_dissolve_an_empty_organization(world, login):
    org = OrganizationFactory(street=world.street_a, name="中共甲街道空支部")
    client = login(world.street_a_staff)
    url = reverse("orgs:organization_dissolve", args=[org.pk])
    future = (TODAY() + timedelta(days=2)).isoformat()
    response = client.post(url, {"dissolved_on": future, "reason": "企业注销"})
    assert "不能晚于今天" in response.context["form"].errors["dissolved_on"][0]
    response = client.post(url, {"dissolved_on": TODAY().isoformat(), "reason": ""})
    assert "reason" in response.context["form"].errors
    assert client.post(url, {"dissolved_on": TODAY().isoformat(), "reason": "企业注销"}).status_code == 302
    org.refresh_from_db()
    assert org.dissolved_on == TODAY()
    entry = LogEntry.objects.get_for_object(org).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.additional_data == {"reason": "企业注销"}
    # A dissolved organization offers no more forms.
    page = client.get(reverse("orgs:organization_detail", args=[org.pk])).content.decode()
    assert reverse("orgs:organization_edit", args=[org.pk]) not in page and "撤销" in page


# --- merge --------------------------------------------------------------------------------------


def test_merge_moves_members_enterprises_and_activities(world, login):
    enterprise = EnterpriseFactory(street=world.street_a)
    source = OrganizationFactory(street=world.street_a, name="中共甲街道小微支部", enterprises=[enterprise])
    member = MemberFactory(organization=source, enterprise=enterprise, name="孙并")
    activity = Activity.objects.create(
        organization=source, activity_type="theme_day", held_on=date(2026, 3, 1), topic="主题党日"
    )
    client = login(world.street_a_staff)
    response = client.post(
        reverse("orgs:organization_merge", args=[source.pk]),
        {"target": world.org_a.pk, "merged_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.dissolved_on == TODAY()
    assert Member.objects.get(pk=member.pk).organization == world.org_a
    assert Activity.objects.get(pk=activity.pk).organization == world.org_a
    assert set(world.org_a.enterprises.all()) == {world.enterprise_a, enterprise}
    entry = LogEntry.objects.get_for_object(source).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.additional_data == {"reason": "合并"}


def test_merge_into_an_organization_outside_scope_is_refused(world, login):
    source = OrganizationFactory(street=world.street_a, name="中共甲街道小微支部")
    response = login(world.street_a_staff).post(
        reverse("orgs:organization_merge", args=[source.pk]), {"target": world.org_b.pk}
    )
    assert response.status_code == 200 and "target" in response.context["form"].errors
    source.refresh_from_db()
    assert source.dissolved_on is None


# --- elections ----------------------------------------------------------------------------------


def _elect(client, org, **data):
    payload = {"held_on": (TODAY() - timedelta(days=5)).isoformat(), "term_years": 3, "secretary": "张甲"}
    payload.update(data)
    return client.post(reverse("orgs:organization_election", args=[org.pk]), payload)


def test_an_election_starts_a_new_term_and_shows_the_committee(world, login):
    client = login(world.street_a_staff)
    held = TODAY() - timedelta(days=5)
    response = _elect(client, world.org_a, deputies="周副", committee="吴委员、郑委员")
    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert (world.org_a.secretary_name, world.org_a.term_start) == ("张甲", held)
    assert world.org_a.term_end == held + relativedelta(years=3)
    election = Election.objects.get(organization=world.org_a)
    secretary = election.committee[0]
    assert secretary == {"role": "secretary", "name": "张甲", "member_id": world.member_a.pk}
    assert [p["role"] for p in election.committee] == ["secretary", "deputy", "member", "member"]
    page = client.get(reverse("orgs:organization_detail", args=[world.org_a.pk])).content.decode()
    assert "委员会与换届记录" in page and "吴委员" in page and "（名册外）" in page
    assert reverse("members:detail", args=[world.member_a.pk]) in page


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"held_on": "2099-01-01"}, "held_on", "不能晚于今天"),
        ({"term_years": 0}, "term_years", ""),
        ({"secretary": ""}, "secretary", ""),
    ],
)
def test_bad_election_input_is_refused_and_nothing_written(world, login, data, field, words):
    before = _writes()
    response = _elect(login(world.district), world.org_a, **data)
    assert response.status_code == 200
    assert words in response.context["form"].errors[field][0]
    assert not Election.objects.exists() and _writes() == before


def test_an_election_before_the_last_one_is_refused(world, login):
    client = login(world.district)
    assert _elect(client, world.org_a).status_code == 302
    earlier = (TODAY() - timedelta(days=30)).isoformat()
    response = _elect(client, world.org_a, held_on=earlier, secretary="新书记")
    assert "上一次换届" in response.context["form"].errors["held_on"][0]
    assert Election.objects.count() == 1
    world.org_a.refresh_from_db()
    assert world.org_a.secretary_name == "张甲"


def test_secretary_may_not_record_an_election(world, login):
    client = login(world.secretary_a)
    assert client.get(reverse("orgs:organization_election", args=[world.org_a.pk])).status_code == 403
    assert _elect(client, world.org_a).status_code == 403
    assert not Election.objects.exists()


def test_dissolve_is_refused_while_sub_organizations_remain(world, login):
    parent = OrganizationFactory(street=world.street_a, name="中共甲街道联合总支")
    OrganizationFactory(street=world.street_a, name="中共甲街道联合第一支部", parent=parent)
    response = login(world.district).post(
        reverse("orgs:organization_dissolve", args=[parent.pk]),
        {"dissolved_on": TODAY().isoformat(), "reason": "调整"},
    )
    assert "下级党组织" in response.context["form"].errors["dissolved_on"][0]
    parent.refresh_from_db()
    assert parent.dissolved_on is None


def test_merge_into_a_dissolved_organization_is_refused(world):
    from core.errors import ApplicationError
    from orgs.organization_services import organization_merge

    gone = OrganizationFactory(street=world.street_a, name="中共甲街道旧支部", dissolved_on=date(2025, 1, 1))
    with pytest.raises(ApplicationError) as refused:
        organization_merge(source=world.org_a, target=gone, by=world.district)
    assert "target" in refused.value.error_dict
    assert Member.objects.get(pk=world.member_a.pk).organization == world.org_a

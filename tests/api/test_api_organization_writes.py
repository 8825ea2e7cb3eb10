"""PATCH /api/v1/organizations/{id}/ and POST /api/v1/organizations/{id}/elections/:
staff in scope write, outsiders get 404, out-of-policy 403, bad input 400 naming the field, nothing written."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from orgs.models import Alert, Election, PartyOrganization
from tests.factories import OrganizationFactory

URL = "/api/v1/organizations/"


def _writes():
    return LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count()


@pytest.mark.parametrize("role", ["district", "street_a_staff"])
def test_staff_patch_an_organization(world, api, role):
    response = api(getattr(world, role)).patch(
        f"{URL}{world.org_a.pk}/",
        {"secretary_name": "钱书记", "term_start": "2025-03-01", "term_end": "2028-03-01", "reason": "补录"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["secretary_name"] == "钱书记" and response.json()["term_end"] == "2028-03-01"
    entry = LogEntry.objects.get_for_object(world.org_a).filter(action=LogEntry.Action.UPDATE).latest("pk")
    assert entry.additional_data == {"reason": "补录"} and entry.actor == getattr(world, role)


def test_patch_outsider_404_and_out_of_policy_403(world, api):
    body = {"secretary_name": "钱书记"}
    assert api(world.street_a_staff).patch(f"{URL}{world.org_b.pk}/", body, format="json").status_code == 404
    assert api(world.secretary_b).patch(f"{URL}{world.org_a.pk}/", body, format="json").status_code == 404
    assert api(world.secretary_a).patch(f"{URL}{world.org_a.pk}/", body, format="json").status_code == 403
    assert api(world.leader).patch(f"{URL}{world.org_a.pk}/", body, format="json").status_code == 403
    assert not PartyOrganization.objects.filter(secretary_name="钱书记").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"term_start": "2026-01-01", "term_end": "2025-01-01"}, "term_end"),
        ({"name": "中共乙企业支部委员会", "street": "STREET_B"}, "street"),
        ({"parent": "SELF"}, "parent"),
        ({"status": "x"}, "status"),
    ],
)
def test_patch_bad_input_names_the_field_and_writes_nothing(world, api, body, field):
    body = {
        k: (world.org_a.pk if v == "SELF" else world.street_b.pk if v == "STREET_B" else v) for k, v in body.items()
    }
    before = _writes()
    response = api(world.street_a_staff).patch(f"{URL}{world.org_a.pk}/", body, format="json")
    assert response.status_code == 400 and field in str(response.json()), response.json()
    assert _writes() == before


def test_patch_a_parent_outside_scope_reads_as_missing(world, api):
    response = api(world.street_a_staff).patch(f"{URL}{world.org_a.pk}/", {"parent": world.org_b.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()


def _election(**extra):
    held = timezone.localdate() - timedelta(days=3)
    return {"held_on": held.isoformat(), "secretary": "张甲", "committee": ["吴委员", {"name": "郑委员"}], **extra}


def test_staff_record_an_election(world, api):
    response = api(world.street_a_staff).post(
        f"{URL}{world.org_a.pk}/elections/", _election(deputies=[world.member_a.pk], secretary="王新"), format="json"
    )
    assert response.status_code == 201, response.json()
    held = timezone.localdate() - timedelta(days=3)
    body = response.json()
    assert body["term_start"] == held.isoformat()
    assert body["term_end"] == (held + relativedelta(years=3)).isoformat()
    assert body["committee"][1] == {"role": "deputy", "name": "张甲", "member_id": world.member_a.pk}
    world.org_a.refresh_from_db()
    assert world.org_a.secretary_name == "王新" and world.org_a.has_committee


def test_a_committee_gets_five_years_by_default(world, api):
    committee = OrganizationFactory(street=world.street_a, name="中共甲街道非公企业委员会", org_type="committee")
    response = api(world.district).post(f"{URL}{committee.pk}/elections/", _election(), format="json")
    held = timezone.localdate() - timedelta(days=3)
    assert response.json()["term_end"] == (held + relativedelta(years=5)).isoformat()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"held_on": "2099-01-01"}, "held_on"),
        ({"term_years": -1}, "term_years"),
        ({"term_end": "2000-01-01"}, "term_end"),
        ({"secretary": 987654}, "secretary"),
        ({"committee": [987654]}, "committee"),
        ({"secretary": ""}, "secretary"),
    ],
)
def test_election_bad_input_is_a_400_naming_the_field(world, api, extra, field):
    before = _writes()
    response = api(world.district).post(f"{URL}{world.org_a.pk}/elections/", _election(**extra), format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Election.objects.exists() and _writes() == before


def test_election_before_the_last_one_is_refused(world, api):
    client = api(world.district)
    assert client.post(f"{URL}{world.org_a.pk}/elections/", _election(), format="json").status_code == 201
    earlier = (timezone.localdate() - timedelta(days=10)).isoformat()
    response = client.post(f"{URL}{world.org_a.pk}/elections/", _election(held_on=earlier), format="json")
    assert response.status_code == 400 and "held_on" in response.json()
    assert Election.objects.count() == 1


def test_election_outsider_404_and_out_of_policy_403(world, api):
    assert (
        api(world.street_a_staff).post(f"{URL}{world.org_b.pk}/elections/", _election(), format="json").status_code
        == 404
    )
    assert (
        api(world.secretary_a).post(f"{URL}{world.org_a.pk}/elections/", _election(), format="json").status_code == 403
    )
    assert api(world.leader).post(f"{URL}{world.org_a.pk}/elections/", _election(), format="json").status_code == 403
    assert not Election.objects.exists()


def test_an_election_closes_the_expired_term_warning_at_the_next_run(world, api):
    from activities.reference import ensure_reference_data as ensure_rules
    from orgs.reference import ensure_reference_data
    from stats.run import compute_stats

    ensure_reference_data()
    ensure_rules()
    today = timezone.localdate()
    world.org_a.term_start, world.org_a.term_end = today - relativedelta(years=4), today - relativedelta(years=1)
    world.org_a.secretary_name = "张甲"
    world.org_a.save()
    compute_stats(on=today)
    alert = Alert.objects.get(kind=Alert.Kind.TERM_EXPIRING, organization=world.org_a)
    assert alert.closed_on is None
    response = api(world.street_a_staff).post(f"{URL}{world.org_a.pk}/elections/", _election(), format="json")
    assert response.status_code == 201
    compute_stats(on=today + timedelta(days=1))
    alert.refresh_from_db()
    assert alert.closed_on == today + timedelta(days=1)


def test_enterprise_patch_keeps_its_reason_in_the_history(world, api):
    url = f"/api/v1/enterprises/{world.enterprise_a.pk}/"
    response = api(world.street_a_staff).patch(url, {"employees": 35, "reason": "年中核实"}, format="json")
    assert response.status_code == 200 and "reason" not in response.json()
    entry = LogEntry.objects.get_for_object(world.enterprise_a).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.additional_data == {"reason": "年中核实"} and entry.changes_dict["employees"] == ["20", "35"]

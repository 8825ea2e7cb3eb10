"""/api/v1/change-proposals/: scoped lists, a secretary's proposal, staff's decision."""

from django.urls import reverse

from orgs.models import ChangeProposal, Role
from tests.factories import UserFactory, grant

URL = "/api/v1/change-proposals/"


def _propose(api, user, **body):
    return api(user).post(URL, body, format="json")


def test_secretary_proposes_and_street_staff_confirm(world, api):
    response = _propose(
        api,
        world.secretary_a,
        enterprise=world.enterprise_a.pk,
        values={"employees": 88, "phone": "13812345678"},
        reason="企业来电更正",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["organization"] == world.org_a.pk
    assert {c["field"]: c["new"] for c in body["changes"]} == {"employees": "88", "phone": "138****5678"}
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.employees == 20
    assert "13812345678" not in str(ChangeProposal.objects.get().values)  # kept encrypted
    # Scoped lists: the proposer's organization and the street see it, another organization does not.
    assert [p["id"] for p in api(world.street_a_staff).get(URL).json()["results"]] == [body["id"]]
    assert api(world.secretary_b).get(URL).json()["results"] == []
    assert api(world.secretary_b).get(f"{URL}{body['id']}/").status_code == 404
    confirmed = api(world.street_a_staff).post(f"{URL}{body['id']}/confirm/", {"note": "已核实"}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["status"] == "confirmed"
    world.enterprise_a.refresh_from_db()
    assert world.enterprise_a.employees == 88 and world.enterprise_a.phone == "13812345678"


def test_bad_input_names_the_field_and_writes_nothing(world, api):
    for values, field in [
        ({"credit_code": "X"}, "credit_code"),
        ({"community": 1}, "community"),
        ({"phone": "12345"}, "phone"),
        ({"employees": "many"}, "employees"),
        ({"status": "suspended"}, "closed_on"),
    ]:
        response = _propose(api, world.secretary_a, enterprise=world.enterprise_a.pk, values=values, reason="更正")
        assert response.status_code == 400, (values, response.json())
        assert field in str(response.json()), (values, response.json())
    response = _propose(api, world.secretary_a, enterprise=world.enterprise_a.pk, values={"employees": 3}, reason="")
    assert response.status_code == 400 and "reason" in str(response.json())
    assert not ChangeProposal.objects.exists()


def test_outsiders_get_404_and_others_403(world, api):
    assert (
        _propose(
            api, world.secretary_b, enterprise=world.enterprise_a.pk, values={"employees": 3}, reason="x"
        ).status_code
        == 404
    )
    assert (
        _propose(
            api, world.secretary_b, organization=world.org_a.pk, values={"has_groups": True}, reason="x"
        ).status_code
        == 404
    )
    assert (
        _propose(
            api, world.street_a_staff, enterprise=world.enterprise_a.pk, values={"employees": 3}, reason="x"
        ).status_code
        == 403
    )
    assert (
        _propose(api, world.leader, enterprise=world.enterprise_a.pk, values={"employees": 3}, reason="x").status_code
        == 403
    )
    assert not ChangeProposal.objects.exists()


def test_organization_proposal_rejected_and_self_decision_refused(world, api):
    both = grant(UserFactory(username="both"), Role.SECRETARY, organization=world.org_a)
    grant(both, Role.STREET, region=world.street_a)
    response = _propose(api, both, organization=world.org_a.pk, values={"has_groups": True}, reason="已设党小组")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api(both).post(f"{URL}{pk}/confirm/", {}, format="json").status_code == 403
    assert api(world.street_a_staff).post(f"{URL}{pk}/reject/", {}, format="json").status_code == 400
    rejected = api(world.street_a_staff).post(f"{URL}{pk}/reject/", {"note": "未见党小组名单"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert api(world.district).post(f"{URL}{pk}/confirm/", {}, format="json").status_code == 400
    world.org_a.refresh_from_db()
    assert world.org_a.has_groups is False
    assert reverse("api-proposal-confirm", args=[pk]) == f"{URL}{pk}/confirm/"

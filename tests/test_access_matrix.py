"""Every URL of the project, for every role, in a one-district world.

The walk itself is tests/helpers/matrix.py. For each pattern with an id, the id
is an object outside the role's scope (answer: 404), and an id that does
not exist (404). A write on a record the role reaches but may not change is
refused (403, or 405 where the endpoint has no writes) and changes nothing.
No answer is ever a server error.
"""

import pytest
from django.test import Client
from django.urls import reverse

from orgs.models import ChangeProposal, Enterprise, PartyOrganization
from tests.helpers.matrix import (
    all_routes,
    readable_routes,
    side_b_records,
    walk_outside,
    walk_writes,
    writes,
)
from tests.helpers.matrix import request as _request

ROLES = ["district", "street_a_staff", "secretary_a", "secretary_b", "leader", "instructor", "superuser"]
# Roles whose scope leaves side B of the world (street B, org B) outside.
SIDE_A_ROLES = {"street_a_staff", "secretary_a", "instructor"}

# The register's forms only staff open: the record's own secretary reaches
# the record and is refused (403); see test_register_forms_answer_as_the_policy_says.
STAFF_FORMS = {
    "orgs:enterprise_edit",
    "orgs:organization_edit",
    "orgs:organization_dissolve",
    "orgs:organization_merge",
    "orgs:organization_election",
}


@pytest.fixture
def side_b(world):
    """One object of each scoped model on side B (street B, org B)."""
    return side_b_records(world, planner=world.district)


def test_walk_covers_the_project():
    names = {r.name for r in all_routes()}
    assert {"orgs:enterprise_detail", "api-member-detail", "security:audit_log"} <= names


@pytest.mark.parametrize("role", ROLES)
def test_every_url_for_every_role(world, side_b, role):
    if role == "superuser":
        from tests.factories import UserFactory

        user = UserFactory(username="root", is_superuser=True, is_staff=True)
    else:
        user = getattr(world, role)
    if role == "district":
        user.is_staff = True  # district staff use the admin
        user.save(update_fields=["is_staff"])
    records = side_b if role in SIDE_A_ROLES else {}
    failures = walk_outside(user, role, records, admin=role in ("district", "secretary_a", "superuser"))
    assert not failures, "\n".join(failures)


def test_writes_without_the_right_are_refused(world, side_b):
    """The leader reaches everything and may change nothing."""
    failures = walk_writes(
        world.leader, "leader", side_b, refused=lambda route, status: not route.is_api or status in (403, 405)
    )
    assert not failures, "\n".join(failures)


def test_reads_inside_scope_succeed(world, side_b):
    """The same walk with the owner's own objects: the matrix is not passing by refusing everyone."""
    client = Client()
    # Import batches belong to district and street staff, never to a secretary;
    # accounts to district staff, not to their owners.
    for route, url in readable_routes(side_b):
        status = _request(client, world.secretary_b, "get", url).status_code
        # 405: a POST-only action answers a GET that way, inside scope as outside.
        allowed = (200, 403) if route.name in STAFF_FORMS else (200, 405)
        assert status in allowed, f"secretary_b GET {url} → {status}"


# Side B's record: who opens each register form, who is refused (403), who never reaches it (404).
REGISTER_FORM_ANSWERS = {"district": 200, "street_a_staff": 404, "secretary_b": 403, "leader": 403, "instructor": 404}


@pytest.mark.parametrize("role", sorted(REGISTER_FORM_ANSWERS))
def test_register_forms_answer_as_the_policy_says(world, side_b, role):
    client = Client()
    user = getattr(world, role)
    answers = {}
    for name in sorted(STAFF_FORMS):
        model = Enterprise if "enterprise" in name else PartyOrganization
        for method in ("get", "post"):
            before = writes()
            answers[f"{method} {name}"] = _request(
                client, user, method, reverse(name, args=[side_b[model]])
            ).status_code
            assert writes() == before, f"{role} {method} {name} wrote something"
    assert set(answers.values()) == {REGISTER_FORM_ANSWERS[role]}, answers
    created = _request(client, user, "get", reverse("orgs:organization_create")).status_code
    assert created == (200 if role in ("district", "street_a_staff") else 403)
    # Street staff open the forms of their own street's records.
    if role == "street_a_staff":
        assert (
            _request(client, user, "get", reverse("orgs:organization_election", args=[world.org_a.pk])).status_code
            == 200
        )
        assert (
            _request(client, user, "get", reverse("orgs:enterprise_edit", args=[world.enterprise_a.pk])).status_code
            == 200
        )


# Side B's change proposal (by secretary B): who confirms it (district staff),
# who is refused (its proposer, a leader: 403), who never reaches it (404).
PROPOSAL_ANSWERS = {"district": 302, "street_a_staff": 404, "secretary_a": 404, "secretary_b": 403, "leader": 403}


@pytest.mark.parametrize("role", sorted(PROPOSAL_ANSWERS))
def test_proposal_decisions_answer_as_the_policy_says(world, side_b, role):
    client = Client()
    user = getattr(world, role)
    proposal = ChangeProposal.objects.get(pk=side_b[ChangeProposal])
    for name in ("orgs:proposal_confirm", "api-proposal-confirm"):
        proposal.refresh_from_db()
        if proposal.status != ChangeProposal.Status.PENDING:
            break
        before = writes()
        status = _request(client, user, "post", reverse(name, args=[proposal.pk])).status_code
        expected = PROPOSAL_ANSWERS[role]
        if name.startswith("api") and expected == 302:
            expected = 200
        assert status == expected, (name, status)
        assert (writes() != before) == (expected in (200, 302)), f"{role} {name}"
    proposal.refresh_from_db()
    confirmed = proposal.status == ChangeProposal.Status.CONFIRMED
    assert confirmed == (role == "district")

"""Every URL of the project, for every role, in a one-district world.

The walk itself is tests/helpers/matrix.py. For each pattern with an id, the id
is an object outside the role's scope (answer: 404), and an id that does
not exist (404). A write on a record the role reaches but may not change is
refused (403, or 405 where the endpoint has no writes) and changes nothing.
No answer is ever a server error.
"""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orgs.models import ChangeProposal, Enterprise, PartyOrganization, Role
from pairings.models import Pairing, PairingKind, SideKind, Visit
from tests.factories import UserFactory, grant
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


# The pairing writes (结对, 两包三定) on side B's pairing (street B, org B its
# party side) and its visit with a problem found: who does each through the
# page and the API alike (done), who reaches the pairing and is refused
# (refused: 403, or the create form refusing a street it does not offer), who
# never reaches it (hidden: 404). Stopping a pairing and settling a problem
# are page actions only; the API has no such endpoints.
PAIRING_ANSWERS = {
    "district": {"create": "done", "visit": "done", "settle": "done", "stop": "done"},
    "street_b_staff": {"create": "done", "visit": "done", "settle": "done", "stop": "done"},
    "street_a_staff": {"create": "refused", "visit": "hidden", "settle": "hidden", "stop": "hidden"},
    "secretary_a": {"create": "refused", "visit": "hidden", "settle": "hidden", "stop": "hidden"},
    # The secretary of the party side's organization logs and settles, and does not stop.
    "secretary_b": {"create": "refused", "visit": "done", "settle": "done", "stop": "refused"},
    "leader": {"create": "refused", "visit": "refused", "settle": "refused", "stop": "refused"},
    "instructor": {"create": "refused", "visit": "hidden", "settle": "hidden", "stop": "hidden"},
}


def _pairing_requests(world, pairing: Pairing, visit: Visit) -> dict:
    """Per write, its page request and its API request (None: no endpoint)."""
    today = timezone.localdate().isoformat()
    new = {
        "kind": PairingKind.DEPARTMENT_ENTERPRISE,
        "side_kind": SideKind.DEPARTMENT,
        "side_name": "乙街道党建办",
        "enterprise": world.enterprise_b.pk,
        "starts_on": "2026-01-01",
        "quota_per_quarter": 1,
    }
    contact = {"visited_on": today, "kind": "visit", "findings": "走访了解用工"}
    return {
        "create": ((reverse("pairings:create"), new), (reverse("api-pairing-list"), new)),
        "visit": (
            (reverse("pairings:visit_log", args=[pairing.pk]), contact),
            (reverse("api-pairing-visits", args=[pairing.pk]), contact),
        ),
        "settle": ((reverse("pairings:visit_settle", args=[visit.pk]), {"settled_on": today}), None),
        "stop": ((reverse("pairings:active", args=[pairing.pk]), {"active": "0"}), None),
    }


def _pairing_state(pairing: Pairing, visit: Visit) -> tuple:
    pairing.refresh_from_db()
    visit.refresh_from_db()
    return Pairing.objects.count(), Visit.objects.count(), pairing.active, visit.settled_on


def _pairing_answers(world, user, pairing: Pairing, visit: Visit, names) -> dict:
    """Each write as `user` through the page, then the API: what came of it,
    or both answers when the page and the API disagree."""
    client = Client()
    client.force_login(user)
    requests = _pairing_requests(world, pairing, visit)
    answers = {}
    for name in names:
        outcomes = []
        for channel, call in zip(("page", "api"), requests[name], strict=True):
            if call is None:
                continue
            url, data = call
            state, logged = _pairing_state(pairing, visit), writes()
            if channel == "api":
                response = client.post(url, data=data, content_type="application/json")
            else:
                response = client.post(url, data=data)
            wrote = _pairing_state(pairing, visit) != state
            status = response.status_code
            if wrote:
                outcome = "done" if status == (201 if channel == "api" else 302) else f"wrote, {status}"
            elif writes() != logged:
                outcome = f"logged a write, {status}"
            elif status in (403, 404):
                outcome = "refused" if status == 403 else "hidden"
            elif channel == "page" and status == 200 and "field-error" in response.content.decode():
                outcome = "refused"  # the form offers only the streets the user keeps
            else:
                outcome = f"answered {status}"
            outcomes.append(f"{channel}: {outcome}")
        kinds = {o.split(": ", 1)[1] for o in outcomes}
        answers[name] = kinds.pop() if len(kinds) == 1 else ", ".join(outcomes)
    return answers


@pytest.mark.parametrize("role", sorted(PAIRING_ANSWERS))
def test_pairing_writes_answer_as_the_policy_says(world, side_b, role):
    if role == "street_b_staff":
        user = grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)
    else:
        user = getattr(world, role)
    pairing = Pairing.objects.get(pk=side_b[Pairing])
    visit = Visit.objects.get(pk=side_b[Visit])
    # Stopping comes last: a stopped pairing takes no more visits.
    answers = _pairing_answers(world, user, pairing, visit, ["create", "visit", "settle", "stop"])
    assert answers == PAIRING_ANSWERS[role]
    if PAIRING_ANSWERS[role]["visit"] == "done":
        assert pairing.visits.filter(created_by=user).count() == 2  # the page's and the API's


def test_the_pairings_own_leader_and_cadre_log_visits(world, side_b):
    """A pairing's party side by account logs its visits and settles its
    problems on the page and through the API, and stops it only if they keep
    its street: the leader of a 领导包片 pairing of street B (a leader
    otherwise only reads) and street A's staff member as the cadre of a 干部包点
    pairing on B's enterprise (B's other pairings are hidden from them, above)."""
    area = Pairing.objects.create(
        kind=PairingKind.LEADER_AREA,
        side_kind=SideKind.LEADER,
        side_user=world.leader,
        street=world.street_b,
        starts_on=date(2025, 1, 1),
    )
    point = Pairing.objects.create(
        kind=PairingKind.CADRE_POINT,
        side_kind=SideKind.CADRE,
        side_user=world.street_a_staff,
        enterprise=world.enterprise_b,
        street=world.street_b,
        starts_on=date(2025, 1, 1),
    )
    for user, pairing in ((world.leader, area), (world.street_a_staff, point)):
        visit = Visit.objects.create(
            pairing=pairing, visited_on=date(2025, 3, 1), findings="缺场地", problem_found=True
        )
        answers = _pairing_answers(world, user, pairing, visit, ["visit", "settle", "stop"])
        assert answers == {"visit": "done", "settle": "done", "stop": "refused"}, user.username


# Side B's C project (org B's): who checks it (跟单: district staff, not its own
# secretary or a leader: 403), who never reaches it (404). Page and API alike.
DEMAND_CHECK_ANSWERS = {"district": 302, "street_a_staff": 404, "secretary_a": 404, "secretary_b": 403, "leader": 403}


@pytest.mark.parametrize("role", sorted(DEMAND_CHECK_ANSWERS))
def test_demand_checks_answer_as_the_policy_says(world, side_b, role):
    from django.utils import timezone

    from demands.models import DemandCheck, DemandProject

    client = Client()
    user = getattr(world, role)
    pk = side_b[DemandProject]
    data = {"checked_on": timezone.localdate().isoformat(), "finding": "抽查"}
    for name in ("demands:check", "api-demand-check"):
        client.force_login(user)
        before = writes()
        if name.startswith("api"):
            status = client.post(reverse(name, args=[pk]), data=data, content_type="application/json").status_code
        else:
            status = client.post(reverse(name, args=[pk]), data=data).status_code
        expected = DEMAND_CHECK_ANSWERS[role]
        if name.startswith("api") and expected == 302:
            expected = 200
        assert status == expected, (name, status)
        assert (writes() != before) == (expected in (200, 302)), f"{role} {name}"
    assert DemandCheck.objects.filter(project_id=pk).count() == (2 if role == "district" else 0)


# Side B's member (org B's): who records a payment of dues (the roster's
# keepers: district staff and org B's own secretary), who approves a relief
# (street B's or district staff), who reaches the member but may not (403),
# and who never reaches them (404). Page and API alike.
DUES_PAYMENT_ANSWERS = {
    "district": "done",
    "secretary_b": "done",
    "street_a_staff": 404,
    "secretary_a": 404,
    "instructor": 404,
    "leader": 403,
}
DUES_RELIEF_ANSWERS = {"district": 302, "street_a_staff": 404, "secretary_a": 404, "secretary_b": 403, "leader": 403}


@pytest.mark.parametrize("role", sorted(DUES_PAYMENT_ANSWERS))
def test_dues_writes_answer_as_the_policy_says(world, side_b, role):
    from dues.models import Payment, Relief
    from dues.reference import ensure_brackets
    from dues.rules import add_months, format_period, month_start
    from dues.services import basis_declare

    ensure_brackets()
    member = world.member_b
    this_month = month_start(timezone.localdate())
    basis_declare(by=world.district, member=member, category="student", due_from=add_months(this_month, -6))
    client = Client()
    user = getattr(world, role)
    today = timezone.localdate().isoformat()
    for n, name in ((1, "dues:member_pay"), (2, "api-member-dues-payments")):
        client.force_login(user)
        before = writes()
        data = {"period": format_period(add_months(this_month, -n)), "amount": "0.20", "paid_on": today}
        if name.startswith("api"):
            status = client.post(
                reverse(name, args=[member.pk]), data=data, content_type="application/json"
            ).status_code
        else:
            status = client.post(reverse(name, args=[member.pk]), data=data).status_code
        expected = DUES_PAYMENT_ANSWERS[role]
        if expected == "done":
            expected = 201 if name.startswith("api") else 302
        assert status == expected, (name, status)
        assert (writes() != before) == (expected in (201, 302)), f"{role} {name}"
    # A whole month for org B in one form.
    client.force_login(user)
    before = writes()
    data = {"period": format_period(add_months(this_month, -3)), "paid_on": today, "pay": [member.pk]}
    status = client.post(
        reverse("dues:month", args=[world.org_b.pk]), {**data, f"amount_{member.pk}": "0.20"}
    ).status_code
    done = DUES_PAYMENT_ANSWERS[role] == "done"
    assert status == (302 if done else DUES_PAYMENT_ANSWERS[role]), ("dues:month", status)
    assert (writes() != before) == done
    assert Payment.objects.filter(member=member).count() == (3 if done else 0)
    if role in DUES_RELIEF_ANSWERS:
        client.force_login(user)
        data = {
            "kind": "exempt",
            "first_period": format_period(add_months(this_month, -6)),
            "last_period": format_period(add_months(this_month, -5)),
            "reason": "重病",
        }
        status = client.post(reverse("dues:member_relief", args=[member.pk]), data=data).status_code
        assert status == DUES_RELIEF_ANSWERS[role], status
        assert Relief.objects.filter(member=member).exists() == (status == 302)


# The venue writes (党建阵地) on side B's venue (org B's activity room in
# street B) and its booking: who does each through the page and the API alike
# (done), who reaches the record and is refused (refused: 403, or a refusal
# naming the field with nothing written), who never reaches it (hidden: 404).
# Editing a venue and cancelling a booking are page actions only.
_VENUE_STAFF = {"create": "done", "share": "done", "book": "done", "edit": "done", "cancel": "done"}
_VENUE_OUTSIDE = {"create": "refused", "share": "hidden", "book": "hidden", "edit": "hidden", "cancel": "hidden"}
VENUE_ANSWERS = {
    "district": _VENUE_STAFF,
    "street_b_staff": _VENUE_STAFF,
    # The owning organization's secretary keeps its venue and books it.
    "secretary_b": _VENUE_STAFF,
    "street_a_staff": _VENUE_OUTSIDE,
    "secretary_a": _VENUE_OUTSIDE,
    "leader": {"create": "refused", "share": "refused", "book": "refused", "edit": "refused", "cancel": "refused"},
    "instructor": _VENUE_OUTSIDE,
}


def _venue_requests(world, venue, booking, neighbour) -> dict:
    """Per write, its page request and its API request (None: no endpoint)."""
    new = {
        "kind": "shared",
        "name": "乙企业共享会议室",
        "owner_organization": world.org_b.pk,
        "address": "乙街道2号",
        "area": "30",
        "opens_at": "09:00",
        "closes_at": "17:00",
    }
    share = {"organization": neighbour.pk, "starts_on": "2026-01-01", "ends_on": "2026-03-31"}
    slot = {"organization": world.org_b.pk, "booked_on": "2026-06-02", "purpose": "乙党课"}
    return {
        "create": (
            (reverse("venues:create"), {**new, "open_days": ["1", "2"]}),
            (reverse("api-venue-list"), {**new, "open_days": "12"}),
        ),
        "share": (
            (reverse("venues:share_add", args=[venue.pk]), share),
            (
                reverse("api-venue-shares", args=[venue.pk]),
                {**share, "starts_on": "2026-04-01", "ends_on": "2026-06-30"},
            ),
        ),
        "book": (
            (reverse("venues:book", args=[venue.pk]), {**slot, "starts_at": "10:00", "ends_at": "11:00"}),
            (reverse("api-venue-bookings", args=[venue.pk]), {**slot, "starts_at": "11:00", "ends_at": "12:00"}),
        ),
        "edit": (
            (
                reverse("venues:edit", args=[venue.pk]),
                {
                    "kind": "activity_room",
                    "name": "乙党员活动室（新）",
                    "address": "乙街道1号",
                    "area": "50",
                    "opens_at": "08:00",
                    "closes_at": "20:00",
                    "open_days": ["1", "2", "3", "4", "5", "6", "7"],
                    "active": "on",
                },
            ),
            None,
        ),
        "cancel": ((reverse("venues:booking_cancel", args=[booking.pk]), {}), None),
    }


def _venue_state(venue) -> tuple:
    from venues.models import Booking, Venue, VenueShare

    venue.refresh_from_db()
    return (
        Venue.objects.count(),
        VenueShare.objects.count(),
        Booking.objects.filter(status="booked").count(),
        venue.name,
    )


@pytest.mark.parametrize("role", sorted(VENUE_ANSWERS))
def test_venue_writes_answer_as_the_policy_says(world, side_b, role):
    from tests.factories import OrganizationFactory
    from venues.models import Booking, Venue

    if role == "street_b_staff":
        user = grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)
    else:
        user = getattr(world, role)
    venue = Venue.objects.get(pk=side_b[Venue])
    booking = Booking.objects.get(pk=side_b[Booking])
    neighbour = OrganizationFactory(street=world.street_b, name="中共乙街道邻居公司支部委员会")
    client = Client()
    client.force_login(user)
    requests = _venue_requests(world, venue, booking, neighbour)
    answers = {}
    for name in ["create", "share", "book", "edit", "cancel"]:
        outcomes = []
        for channel, call in zip(("page", "api"), requests[name], strict=True):
            if call is None:
                continue
            url, data = call
            state, logged = _venue_state(venue), writes()
            if channel == "api":
                response = client.post(url, data=data, content_type="application/json")
            else:
                response = client.post(url, data=data)
            status = response.status_code
            if _venue_state(venue) != state:
                outcome = "done" if status == (201 if channel == "api" else 302) else f"wrote, {status}"
            elif writes() != logged:
                outcome = f"logged a write, {status}"
            elif status in (403, 404):
                outcome = "refused" if status == 403 else "hidden"
            elif status in (200, 400) and (channel == "api" or "field-error" in response.content.decode()):
                outcome = "refused"  # a refusal naming the field, nothing written
            else:
                outcome = f"answered {status}"
            outcomes.append(f"{channel}: {outcome}")
        kinds = {o.split(": ", 1)[1] for o in outcomes}
        answers[name] = kinds.pop() if len(kinds) == 1 else ", ".join(outcomes)
    assert answers == VENUE_ANSWERS[role]


# The people writes on side B (street B, org B): register a worker of org B,
# add a worker of street B to B's course, recommend a pool worker of street B to org B,
# decide that recommendation, record a 交叉任职 of org B. Page and API alike
# (recommend, decide and 交叉任职 are page actions only). "refused" is any
# refusal with nothing written (400 naming the field, 403, or 404 outside reach).
PEOPLE_ANSWERS = {
    "district": {"register": "done", "attend": "done", "recommend": "done", "decide": "done", "cross": "done"},
    "street_b_staff": {"register": "done", "attend": "done", "recommend": "done", "decide": "done", "cross": "done"},
    "street_a_staff": {
        "register": "refused",
        "attend": "refused",
        "recommend": "refused",
        "decide": "refused",
        "cross": "refused",
    },
    "secretary_a": {
        "register": "refused",
        "attend": "refused",
        "recommend": "refused",
        "decide": "refused",
        "cross": "refused",
    },
    # Org B's own secretary keeps its workers and its 交叉任职, not courses or the pool.
    "secretary_b": {
        "register": "done",
        "attend": "refused",
        "recommend": "refused",
        "decide": "refused",
        "cross": "done",
    },
    "leader": {
        "register": "refused",
        "attend": "refused",
        "recommend": "refused",
        "decide": "refused",
        "cross": "refused",
    },
    "instructor": {
        "register": "refused",
        "attend": "refused",
        "recommend": "refused",
        "decide": "refused",
        "cross": "refused",
    },
}


def _people_state():
    from people.models import CrossAppointment, PartyWorker, Recommendation, TrainingAttendance

    return (
        PartyWorker.objects.count(),
        TrainingAttendance.objects.count(),
        Recommendation.objects.count(),
        tuple(Recommendation.objects.order_by("pk").values_list("outcome", flat=True)),
        CrossAppointment.objects.count(),
    )


@pytest.mark.parametrize("role", sorted(PEOPLE_ANSWERS))
def test_people_writes_answer_as_the_policy_says(world, side_b, role):
    from people.models import CrossAppointment, PartyWorker, Recommendation, Training

    if role == "street_b_staff":
        user = grant(UserFactory(username="street_b"), Role.STREET, region=world.street_b)
    else:
        user = getattr(world, role)
    training = Training.objects.get(pk=side_b[Training])
    recommendation = Recommendation.objects.get(pk=side_b[Recommendation])
    CrossAppointment.objects.filter(pk=side_b[CrossAppointment]).delete()
    spare = [
        PartyWorker.objects.create(
            name=f"乙待训{i}", source="hired", employment="part_time", region=world.street_b, in_pool=True
        )
        for i in range(3)
    ]
    today = timezone.localdate().isoformat()
    new = {
        "name": "乙专职",
        "source": "hired",
        "employment": "full_time",
        "post": "full_time_worker",
        "organization": world.org_b.pk,
    }
    requests = {
        "register": [(reverse("people:worker_create"), new), (reverse("api-party-worker-list"), new)],
        "attend": [
            (reverse("people:training_attendees", args=[training.pk]), {"workers": [spare[0].pk]}),
            (reverse("api-training-attendees", args=[training.pk]), {"workers": [spare[1].pk]}),
        ],
        "recommend": [
            (
                reverse("people:worker_recommend", args=[spare[2].pk]),
                {"organization": world.org_b.pk, "recommended_on": today},
            ),
        ],
        "decide": [
            (
                reverse("people:recommendation_decide", args=[recommendation.pk]),
                {"outcome": "declined", "outcome_on": today},
            ),
        ],
        "cross": [
            (
                reverse("people:cross_add", args=[world.org_b.pk]),
                {
                    "person": world.org_b.secretary_name or "乙书记",
                    "enterprise": world.enterprise_b.pk,
                    "body": "board",
                    "title": "董事",
                },
            ),
        ],
    }
    world.org_b.secretary_name = "乙书记"
    world.org_b.save(update_fields=["secretary_name"])
    client = Client()
    client.force_login(user)
    answers = {}
    for name, calls in requests.items():
        outcomes = set()
        for url, data in calls:
            before = _people_state()
            if url.startswith("/api/"):
                response = client.post(url, data=data, content_type="application/json")
            else:
                response = client.post(url, data=data)
            wrote = _people_state() != before
            status = response.status_code
            if wrote:
                outcomes.add("done" if status in (201, 302) else f"wrote, {status}")
            elif status in (400, 403, 404) or (status == 200 and "field-error" in response.content.decode()):
                outcomes.add("refused")
            else:
                outcomes.add(f"answered {status} at {url}")
        answers[name] = outcomes.pop() if len(outcomes) == 1 else ", ".join(sorted(outcomes))
    assert answers == PEOPLE_ANSWERS[role]

"""Schemathesis drives every operation of /api/schema/ with generated input,
as a district user, as the secretary of the records' organization and as a
secretary of another one, with every check the installed schemathesis has
(server errors, status codes and bodies as documented, schema-valid input
accepted and schema-breaking input refused, authentication enforced, ...).
Zero failures: where the server and the schema disagree, one of them is wrong.

Kept small (a few examples per operation; about a minute and a half of CPU)
so the suite stays quick; the point is breadth: every endpoint, every
parameter, every body field."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from orgs.proposals import proposal_create
from security.services import token_issue
from tests.helpers.records import make_activity, make_alert, make_assignment, make_rating, make_survey

MAX_EXAMPLES = 10
FEW_EXAMPLES = 4
load_all_checks()
ALL_CHECKS = CHECKS.get_all()
# What a well-formed request may hear (schemathesis's default set). A write
# may also hear a 400 that no schema can foresee: the record is locked or
# already reviewed, an id names no record the caller may use. Reads may not.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]


@contextmanager
def _keep_test_connection():
    """Schemathesis calls the WSGI app directly, which would close the test's
    database connection at the start and end of each request (Django's test
    client avoids that the same way, so this is entered after any use of it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def loaded_schema(world, client):
    client.force_login(world.district)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    schema.app = get_wsgi_application()
    schema.auth(refresh_interval=None)(_TokenAuth)
    return schema


class _TokenAuth:
    """The token of the user a run is for, set as the schema's own credentials
    (so `ignored_auth` can take it away and expect a 401)."""

    key = ""

    def get(self, case, context):
        return _TokenAuth.key

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


def _objects(world) -> dict[str, int]:
    from django.utils import timezone

    from funds.models import Application
    from funds.services import account_open

    account = account_open(organization=world.org_a, by=None)
    application = Application.objects.create(
        organization=world.org_a,
        account=account,
        activity="主题党日",
        activity_date=date(2026, 3, 1),
        participants=10,
        amount="100.00",
        waiting_since=timezone.now(),
        created_by=world.secretary_a,
    )
    activity = make_activity(world.org_a).pk
    proposal = proposal_create(
        by=world.secretary_a, organization=world.org_a, record=world.enterprise_a, reason="更正", employees=30
    ).pk
    return {
        "/api/v1/enterprises/{id}/": world.enterprise_a.pk,
        "/api/v1/enterprises/{id}/reveal/": world.enterprise_a.pk,
        "/api/v1/organizations/{id}/": world.org_a.pk,
        "/api/v1/organizations/{id}/elections/": world.org_a.pk,
        "/api/v1/organizations/{id}/venue-checks/": world.org_a.pk,
        "/api/v1/members/{id}/": world.member_a.pk,
        "/api/v1/members/{id}/reveal/": world.member_a.pk,
        "/api/v1/activities/{id}/": activity,
        "/api/v1/activities/{id}/submit/": activity,
        "/api/v1/activities/{id}/approve/": activity,
        "/api/v1/activities/{id}/return/": activity,
        "/api/v1/instructor-assignments/{id}/": make_assignment(world, world.enterprise_a).pk,
        "/api/v1/regions/{id}/": world.street_a.pk,
        "/api/v1/ratings/{id}/": make_rating(world.org_a).pk,
        **{
            f"/api/v1/alerts/{{id}}/{suffix}": alert
            for alert in [make_alert(world.org_a).pk]
            for suffix in ("", "assign/", "respond/", "close/", "reopen/")
        },
        "/api/v1/fund-accounts/{id}/": account.pk,
        "/api/v1/fund-accounts/{id}/journal/": None,
        "/api/v1/surveys/{id}/": make_survey(world.enterprise_a).pk,
        "/api/v1/users/{id}/": world.secretary_a.pk,
        **{f"/api/v1/change-proposals/{{id}}/{suffix}": proposal for suffix in ("", "confirm/", "reject/")},
        **{
            f"/api/v1/fund-applications/{{id}}/{suffix}": application.pk
            for suffix in (
                "",
                "street-approve/",
                "district-approve/",
                "return/",
                "object/",
                "disburse/",
                "settle/",
                "settlement-approve/",
                "settlement-return/",
            )
        },
        **_practice_objects(world),
        **_dues_objects(world),
        **_venue_objects(world),
        **_people_objects(world),
    }


def _people_objects(world) -> dict[str, int]:
    """A party worker (org A's secretary) and a course of street A that they attended."""
    from people.models import PartyWorker, Training
    from people.services import training_create, worker_register

    worker = worker_register(
        by=world.street_a_staff,
        name="王甲书记",
        source=PartyWorker.Source.ELECTED,
        employment=PartyWorker.Employment.PART_TIME,
        post=PartyWorker.Post.SECRETARY,
        organization=world.org_a,
    )
    course = training_create(
        by=world.street_a_staff,
        title="书记轮训班",
        level=Training.Level.DISTRICT,
        starts_on=date(2025, 4, 1),
        ends_on=date(2025, 4, 2),
        hours="16",
        organizer="区委两新工委",
        region=world.street_a,
        attendees=[worker],
    )
    return {
        "/api/v1/party-workers/{id}/": worker.pk,
        **{f"/api/v1/trainings/{{id}}/{suffix}": course.pk for suffix in ("", "attendees/")},
    }


def _venue_objects(world) -> dict[str, int]:
    """Org A's own activity room (open every day, all day)."""
    from datetime import time
    from decimal import Decimal

    from venues.services import venue_create

    venue = venue_create(
        by=world.street_a_staff,
        kind="activity_room",
        name="甲企业党员活动室",
        address="甲街道1号",
        area=Decimal("50"),
        opens_at=time(0, 0),
        closes_at=time(23, 59),
        open_days="1234567",
        owner_organization=world.org_a,
    )
    return {f"/api/v1/venues/{{id}}/{suffix}": venue.pk for suffix in ("", "bookings/", "shares/")}


def _practice_objects(world) -> dict[str, int]:
    """An alliance with a problem, a demand project and a pairing, in org A's street."""
    from django.utils import timezone

    from alliances.models import Alliance
    from alliances.services import alliance_create, member_add, problem_raise
    from demands.models import DemandProject
    from demands.services import demand_set_up
    from pairings.models import Pairing, PairingKind, SideKind

    today = timezone.localdate()
    alliance = alliance_create(
        by=world.street_a_staff,
        name="甲街道产业链党建联盟",
        chain="装备制造",
        region=world.street_a,
        lead_kind=Alliance.LeadKind.ENTERPRISE,
        lead_enterprise=world.enterprise_a,
        lead_organization=world.org_a,
        first_secretary="王立新",
        secretary_general="孙丽",
        founded_on=date(2026, 1, 1),
    )
    member_add(by=world.street_a_staff, alliance=alliance, organization=world.org_a, joined_on=date(2026, 1, 1))
    problem = problem_raise(
        by=world.street_a_staff,
        alliance=alliance,
        enterprise=world.enterprise_a,
        title="订单不足",
        category="orders",
        raised_on=date(2026, 2, 1),
    )
    demand = demand_set_up(
        by=world.district,
        level="A",
        owner=world.street_a.parent,
        title="区级项目",
        proposer_kind=DemandProject.Proposer.MEMBER,
        collected_by=DemandProject.Collection.FORUM,
        set_up_on=today,
        target_date=today + timedelta(days=60),
    )
    pairing = Pairing.objects.create(
        kind=PairingKind.CADRE_POINT,
        side_kind=SideKind.CADRE,
        side_user=world.street_a_staff,
        enterprise=world.enterprise_a,
        street=world.street_a,
        starts_on=date(2025, 1, 1),
        quota_per_quarter=2,
    )
    return {
        **{f"/api/v1/alliances/{{id}}/{suffix}": alliance.pk for suffix in ("", "members/", "problems/")},
        **{f"/api/v1/alliance-problems/{{id}}/{suffix}": problem.pk for suffix in ("", "resolve/")},
        **{
            f"/api/v1/demands/{{id}}/{suffix}": demand.pk
            for suffix in ("", "check/", "claim/", "complete/", "exit/", "rectified/", "send-back/")
        },
        **{f"/api/v1/pairings/{{id}}/{suffix}": pairing.pk for suffix in ("", "visits/")},
    }


def _run(operation, *, user, path_parameters=None, mode=GenerationMode.POSITIVE, examples=MAX_EXAMPLES) -> None:
    # A fresh token for each run: the logout and refresh operations revoke
    # the one they are given, which would leave every later run a 401.
    _TokenAuth.key = token_issue(user=user)[1]
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
    checks = ALL_CHECKS
    accepted = operation.schema.config.checks.positive_data_acceptance
    accepted.expected_statuses = [*ACCEPTED, "400"] if operation.method.upper() != "GET" else ACCEPTED

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(checks=checks)

    check()


def test_every_operation_survives_generated_input(world, loaded_schema):
    objects = _objects(world)
    fund_account = objects["/api/v1/fund-accounts/{id}/"]
    objects["/api/v1/fund-accounts/{id}/journal/"] = fund_account
    users = {
        "district": world.district,
        "secretary": world.secretary_a,
        "outsider": world.secretary_b,
        "street": world.street_a_staff,
    }
    operations = [result.ok() for result in loaded_schema.get_all_operations()]
    assert len(operations) >= 15
    names = {check.__name__ for check in ALL_CHECKS}
    assert {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "ignored_auth",
        "use_after_free",
    } <= names
    with _keep_test_connection():
        _run_all(operations, users, objects)


def _has_input(operation) -> bool:
    """Input that breaks the schema needs a body or a parameter to break,
    other than the Authorization header every run fixes (the token's logout
    and refresh take nothing else)."""
    headers = [header for header in operation.headers if header.name != "Authorization"]
    locations = (operation.body, operation.path_parameters, operation.query, headers, operation.cookies)
    return any(len(location) for location in locations)


# Writes only another role makes: that role runs them too, so their success answers are checked.
WRITERS = {"/api/v1/organizations/{id}/venue-checks/": "street"}


def _run_all(operations, users, objects) -> None:
    for operation in operations:
        ids = {"id": objects[operation.path]} if "{id}" in operation.path else None
        runs = [(users["district"], MAX_EXAMPLES), (users["secretary"], FEW_EXAMPLES)]
        if operation.path in WRITERS:
            runs.append((users[WRITERS[operation.path]], MAX_EXAMPLES))
        for user, examples in runs:
            _run(operation, user=user, examples=examples)
            if ids:
                _run(operation, user=user, path_parameters=ids, examples=examples)
        # Someone else's records: a 404 (or a 403 for a write), never a 200.
        _run(operation, user=users["outsider"], path_parameters=ids, examples=FEW_EXAMPLES)
        if _has_input(operation):
            district = users["district"]
            try:
                _run(operation, user=district, path_parameters=ids, mode=GenerationMode.NEGATIVE)
            except Unsatisfiable:
                # With the id fixed, the only way left to break the schema may be the id itself.
                _run(operation, user=district, mode=GenerationMode.NEGATIVE)


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    text = out.read_text()
    assert "/api/v1/enterprises/{id}/" in text and "status_display" in text
    # The enterprise phone is read masked; its audited reveal is documented.
    assert "/api/v1/enterprises/{id}/reveal/" in text and "查看企业完整联系电话" in text


def _dues_objects(world) -> dict[str, int]:
    """Org A's member with a dues basis (a student: 0.20 yuan a month, from half a year back)."""
    from django.utils import timezone

    from dues.reference import ensure_brackets
    from dues.rules import add_months, month_start
    from dues.services import basis_declare

    ensure_brackets()
    due_from = add_months(month_start(timezone.localdate()), -6)
    basis_declare(by=world.secretary_a, member=world.member_a, category="student", due_from=due_from)
    return {f"/api/v1/members/{{id}}/dues/{suffix}": world.member_a.pk for suffix in ("", "payments/")}

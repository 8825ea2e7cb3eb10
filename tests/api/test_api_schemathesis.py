"""Schemathesis drives every operation of /api/schema/ with generated input,
as an authenticated district user and as an outsider secretary. No answer
may be a server error, and every documented answer must match the schema.

Kept small (a few examples per operation) so the suite stays quick; the
point is breadth: every endpoint, every parameter, every body field."""

from contextlib import contextmanager
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from security.services import token_issue
from tests.helpers.records import make_activity, make_alert, make_assignment, make_rating, make_survey

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


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
    return schema


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
    return {
        "/api/v1/enterprises/{id}/": world.enterprise_a.pk,
        "/api/v1/organizations/{id}/": world.org_a.pk,
        "/api/v1/members/{id}/": world.member_a.pk,
        "/api/v1/members/{id}/reveal/": world.member_a.pk,
        "/api/v1/activities/{id}/": activity,
        "/api/v1/activities/{id}/submit/": activity,
        "/api/v1/activities/{id}/approve/": activity,
        "/api/v1/activities/{id}/return/": activity,
        "/api/v1/instructor-assignments/{id}/": make_assignment(world, world.enterprise_a).pk,
        "/api/v1/ratings/{id}/": make_rating(world.org_a).pk,
        **{
            f"/api/v1/alerts/{{id}}/{suffix}": alert
            for alert in [make_alert(world.org_a).pk]
            for suffix in ("", "assign/", "respond/", "close/", "reopen/")
        },
        "/api/v1/fund-accounts/{id}/": account.pk,
        "/api/v1/fund-accounts/{id}/journal/": None,
        "/api/v1/surveys/{id}/": make_survey(world.enterprise_a).pk,
        **{
            f"/api/v1/fund-applications/{{id}}/{suffix}": application.pk
            for suffix in ("", "street-approve/", "district-approve/", "return/", "object/", "disburse/", "settle/")
        },
    }


def _run(operation, *, headers, path_parameters=None, mode=GenerationMode.POSITIVE) -> None:
    strategy = operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=path_parameters)
    # Input that breaks the schema on purpose must be refused cleanly; its
    # answer is then an error body, which is all that is checked.
    checks = CHECKS if mode == GenerationMode.POSITIVE else [not_a_server_error]

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call()
        case.validate_response(response, checks=checks)

    check()


def test_every_operation_survives_generated_input(world, loaded_schema):
    objects = _objects(world)
    fund_account = objects["/api/v1/fund-accounts/{id}/"]
    objects["/api/v1/fund-accounts/{id}/journal/"] = fund_account
    users = {"district": world.district, "outsider": world.secretary_b}
    operations = [result.ok() for result in loaded_schema.get_all_operations()]
    assert len(operations) >= 15
    with _keep_test_connection():
        _run_all(operations, users, objects)


def _headers(user) -> dict[str, str]:
    # A fresh token for each run: the logout and refresh operations revoke
    # the one they are given, which would leave every later run a 401.
    return {"Authorization": f"Token {token_issue(user=user)[1]}"}


def _has_input(operation) -> bool:
    """Input that breaks the schema needs a body or a parameter to break,
    other than the Authorization header every run fixes (the token's logout
    and refresh take nothing else)."""
    headers = [header for header in operation.headers if header.name != "Authorization"]
    locations = (operation.body, operation.path_parameters, operation.query, headers, operation.cookies)
    return any(len(location) for location in locations)


def _run_all(operations, users, objects) -> None:
    for operation in operations:
        for user in users.values():
            _run(operation, headers=_headers(user))
            if "{id}" in operation.path:
                _run(operation, headers=_headers(user), path_parameters={"id": objects[operation.path]})
        if operation.method.upper() in ("POST", "PUT", "PATCH") and _has_input(operation):
            headers = _headers(users["district"])
            ids = {"id": objects[operation.path]} if "{id}" in operation.path else None
            try:
                _run(operation, headers=headers, path_parameters=ids, mode=GenerationMode.NEGATIVE)
            except Unsatisfiable:
                # With the id fixed, the only way left to break the schema may be the id itself.
                _run(operation, headers=headers, mode=GenerationMode.NEGATIVE)


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out), "--validate", "--fail-on-warn")
    text = out.read_text()
    assert "/api/v1/enterprises/{id}/" in text and "status_display" in text

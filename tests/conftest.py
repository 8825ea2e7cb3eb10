"""Shared fixtures: a small district with an owner, a neighbour and outsiders.

Every page and endpoint test uses these three users at least: district
staff, the organization's own secretary, and another organization's
secretary (the outsider, who must get 404).
"""

import os
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.utils import timezone
from rest_framework.test import APIClient

from orgs.models import Role

from .factories import (
    EnterpriseFactory,
    MemberFactory,
    OrganizationFactory,
    StreetFactory,
    UserFactory,
    grant,
)

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
PASSWORD = "Correct-Horse-9"


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    if REQUIRE_POSTGRES and not on_postgres:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL does not point at PostgreSQL")
    if not on_postgres:
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report):
    # Under REQUIRE_POSTGRES a skipped PostgreSQL test is a failure, not a pass.
    if REQUIRE_POSTGRES and report.skipped and "postgres" in report.keywords:
        report.outcome = "failed"


def _allow_flush(sender, connection, **kwargs):
    # Between transactional tests Django empties every table with TRUNCATE,
    # which the journal and the audit trail refuse unless the session says
    # it means it (security/migrations/0003).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET partybuilding.allow_truncate = on")


connection_created.connect(_allow_flush)


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_inline():
    # CI sets REDIS_URL (the broker is there) but runs no worker: tests run
    # every Celery task in the calling process, as the embedded default does.
    from config.celery_app import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher's cost is the point in production and a waste here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    street_a: object
    street_b: object
    enterprise_a: object
    enterprise_b: object
    org_a: object
    org_b: object
    member_a: object
    member_b: object
    district: object
    secretary_a: object
    secretary_b: object
    street_a_staff: object
    leader: object
    instructor: object


@pytest.fixture
def world(db) -> World:
    street_a = StreetFactory(name="甲街道")
    street_b = StreetFactory(name="乙街道")
    enterprise_a = EnterpriseFactory(street=street_a, name="甲企业有限公司")
    enterprise_b = EnterpriseFactory(street=street_b, name="乙企业有限公司")
    org_a = OrganizationFactory(street=street_a, name="中共甲企业支部委员会", enterprises=[enterprise_a])
    org_b = OrganizationFactory(street=street_b, name="中共乙企业支部委员会", enterprises=[enterprise_b])
    member_a = MemberFactory(organization=org_a, enterprise=enterprise_a, name="张甲")
    member_b = MemberFactory(organization=org_b, enterprise=enterprise_b, name="李乙")
    return World(
        street_a=street_a,
        street_b=street_b,
        enterprise_a=enterprise_a,
        enterprise_b=enterprise_b,
        org_a=org_a,
        org_b=org_b,
        member_a=member_a,
        member_b=member_b,
        district=grant(UserFactory(username="district"), Role.DISTRICT),
        secretary_a=grant(UserFactory(username="secretary_a"), Role.SECRETARY, organization=org_a),
        secretary_b=grant(UserFactory(username="secretary_b"), Role.SECRETARY, organization=org_b),
        street_a_staff=grant(UserFactory(username="street_a"), Role.STREET, region=street_a),
        leader=grant(UserFactory(username="leader"), Role.LEADER),
        instructor=grant(UserFactory(username="instructor"), Role.INSTRUCTOR),
    )


class Clock:
    """timezone.now(), moved by hand: knox and Django's sessions read the time through it."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    moved = Clock()
    monkeypatch.setattr(timezone, "now", lambda: moved.now)
    return moved


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api():
    def _api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _api

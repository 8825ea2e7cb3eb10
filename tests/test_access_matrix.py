"""Every URL of the project, for every role.

The patterns are read from the URL configuration at run time, so pages and
endpoints added later are walked too. For each pattern with an id, the id
is an object outside the role's scope (answer: 404), and an id that does
not exist (404). A write on a record the role reaches but may not change is
refused (403, or 405 where the endpoint has no writes) and changes nothing.
No answer is ever a server error.

To teach the matrix about a new model behind a function view, add a word
of its URL name to MODEL_HINTS.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from activities.models import Activity
from funds.models import Application, FundAccount, Settlement
from funds.services import account_open
from members.models import Member
from orgs.models import (
    Alert,
    ChangeProposal,
    Enterprise,
    EnterpriseSurvey,
    ImportBatch,
    InstructorAssignment,
    PartyOrganization,
    Rating,
    RectificationPlan,
    RectificationStep,
    Region,
    User,
)
from tests.helpers.records import make_survey

MISSING_ID = 987654321
# URL keywords that name a record: pk, id, object_id, organization_pk, member_id, ...
ID_KEY = re.compile(r"(^|_)(pk|id)$")
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

# URL-name words → model, for function views (DRF views name their model).
MODEL_HINTS = [
    ("proposal", ChangeProposal),
    ("batch", ImportBatch),
    ("application", Application),
    ("settlement", Application),
    ("survey", EnterpriseSurvey),
    ("enterprise", Enterprise),
    ("organization", PartyOrganization),
    ("member", Member),
    ("activit", Activity),
    ("assignment", InstructorAssignment),
    ("instructor", InstructorAssignment),
    ("rating", Rating),
    ("alert", Alert),
    ("rectification", RectificationStep),
    ("warning", Alert),
    ("fund", FundAccount),
    ("account", FundAccount),
    ("street", Region),
    ("region", Region),
    ("user", User),
]


@dataclass
class Route:
    name: str
    pattern: str
    kwargs_spec: dict[str, str]
    callback: object

    @property
    def id_keys(self) -> list[str]:
        return [k for k in self.kwargs_spec if ID_KEY.search(k)]

    @property
    def has_id(self) -> bool:
        return bool(self.id_keys)

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            if isinstance(p.pattern, RoutePattern):
                spec = {k: type(c).__name__ for k, c in p.pattern.converters.items()}
            elif isinstance(p.pattern, RegexPattern):
                spec = {k: "regex" for k in p.pattern.regex.groupindex}
            else:  # pragma: no cover
                spec = {}
            yield Route(namespace + p.name, prefix + str(p.pattern), spec, p.callback)


def all_routes() -> list[Route]:
    routes = {}
    for route in _walk(get_resolver().url_patterns):
        routes.setdefault(route.name, route)
    return list(routes.values())


def model_of(route: Route):
    cls = getattr(route.callback, "cls", None)
    serializer = getattr(cls, "serializer_class", None)
    if serializer is not None and hasattr(serializer, "Meta"):
        return serializer.Meta.model
    if route.is_admin:
        admin = getattr(route.callback, "model_admin", None) or getattr(
            getattr(route.callback, "__self__", None), "model", None
        )
        return getattr(admin, "model", admin)
    # The first id keyword names the record (`organization_pk`), else the URL name does.
    words = [route.id_keys[0].rsplit("_", 1)[0]] if route.id_keys and "_" in route.id_keys[0] else []
    for text in [*words, route.name]:
        for word, model in MODEL_HINTS:
            if word in text:
                return model
    return None


def url_for(route: Route, pk) -> str | None:
    kwargs = {}
    for key, kind in route.kwargs_spec.items():
        if ID_KEY.search(key):
            kwargs[key] = pk
        elif kind in ("IntConverter",):
            kwargs[key] = 1
        elif key == "app_label":
            return None  # admin app index: covered by the model pages
        else:
            kwargs[key] = "x"
    try:
        return reverse(route.name, kwargs=kwargs)
    except Exception:
        return None


@pytest.fixture
def side_b(world):
    """One object of each scoped model on side B (street B, org B)."""
    account = account_open(organization=world.org_b, by=None)
    # An application whose 报账 waits for street B's review: every workflow
    # write (approve, return, settle, settlement review) would act on it if
    # a scope let an outsider through.
    application = Application.objects.create(
        organization=world.org_b,
        account=account,
        activity="乙主题党日",
        activity_date=date(2026, 3, 1),
        participants=5,
        amount=Decimal("100.00"),
        status=Application.Status.SETTLEMENT_REVIEW,
        waiting_since=timezone.now(),
        created_by=world.secretary_b,
    )
    Settlement.objects.create(
        application=application, settled_on=date(2026, 3, 2), spent=Decimal("80.00"), submitted_by=world.secretary_b
    )
    return {
        Application: application.pk,
        Enterprise: world.enterprise_b.pk,
        PartyOrganization: world.org_b.pk,
        Member: world.member_b.pk,
        Activity: Activity.objects.create(
            organization=world.org_b, activity_type="theme_day", held_on=date(2026, 3, 1), topic="乙主题党日"
        ).pk,
        InstructorAssignment: InstructorAssignment.objects.create(
            enterprise=world.enterprise_b, start_on=date(2026, 1, 1)
        ).pk,
        Rating: Rating.objects.create(
            organization=world.org_b, year=2025, computed_on=date(2025, 12, 31), score=Decimal("70"), computed_stars=3
        ).pk,
        Alert: Alert.objects.create(
            kind="no_secretary",
            level="yellow",
            street=world.street_b,
            organization=world.org_b,
            subject_key="b",
            message="乙",
            opened_on=date(2026, 1, 1),
            last_seen_on=date(2026, 1, 1),
        ).pk,
        RectificationStep: RectificationStep.objects.create(
            plan=RectificationPlan.objects.create(
                organization=world.org_b, reason="weak", title="乙整顿", created_by=world.district
            ),
            title="调整班子",
            due_on=date(2026, 6, 30),
        ).pk,
        # A proposal of org B's secretary on its enterprise, waiting for street B.
        ChangeProposal: ChangeProposal.objects.create(
            organization=world.org_b,
            enterprise=world.enterprise_b,
            values={"employees": 99},
            before={"employees": world.enterprise_b.employees},
            reason="乙更正",
            proposed_by=world.secretary_b,
        ).pk,
        FundAccount: account.pk,
        Region: world.street_b.pk,
        # An account on side B: only district staff manage it (leaders read it).
        User: world.secretary_b.pk,
        EnterpriseSurvey: make_survey(world.enterprise_b).pk,
        ImportBatch: ImportBatch.objects.create(
            kind=ImportBatch.Kind.SURVEY, year=2026, street=world.street_b, file_name="乙.xlsx", file_hash="0" * 64
        ).pk,
    }


def _request(client: Client, user, method: str, url: str):
    client.force_login(user)  # a page may log the client out (logout, two-factor)
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data={}, content_type="application/json")


def _writes() -> int:
    return LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count()


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
    client = Client()
    failures = []
    for route in all_routes():
        if route.is_admin and role not in ("district", "secretary_a", "superuser"):
            continue
        if not route.has_id:
            url = url_for(route, None)
            if url is None:
                continue
            status = _request(client, user, "get", url).status_code
            if status >= 500:
                failures.append(f"{role} GET {url} → {status}")
            continue
        model = model_of(route)
        targets = [MISSING_ID]
        if role in SIDE_A_ROLES and model in side_b:
            targets.append(side_b[model])
        for pk in targets:
            url = url_for(route, pk)
            if url is None:
                continue
            for method in ("get", "post", "patch"):
                if route.is_admin and method != "get":
                    continue
                before = _writes()
                status = _request(client, user, method, url).status_code
                # 405: the endpoint has no such method (a GET on a POST-only action).
                allowed = {404, 405}
                if route.is_admin:
                    # The admin answers a missing or unreachable record with a
                    # redirect and a message, and a model without permission with 403.
                    allowed = {302, 403, 404}
                if status not in allowed:
                    failures.append(f"{role} {method.upper()} {url} (outside scope) → {status}")
                if _writes() != before:
                    failures.append(f"{role} {method.upper()} {url} (outside scope) wrote something")
    assert not failures, "\n".join(failures)


def test_writes_without_the_right_are_refused(world, side_b):
    """The leader reaches everything and may change nothing."""
    client = Client()
    failures = []
    for route in all_routes():
        if route.is_admin or not route.has_id:
            continue
        model = model_of(route)
        if model not in side_b:
            continue
        url = url_for(route, side_b[model])
        for method in ("post", "put", "patch", "delete"):
            before = _writes()
            status = _request(client, world.leader, method, url).status_code
            if status >= 500 or (route.is_api and status not in (403, 405)):
                failures.append(f"leader {method.upper()} {url} → {status}")
            if _writes() != before:
                failures.append(f"leader {method.upper()} {url} wrote something")
    assert not failures, "\n".join(failures)


def test_reads_inside_scope_succeed(world, side_b):
    """The same walk with the owner's own objects: the matrix is not passing by refusing everyone."""
    client = Client()
    for route in all_routes():
        # Nested routes (an attachment of an activity) need a second record the walk does not build.
        if route.is_admin or not route.has_id or route.name.endswith("reveal") or len(route.id_keys) > 1:
            continue
        model = model_of(route)
        # Import batches belong to district and street staff, never to a secretary;
        # accounts to district staff, not to their owners.
        if model not in side_b or model in (Region, ImportBatch, User):
            continue
        url = url_for(route, side_b[model])
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
            before = _writes()
            answers[f"{method} {name}"] = _request(
                client, user, method, reverse(name, args=[side_b[model]])
            ).status_code
            assert _writes() == before, f"{role} {method} {name} wrote something"
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
        before = _writes()
        status = _request(client, user, "post", reverse(name, args=[proposal.pk])).status_code
        expected = PROPOSAL_ANSWERS[role]
        if name.startswith("api") and expected == 302:
            expected = 200
        assert status == expected, (name, status)
        assert (_writes() != before) == (expected in (200, 302)), f"{role} {name}"
    proposal.refresh_from_db()
    confirmed = proposal.status == ChangeProposal.Status.CONFIRMED
    assert confirmed == (role == "district")

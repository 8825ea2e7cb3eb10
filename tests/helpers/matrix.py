"""The access matrix's machinery: every URL pattern of the project, the
record each one names, and walks of them for a user over a world's records.

The patterns are read from the URL configuration at run time, so pages and
endpoints added later are walked too. tests/test_access_matrix.py walks a
one-district world, tests/test_access_matrix_city.py a city of two.

To teach the matrix about a new model behind a function view, add a word
of its URL name to MODEL_HINTS.
"""

import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from auditlog.models import LogEntry
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from activities.models import Activity
from alliances.models import Alliance, AllianceMember, AllianceProblem
from demands.models import DemandProject
from demands.services import demand_set_up
from funds.income import income_receive
from funds.models import Application, FundAccount, FundTransaction, Objection, Settlement, TransactionKind
from funds.services import account_open
from members.models import Member
from orgs.models import (
    Alert,
    ChangeProposal,
    Election,
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
from pairings.models import Pairing, PairingKind, SideKind, Visit
from people.models import CrossAppointment, PartyWorker, Recommendation, Training, TrainingAttendance
from tests.helpers.records import make_survey
from venues.models import Booking, Venue

MISSING_ID = 987654321
# URL keywords that name a record: pk, id, object_id, organization_pk, member_id, ...
ID_KEY = re.compile(r"(^|_)(pk|id)$")

# URL-name words → model, for function views (DRF views name their model).
MODEL_HINTS = [
    ("people:worker", PartyWorker),
    ("people:training", Training),
    ("people:recommendation", Recommendation),
    ("people:appointment", CrossAppointment),
    ("demand", DemandProject),
    ("alliances:member_leave", AllianceMember),
    ("alliances:problem_resolve", AllianceProblem),
    ("alliances:", Alliance),
    ("venues:booking_cancel", Booking),
    ("venues:", Venue),
    # A visit's own actions name the visit; the visit log names its pairing.
    ("visit_settle", Visit),
    ("visit_photo", Visit),
    ("pairing", Pairing),
    ("proposal", ChangeProposal),
    ("transaction", FundTransaction),
    ("objection", Objection),
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


def side_b_records(world, *, planner) -> dict:
    """One record of each scoped model on a world's side B (world.street_b,
    org_b, enterprise_b, member_b, secretary_b), by model. `planner` is the
    staff user who drew up B's rectification plan."""
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
    # Money on B's account (a transaction to reverse) and an objection
    # waiting during 公示 (to resolve).
    transaction = income_receive(
        kind=TransactionKind.DUES_REBATE, account=account, amount="500.00", by=None, memo="乙党费返还"
    )
    objection = Objection.objects.create(application=application, text="乙异议", by=world.secretary_b)
    # A pairing of street B (org B the party side, B's enterprise the target)
    # with a visit whose problem is not settled: logging, settling and
    # stopping would act on them if a scope let an outsider through.
    pairing = Pairing.objects.create(
        kind=PairingKind.DEPARTMENT_ENTERPRISE,
        side_kind=SideKind.ORGANIZATION,
        side_organization=world.org_b,
        enterprise=world.enterprise_b,
        street=world.street_b,
        starts_on=date(2025, 1, 1),
        quota_per_quarter=2,
    )
    visit = Visit.objects.create(
        pairing=pairing, visited_on=date(2025, 3, 1), findings="乙企业用工紧张", problem_found=True
    )
    Election.objects.create(
        organization=world.org_b,
        held_on=date(2025, 6, 1),
        term_start=date(2025, 6, 1),
        term_end=date(2028, 6, 1),
        secretary_name="乙书记",
    )
    # A C project of org B in the demand library, open (every write would act on it).
    demand = demand_set_up(
        by=world.secretary_b,
        level="C",
        owner=world.org_b,
        title="乙需求项目",
        proposer_kind="member",
        collected_by="forum",
        target_date=timezone.localdate(),
    )
    alliance = Alliance.objects.create(
        name="乙街道装备制造产业链党建联盟",
        chain="装备制造",
        region=world.street_b,
        lead_kind=Alliance.LeadKind.ASSOCIATION,
        lead_association="乙协会",
        lead_organization=world.org_b,
        first_secretary="乙第一书记",
        secretary_general="乙秘书长",
        founded_on=date(2026, 1, 1),
    )
    # Org B's own activity room (street B) with a live booking: booking,
    # sharing, editing and cancelling would act on them.
    venue = Venue.objects.create(
        kind=Venue.Kind.ACTIVITY_ROOM,
        name="乙党员活动室",
        owner_organization=world.org_b,
        region=world.street_b,
        address="乙街道1号",
        area=Decimal("50"),
        open_days="1234567",
    )
    booking = Booking.objects.create(
        venue=venue,
        organization=world.org_b,
        booked_on=date(2026, 6, 1),
        starts_at=time(9, 0),
        ends_at=time(10, 0),
        purpose="乙主题党日",
    )
    # Org B's secretary in the register, in the talent pool and recommended
    # to org B (pending), attending a course of street B; a 交叉任职 of org B.
    worker = PartyWorker.objects.create(
        name="乙书记",
        source=PartyWorker.Source.ELECTED,
        employment=PartyWorker.Employment.PART_TIME,
        post=PartyWorker.Post.SECRETARY,
        organization=world.org_b,
        region=world.street_b,
        in_pool=True,
    )
    training = Training.objects.create(
        title="乙街道书记培训",
        level=Training.Level.STREET,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 1),
        hours=Decimal("4"),
        organizer="乙街道非公党委",
        region=world.street_b,
    )
    TrainingAttendance.objects.create(training=training, worker=worker)
    return {
        Venue: venue.pk,
        Booking: booking.pk,
        PartyWorker: worker.pk,
        Training: training.pk,
        Recommendation: Recommendation.objects.create(
            worker=worker, organization=world.org_b, recommended_on=date(2026, 1, 1)
        ).pk,
        CrossAppointment: CrossAppointment.objects.create(
            organization=world.org_b, person="乙书记", enterprise=world.enterprise_b, body="board", title="董事"
        ).pk,
        DemandProject: demand.pk,
        Alliance: alliance.pk,
        AllianceMember: AllianceMember.objects.create(
            alliance=alliance, organization=world.org_b, joined_on=date(2026, 1, 1)
        ).pk,
        AllianceProblem: AllianceProblem.objects.create(
            alliance=alliance,
            enterprise=world.enterprise_b,
            title="乙问题",
            category="orders",
            raised_on=date(2026, 2, 1),
        ).pk,
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
                organization=world.org_b, reason="weak", title="乙整顿", created_by=planner
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
        Pairing: pairing.pk,
        Visit: visit.pk,
        FundTransaction: transaction.pk,
        Objection: objection.pk,
        Region: world.street_b.pk,
        # An account on side B: only its district's staff manage it (leaders read it).
        User: world.secretary_b.pk,
        EnterpriseSurvey: make_survey(world.enterprise_b).pk,
        ImportBatch: ImportBatch.objects.create(
            kind=ImportBatch.Kind.SURVEY,
            year=2026,
            street=world.street_b,
            district=world.street_b.parent,
            file_name="乙.xlsx",
            file_hash="0" * 64,
        ).pk,
    }


def request(client: Client, user, method: str, url: str):
    client.force_login(user)  # a page may log the client out (logout, two-factor)
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data={}, content_type="application/json")


def writes() -> int:
    return LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count()


def walk_outside(user, label: str, records: dict, *, admin: bool) -> list[str]:
    """Every URL as `user`: no page answers a server error, and every URL
    naming a record the user does not reach (a missing id, or the records
    given) answers 404 (405 for a method the endpoint lacks) and writes
    nothing. With `admin`, the admin's pages are walked too."""
    client = Client()
    failures = []
    for route in all_routes():
        if route.is_admin and not admin:
            continue
        if not route.has_id:
            url = url_for(route, None)
            if url is None:
                continue
            status = request(client, user, "get", url).status_code
            if status >= 500:
                failures.append(f"{label} GET {url} → {status}")
            continue
        model = model_of(route)
        targets = [MISSING_ID]
        if model in records:
            targets.append(records[model])
        for pk in targets:
            url = url_for(route, pk)
            if url is None:
                continue
            for method in ("get", "post", "patch"):
                if route.is_admin and method != "get":
                    continue
                before = writes()
                status = request(client, user, method, url).status_code
                # 405: the endpoint has no such method (a GET on a POST-only action).
                allowed = {404, 405}
                if route.is_admin:
                    # The admin answers a missing or unreachable record with a
                    # redirect and a message, and a model without permission with 403.
                    allowed = {302, 403, 404}
                if status not in allowed:
                    failures.append(f"{label} {method.upper()} {url} (outside scope) → {status}")
                if writes() != before:
                    failures.append(f"{label} {method.upper()} {url} (outside scope) wrote something")
    return failures


def walk_writes(user, label: str, records: dict, *, refused) -> list[str]:
    """Every write (POST, PUT, PATCH, DELETE) on the records given, as `user`,
    who reaches them and may change none: each answer passes `refused(route,
    status)` and nothing is written."""
    client = Client()
    failures = []
    for route in all_routes():
        if route.is_admin or not route.has_id:
            continue
        model = model_of(route)
        if model not in records:
            continue
        url = url_for(route, records[model])
        if url is None:
            continue
        for method in ("post", "put", "patch", "delete"):
            before = writes()
            status = request(client, user, method, url).status_code
            if status >= 500 or not refused(route, status):
                failures.append(f"{label} {method.upper()} {url} → {status}")
            if writes() != before:
                failures.append(f"{label} {method.upper()} {url} wrote something")
    return failures


def readable_routes(records: dict, *, skip=(Region, ImportBatch, User)):
    """(route, url) for every single-record page and endpoint of the records
    given, but those of the models in `skip`. Nested routes (an attachment of
    an activity) need a second record the walk does not build."""
    for route in all_routes():
        if route.is_admin or not route.has_id or route.name.endswith("reveal") or len(route.id_keys) > 1:
            continue
        model = model_of(route)
        if model not in records or model in skip:
            continue
        url = url_for(route, records[model])
        if url is not None:
            yield route, url

"""The access matrix in a city of two districts (DESIGN.md §8, issue 16).

District B's records (an enterprise, its organization, a member, an
activity, a fund account and application, an import batch, a warning, a
rating, a survey, an instructor assignment, an election...) answer 404 on
every URL to district A's staff, street staff, secretaries and leaders, and
none of B's names reaches them through a list, an export or an API. The
city's staff read every record of B (200) and change none. The walk is
tests/helpers/matrix.py, the same as the one-district matrix's.
"""

import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliances.models import AllianceMember
from funds.models import FundTransaction, Objection
from orgs.models import ImportBatch, RectificationStep, Region, Role, User
from pages.dashboard_views import EXPORTS
from pairings.models import Visit
from people.models import CrossAppointment, Recommendation
from stats.coverage import ENTERPRISE_SETS, coverage_compute
from stats.drilldown import RECORD_SETS
from tests.factories import EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory, grant
from tests.helpers.matrix import (
    all_routes,
    model_of,
    readable_routes,
    request,
    side_b_records,
    url_for,
    walk_outside,
    walk_writes,
    writes,
)
from venues.models import Booking

# Records whose only URLs are POST actions (reverse, resolve, mark done, settle).
POST_ONLY = {
    RectificationStep,
    FundTransaction,
    Objection,
    Visit,
    AllianceMember,
    Booking,
    Recommendation,
    CrossAppointment,
}
A_ROLES = ["district_a", "street_a1_staff", "secretary_a", "leader_a"]


@dataclass
class CityWorld:
    city: Region
    district_a_region: Region
    district_b_region: Region
    street_a: Region  # A1
    street_a2: Region
    street_b: Region  # B1
    enterprise_a: object
    enterprise_b: object
    org_a: object
    org_b: object
    member_a: object
    member_b: object
    district_a: User
    street_a1_staff: User
    secretary_a: User
    leader_a: User
    city_user: User
    district_b: User
    secretary_b: User


@pytest.fixture
def city_world(db) -> CityWorld:
    city = Region.objects.create(name="测试市", kind=Region.Kind.CITY)
    a = Region.objects.create(name="甲区", kind=Region.Kind.DISTRICT, parent=city)
    b = Region.objects.create(name="乙区", kind=Region.Kind.DISTRICT, parent=city)
    a1 = Region.objects.create(name="甲一街道", kind=Region.Kind.STREET, parent=a)
    a2 = Region.objects.create(name="甲二街道", kind=Region.Kind.STREET, parent=a)
    b1 = Region.objects.create(name="乙一街道", kind=Region.Kind.STREET, parent=b)
    ent_a = EnterpriseFactory(street=a1, name="甲区企业有限公司")
    ent_b = EnterpriseFactory(street=b1, name="乙区企业有限公司")
    org_a = OrganizationFactory(street=a1, name="中共甲区企业支部委员会", enterprises=[ent_a])
    org_b = OrganizationFactory(street=b1, name="中共乙区企业支部委员会", enterprises=[ent_b])
    return CityWorld(
        city=city,
        district_a_region=a,
        district_b_region=b,
        street_a=a1,
        street_a2=a2,
        street_b=b1,
        enterprise_a=ent_a,
        enterprise_b=ent_b,
        org_a=org_a,
        org_b=org_b,
        member_a=MemberFactory(organization=org_a, enterprise=ent_a, name="张甲区"),
        member_b=MemberFactory(organization=org_b, enterprise=ent_b, name="李乙区"),
        district_a=grant(UserFactory(username="district_a", display_name="甲区干部"), Role.DISTRICT, region=a),
        street_a1_staff=grant(UserFactory(username="street_a1", display_name="甲一干部"), Role.STREET, region=a1),
        secretary_a=grant(UserFactory(username="secretary_a"), Role.SECRETARY, organization=org_a),
        leader_a=grant(UserFactory(username="leader_a", display_name="甲区领导"), Role.LEADER, region=a),
        city_user=grant(UserFactory(username="city", display_name="市工委干部"), Role.CITY, region=city),
        district_b=grant(UserFactory(username="district_b", display_name="乙区干部"), Role.DISTRICT, region=b),
        secretary_b=grant(
            UserFactory(username="secretary_b", display_name="乙区书记"), Role.SECRETARY, organization=org_b
        ),
    )


@pytest.fixture
def district_b(city_world):
    """One record of each scoped model in district B."""
    return side_b_records(city_world, planner=city_world.district_b)


@pytest.mark.parametrize("role", A_ROLES)
def test_district_b_answers_404_to_district_a(city_world, district_b, role):
    user = getattr(city_world, role)
    if role == "district_a":
        user.is_staff = True  # district staff use the admin
        user.save(update_fields=["is_staff"])
    # B's street and B's secretary are records of B like any other.
    failures = walk_outside(user, role, district_b, admin=role == "district_a")
    assert not failures, "\n".join(failures)


# What the city's staff get on B's records other than the page (200, or 405
# for a POST-only action): the forms that change a record (403), and an
# import batch, which is the workspace of the district's and streets' staff
# who import (policy.may_use_survey_import; leaders do not open it either).
CITY_ANSWERS = {
    **dict.fromkeys(
        [
            "orgs:enterprise_edit",
            "orgs:organization_edit",
            "orgs:organization_dissolve",
            "orgs:organization_merge",
            "orgs:organization_election",
            "orgs:enterprise_propose",  # only an organization's secretary proposes
            "orgs:organization_propose",
            "members:edit",
            "members:transfer_targets",
            "activities:edit",
            "funds:application_create",
            "funds:application_resubmit",
            "funds:application_settle",
            "pairings:visit_log",  # the pairing's party side and its street's staff log visits
            "venues:edit",  # the venue's street or district staff, its owner's secretary
            "venues:book",  # who books for an organization
            "people:worker_edit",  # a worker's region's staff or its organization's secretary
        ],
        403,
    ),
    **dict.fromkeys(["orgs:survey_batch", "orgs:survey_batch_progress", "orgs:survey_batch_report"], 404),
}


def test_city_user_reads_every_record_of_district_b(city_world, district_b):
    client = Client()
    answers = {}
    for route, url in readable_routes(district_b, skip=()):
        answers[route.name] = (url, request(client, city_world.city_user, "get", url).status_code)
    wrong = {
        name: (url, status)
        for name, (url, status) in answers.items()
        if status not in (CITY_ANSWERS.get(name, 200), 405)
    }
    assert not wrong, "\n".join(f"{n} {u} → {st}" for n, (u, st) in wrong.items())
    # The walk read pages, not only refusals: every model of B with a page
    # was opened (a step, a transaction, an objection, a visit and an alliance
    # member have only POST actions; the last two show on their parent's page).
    opened = {model_of(r) for r in all_routes() if answers.get(r.name, ("", 0))[1] == 200}
    assert set(district_b) - {ImportBatch, *POST_ONLY} <= opened, set(district_b) - opened


def _snapshot(records: dict) -> dict:
    rows = {}
    for model, pk in records.items():
        row = model_to_dict(model.objects.get(pk=pk))
        rows[model.__name__] = {k: v for k, v in row.items() if k not in ("last_login",)}
    return rows


def test_city_user_changes_no_record_of_district_b(city_world, district_b):
    # Accounts are the exception: the city's staff manage the accounts of
    # their city (policy.may_grant, tests/orgs/test_city_scope.py).
    records = {model: pk for model, pk in district_b.items() if model is not User}
    before = _snapshot(records)
    # A page that takes no write answers a POST as a GET (200) or sends the
    # user back with a message (302); the API refuses it.
    failures = walk_writes(
        city_world.city_user,
        "city",
        records,
        refused=lambda route, status: status in (403, 404, 405) if route.is_api else status < 500,
    )
    assert not failures, "\n".join(failures)
    assert _snapshot(records) == before


def _text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # an .xlsx
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
        )
    return body.decode("utf-8", errors="replace")


def _list_urls() -> list[str]:
    """Every page, export and endpoint naming no record, with each export's
    tables and figures spelled out."""
    urls = []
    for route in all_routes():
        if route.is_admin or route.has_id or route.name in ("logout", "api-logout", "set_language"):
            continue
        if route.name == "orgs:dashboard_export":
            urls += [reverse(route.name, args=[table]) for table in EXPORTS]
        elif route.name == "orgs:dashboard_list":
            urls += [reverse(route.name, args=["stars"]) + f"?stars={n}" for n in (1, 2, 3, 4, 5)]
            urls.append(reverse(route.name, args=["alerts"]))
        elif route.name in ("orgs:stats_drilldown", "orgs:stats_drilldown_export"):
            urls += [reverse(route.name, args=[figure]) for figure in [*ENTERPRISE_SETS, *RECORD_SETS]]
        elif (url := url_for(route, None)) is not None:
            urls.append(url)
    return urls


def _names_of_b(w: CityWorld) -> list[str]:
    return [
        "乙区",
        w.street_b.name,
        w.enterprise_b.name,
        w.org_b.name,
        w.member_b.name,
        w.secretary_b.display_name,
        w.district_b.display_name,
        "乙主题党日",
        "乙整顿",
        "乙书记",
    ]


@pytest.mark.parametrize("role", A_ROLES)
def test_no_list_or_export_shows_district_b_to_district_a(city_world, district_b, role):
    ImportBatch.objects.create(
        kind=ImportBatch.Kind.SURVEY,
        year=2026,
        district=city_world.district_b_region,
        file_name="乙区名册.xlsx",
        file_hash="1" * 64,
    )
    coverage_compute(on=timezone.localdate())
    w = city_world
    names = _names_of_b(w)
    client = Client()
    user = getattr(w, role)
    leaks = []
    # Each list also as asked for B's street, district or organization by id
    # (a filter is no way round the scope: an empty list or 404).
    ask_for_b = f"street={w.street_b.pk}&district={w.district_b_region.pk}&organization={w.org_b.pk}"
    for url in _list_urls():
        for asked in (url, f"{url}{'&' if '?' in url else '?'}{ask_for_b}"):
            response = request(client, user, "get", asked)
            assert response.status_code < 500, f"{role} GET {asked} → {response.status_code}"
            text = _text_of(response)
            leaks += [f"{role} GET {asked} shows {name}" for name in names if name in text]
    assert not leaks, "\n".join(leaks)


def test_the_city_user_lists_district_b(city_world, district_b):
    """The other side of the walk above: the same lists and exports name
    B's records to the city's staff, so their absence for A is the scope's doing."""
    w = city_world
    client = Client()
    shown = {
        "orgs:enterprise_export": w.enterprise_b.name,
        "orgs:organization_export": w.org_b.name,
        "orgs:warning_export": w.org_b.name,
        "members:export": w.member_b.name,
        "activities:export": "乙主题党日",
        "orgs:enterprise_list": w.enterprise_b.name,
        "funds:account_list": w.org_b.name,
        "api-member-list": w.member_b.name,
        "pairings:list": w.enterprise_b.name,
        "api-pairing-list": w.enterprise_b.name,
    }
    for name, text in shown.items():
        response = request(client, w.city_user, "get", reverse(name))
        assert response.status_code == 200, name
        assert text in _text_of(response), name


def test_city_user_creates_nothing_in_district_b(city_world, district_b):
    """Every form and endpoint that creates a record, posted by the city's
    staff naming district B's street, organization and enterprise: refused,
    nothing written. (Accounts aside: see above.)"""
    w = city_world
    data = {
        "street": w.street_b.pk,
        "organization": w.org_b.pk,
        "enterprise": w.enterprise_b.pk,
        "name": "乙区新企业有限公司",
        "topic": "乙区新活动",
        "held_on": "2026-03-01",
        "activity_type": "theme_day",
    }
    client = Client()
    failures = []
    for route in all_routes():
        if route.is_admin or route.has_id or model_of(route) is User or "user" in route.name:
            continue
        url = url_for(route, None)
        if url is None or route.name in (
            "logout",
            "api-logout",
            "set_language",
            "login",
            "api-token",
            "api-token-refresh",
        ):
            continue
        before = writes()
        client.force_login(w.city_user)
        status = client.post(url, data=data).status_code
        if status >= 500 or (route.is_api and status not in (400, 403, 404, 405)):
            failures.append(f"city POST {url} → {status}")
        if writes() != before:
            failures.append(f"city POST {url} wrote something")
    assert not failures, "\n".join(failures)


def test_city_user_files_no_activity_or_application_for_district_b(city_world, district_b, api):
    """The two endpoints above that answer 400: a complete, valid body is
    refused too (the organization is not one the city files for; only its
    secretary applies), and B's own secretary files the same activity."""
    from activities.models import Activity
    from funds.models import Application

    w = city_world
    activity = {"organization": w.org_b.pk, "type": "theme_day", "held_on": "2026-03-01", "topic": "乙区新活动"}
    application = {
        "organization": w.org_b.pk,
        "activity": "乙区新项目",
        "activity_date": "2026-03-01",
        "participants": 3,
        "amount": "10.00",
        "budget_lines": [{"item": "资料", "amount": "10.00"}],
    }
    before = (Activity.objects.count(), Application.objects.count())
    refused = api(w.city_user).post("/api/v1/activities/", activity, format="json")
    assert refused.status_code == 400 and "organization" in refused.json()
    refused = api(w.city_user).post("/api/v1/fund-applications/", application, format="json")
    assert refused.status_code in (400, 403) and "书记" in refused.content.decode()
    assert (Activity.objects.count(), Application.objects.count()) == before
    assert api(w.secretary_b).post("/api/v1/activities/", activity, format="json").status_code == 201

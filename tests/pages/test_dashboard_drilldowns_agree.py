"""Every number on the dashboard links to a list whose count is that number,
under the same filters and date: the cards and every cell of the street (or
park) table, for the district and a street, with a park, an industry, 规上
and an earlier date. The figures come from the nightly statistics' own run."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import EnterpriseSurvey, FormationMode, InstructorAssignment, PartyOrganization, Region
from orgs.reference import ensure_reference_data
from stats.coverage import coverage_compute

from ..factories import AlertFactory, EnterpriseFactory, MemberFactory, OrganizationFactory, RatingFactory

DASH = reverse("orgs:dashboard")
ON = timezone.localdate() - timedelta(days=1)
EARLIER = ON - timedelta(days=45)
SURVEYED = ON - timedelta(days=200)

CARD = re.compile(
    r'<a class="kpi" href="([^"]+)" data-figure="(\w+)">\s*<span class="kpi-label">[^<]*</span>\s*'
    r'<span class="kpi-value">([^<]+)</span>'
)
CELL = re.compile(r'<a href="([^"]+)" data-figure="(\w+)">([^<]+)</a>')


def survey(enterprise, **facts):
    values = {f: getattr(enterprise, f) for f in EnterpriseSurvey.fact_field_names()}
    values.update(status="operating", **facts)
    return EnterpriseSurvey.objects.create(
        enterprise=enterprise, year=SURVEYED.year, survey_date=values.pop("survey_date", SURVEYED), **values
    )


@pytest.fixture
def district(world):
    """Two streets, a park, two industries, 规上 and not; organizations that
    cover enterprises in both streets, one that covers none, one dissolved,
    one founded between the two dates; members formal and probationary."""
    ensure_reference_data()
    a, b = world.street_a, world.street_b
    park = Region.objects.create(name="甲园区", kind=Region.Kind.PARK, parent=a)
    made = []
    for n in range(14):
        street = a if n % 3 else b
        e = EnterpriseFactory(
            street=street,
            park=park if street == a and n % 2 else None,
            industry_id="C" if n % 4 else "F",
            above_scale=n % 5 in (0, 1),
            name=f"核对企业{n}",
            members_total=n % 6,
            members_formal=max(n % 6 - 1, 0),
            members_probationary=1 if n % 6 else 0,
            # 群团: a union in most, its member count reported in some; a league in a few.
            union_established=n % 3 != 1,
            union_members=None if n % 3 == 1 or n % 4 == 0 else 5 + n % 7,
            league_established=n % 5 == 2,
            league_members=n % 4 if n % 2 else None,
        )
        survey(e)
        made.append(e)
    for e in (world.enterprise_a, world.enterprise_b):
        survey(e)
    # A joint organization registered in street A covering enterprises of both streets.
    OrganizationFactory(street=a, formation_mode=FormationMode.JOINT, enterprises=[made[1], made[3], made[0]])
    OrganizationFactory(street=a, formation_mode=FormationMode.OWN, enterprises=[made[2]])
    OrganizationFactory(street=b, formation_mode=FormationMode.OWN, enterprises=[made[6]])
    OrganizationFactory(street=a, name="无企业党组织")  # covers nothing: not counted
    OrganizationFactory(street=b, enterprises=[made[9]], dissolved_on=EARLIER)
    OrganizationFactory(street=a, enterprises=[made[4], made[5]], founded_on=ON - timedelta(days=10))
    InstructorAssignment.objects.create(enterprise=made[7], start_on=SURVEYED)
    for i, e in enumerate(made[:8]):
        org = e.organizations.first() or world.org_a
        MemberFactory(organization=org, enterprise=e, name=f"核对党员{i}")
    MemberFactory(organization=world.org_a, enterprise=made[1], stage="probationary", name="预备甲")
    # Ratings and warnings behind the star chart's and the warnings panel's numbers.
    for i, org in enumerate(PartyOrganization.objects.order_by("pk")):
        RatingFactory(organization=org, computed_stars=1 + i % 5, computed_on=EARLIER, published_on=EARLIER)
    for e in made[8:12]:
        AlertFactory(street=e.street, enterprise=e, level="red" if e.pk % 2 else "yellow", opened_on=EARLIER)
    AlertFactory(street=a, organization=world.org_a, level="blue", opened_on=EARLIER)
    coverage_compute(on=EARLIER)
    coverage_compute(on=ON)
    return {"park": park}


def numbers(html: str):
    for pattern in (CARD, CELL):
        for href, figure, shown in pattern.findall(html):
            yield unescape(href), figure, unescape(shown).strip()


def listed(client, href: str) -> tuple[int, str]:
    response = client.get(href)
    assert response.status_code == 200, href
    html = response.content.decode()
    total = int(re.search(r'data-testid="total">(\d+)<', html).group(1))
    rate = re.search(r'data-testid="rate">([^<]+)<', html)
    return total, rate.group(1) if rate else ""


RATES = (
    "org_coverage",
    "work_coverage",
    "own_org_rate",
    "org_covered",
    "work_covered",
    "own_org",
    "union_rate",
    "union_membership_rate",
    "league_rate",
    "union_established",
    "union_membership",
    "league_established",
)


def check_every_number(client, params: dict, page: str = DASH) -> int:
    html = client.get(page, params).content.decode()
    checked = 0
    for href, figure, shown in numbers(html):
        total, rate = listed(client, href)
        if figure in RATES:
            assert rate == shown, (params, figure, href)
        else:
            assert total == int(shown.replace(",", "")), (params, figure, href, shown)
        checked += 1
    return checked


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"street": "a"},
        {"street": "b"},
        {"street": "a", "park": "park"},
        {"industry": "C"},
        {"industry": "F", "above_scale": "1"},
        {"above_scale": "1"},
        {"street": "a", "above_scale": "1"},
        {"date": "earlier"},
        {"street": "a", "date": "earlier"},
        {"industry": "C", "date": "earlier"},
    ],
)
def test_every_dashboard_number_equals_its_drilldown_count(world, district, login, filters):
    params = {}
    for key, value in filters.items():
        if key == "street":
            params[key] = (world.street_a if value == "a" else world.street_b).pk
        elif key == "park":
            params[key] = district["park"].pk
        elif key == "date":
            params[key] = EARLIER.isoformat()
        else:
            params[key] = value
    checked = check_every_number(login(world.district), params)
    assert checked >= 7 + 6 + 3  # the cards, the star chart's bars, the warning levels at least


def test_street_staff_numbers_equal_their_drilldowns(world, district, login):
    assert check_every_number(login(world.street_a_staff), {}) >= 7
    assert check_every_number(login(world.street_a_staff), {"park": district["park"].pk, "above_scale": "1"}) >= 7


@pytest.mark.parametrize("params", [{}, {"above_scale": "1"}, {"industry": "C"}, {"street": "a"}])
def test_every_bulletin_number_equals_its_drilldown_count(world, district, login, params):
    if "street" in params:
        params = {"street": world.street_a.pk}
    params = {**params, "month": ON.strftime("%Y-%m")}
    assert check_every_number(login(world.district), params, reverse("orgs:bulletin")) >= 7


@pytest.mark.parametrize("params", [{}, {"above_scale": "1"}, {"date": "earlier"}])
def test_every_coverage_page_number_equals_its_drilldown_count(world, district, login, params):
    if "date" in params:
        params = {"date": EARLIER.isoformat()}
    html = login(world.district).get(reverse("orgs:stats_coverage"), params).content.decode()
    assert "全区" in html
    # The date box shows the date the figures are for, also when none was asked for.
    assert f'name="date" value="{EARLIER.isoformat() if "date" in params else ON.isoformat()}"' in html
    assert check_every_number(login(world.district), params, reverse("orgs:stats_coverage")) == 3 * 9

"""Every figure recomputed from its source rows: the pool (Shahekou), the
training cycle's share of secretaries trained (Wuxi), 交叉任职 and the
share of managers who are party members."""

from datetime import date

from django.utils import timezone

from orgs.models import PartyOrganization
from people import services
from people.models import CrossAppointment, ManagerCount, PartyWorker, Recommendation, TrainingAttendance
from people.selectors import (
    manager_share,
    people_figures,
    secretaries_trained_by_region,
    secretaries_trained_share,
    training_cycle,
)


def test_cycle_windows_are_three_calendar_years_from_2024():
    assert training_cycle(date(2024, 1, 1)).label == "2024—2026"
    assert training_cycle(date(2026, 12, 31)).end == date(2026, 12, 31)
    assert training_cycle(date(2027, 1, 1)).start == date(2027, 1, 1)
    assert training_cycle(date(2030, 6, 1)).label == "2030—2032"
    assert training_cycle(date(2023, 6, 1)).label == "2021—2023"


def test_secretaries_trained_share_recomputed(world, staff):
    on = date(2026, 6, 1)
    share = secretaries_trained_share(organizations=PartyOrganization.objects.all(), on=on)
    # By hand: organizations with a secretary named, whose register secretary
    # attended a course ending inside the cycle by the day.
    cycle = training_cycle(on)
    named = [o for o in PartyOrganization.objects.all() if o.secretary_name.strip()]
    trained = [
        o
        for o in named
        if TrainingAttendance.objects.filter(
            worker__organization=o,
            worker__post="secretary",
            training__ends_on__gte=cycle.start,
            training__ends_on__lte=on,
        ).exists()
    ]
    assert (share.part, share.whole) == (len(trained), len(named)) == (1, 2)
    assert share.percent == "50.0%"
    # The next cycle starts over.
    assert secretaries_trained_share(organizations=PartyOrganization.objects.all(), on=date(2027, 1, 2)).part == 0
    # Per street: 甲 trained, 乙 not.
    rows = {r.region.pk: r.share for r in secretaries_trained_by_region(user=world.district, on=on)}
    assert (rows[world.street_a.pk].part, rows[world.street_a.pk].whole) == (1, 1)
    assert (rows[world.street_b.pk].part, rows[world.street_b.pk].whole) == (0, 1)
    district = rows[world.street_a.parent_id]
    assert (district.part, district.whole) == (1, 2)


def test_people_figures_recomputed(world, staff):
    today = timezone.localdate()
    services.worker_recommend(by=world.district, worker=staff.pool_a, organization=world.org_a, recommended_on=today)
    rec = services.worker_recommend(
        by=world.district, worker=staff.pool_b, organization=world.org_b, recommended_on=today
    )
    services.recommendation_decide(by=world.district, recommendation=rec, outcome="accepted", outcome_on=today)
    services.manager_count_set(by=world.district, organization=world.org_a, managers=10, party_members=8, as_of=today)
    services.manager_count_set(by=world.district, organization=world.org_b, managers=5, party_members=1, as_of=today)
    CrossAppointment.objects.create(
        organization=world.org_a, person="王甲书记", enterprise=world.enterprise_a, body="board", title="董事"
    )
    figures = people_figures(user=world.district, region=None, on=today)
    assert figures.workers == PartyWorker.objects.count() == 4
    assert figures.in_pool == PartyWorker.objects.filter(in_pool=True).count() == 1
    assert figures.recommended == Recommendation.objects.values("worker").distinct().count() == 2
    assert figures.accepted == Recommendation.objects.filter(outcome="accepted").count() == 1
    orgs = PartyOrganization.objects.filter(dissolved_on__isnull=True)
    with_cross = orgs.filter(cross_appointments__isnull=False).distinct().count()
    assert (figures.cross_appointed.part, figures.cross_appointed.whole) == (with_cross, orgs.count())
    managers = sum(c.managers for c in ManagerCount.objects.all())
    members = sum(c.party_members for c in ManagerCount.objects.all())
    assert (figures.managers.part, figures.managers.whole) == (members, managers) == (9, 15)
    # A street's staff see their street's figures only.
    street = people_figures(user=world.street_a_staff, region=None, on=today)
    assert street.workers == 2 and street.managers.whole == 10
    # The secretary sees their own organization's.
    own = people_figures(user=world.secretary_a, region=None, on=today)
    assert own.workers == 1 and own.cross_appointed.whole == 1


def test_manager_share_adds_the_entered_values_to_the_survey_sums():
    share = manager_share(entered={1: (10, 8)}, surveyed=(5, 5))
    assert (share.part, share.whole) == (13, 15)
    assert manager_share(entered={}).rate is None


def test_survey_manager_counts_fill_in_where_nothing_is_entered(world):
    """管理人员数 / 其中党员数 from the survey count for an organization with no
    entered values; an enterprise that reported only one of them is left out."""
    from orgs.models import Enterprise

    today = timezone.localdate()
    assert world.enterprise_a in world.org_a.enterprises.all()
    Enterprise.objects.filter(pk=world.enterprise_a.pk).update(managers=6, managers_party_members=2)
    Enterprise.objects.filter(pk=world.enterprise_b.pk).update(managers=4, managers_party_members=None)
    services.manager_count_set(by=world.district, organization=world.org_b, managers=5, party_members=1, as_of=today)
    figures = people_figures(user=world.district, region=None, on=today)
    assert (figures.managers.part, figures.managers.whole) == (2 + 1, 6 + 5)
    # Entered values win over the survey's for the same organization.
    services.manager_count_set(by=world.district, organization=world.org_a, managers=10, party_members=8, as_of=today)
    figures = people_figures(user=world.district, region=None, on=today)
    assert (figures.managers.part, figures.managers.whole) == (8 + 1, 10 + 5)


def test_an_enterprise_under_two_organizations_counts_once(world):
    """The survey's 管理人员数 of an enterprise linked to two organizations
    (its own and a joint one) is one firm's managers, not twice; an
    organization with entered values covers its enterprises."""
    from orgs.models import Enterprise

    today = timezone.localdate()
    Enterprise.objects.filter(pk=world.enterprise_a.pk).update(managers=6, managers_party_members=2)
    Enterprise.objects.filter(pk=world.enterprise_b.pk).update(managers=None, managers_party_members=None)
    world.org_b.enterprises.add(world.enterprise_a)
    linked = PartyOrganization.enterprises.through.objects.filter(enterprise=world.enterprise_a).count()
    assert linked >= 2
    figures = people_figures(user=world.district, region=None, on=today)
    reported = Enterprise.objects.filter(managers__isnull=False, managers_party_members__isnull=False)
    assert (
        (figures.managers.part, figures.managers.whole)
        == (2, 6)
        == (
            sum(e.managers_party_members for e in reported),
            sum(e.managers for e in reported),
        )
    )
    # Entered values for org_b cover enterprise_a: the survey's figure is not added on top.
    services.manager_count_set(by=world.district, organization=world.org_b, managers=5, party_members=1, as_of=today)
    figures = people_figures(user=world.district, region=None, on=today)
    assert (figures.managers.part, figures.managers.whole) == (1, 5)

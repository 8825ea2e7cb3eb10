from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from activities.models import Activity, ActivityStep
from activities.selectors import review_queue
from funds.models import FundAccount, FundEntry
from members.models import Member, Stage
from orgs.models import Enterprise, FormationMode, PartyOrganization, Role, RoleGrant, User


def _fingerprint():
    return (
        list(Enterprise.objects.order_by("credit_code").values_list("credit_code", "name", "members_total")[:50]),
        list(PartyOrganization.objects.order_by("name").values_list("name", "formation_mode")[:50]),
        Member.objects.count(),
        Activity.objects.count(),
    )


@pytest.mark.django_db
def test_seed_builds_a_realistic_district_with_demo_users(capsys):
    call_command("seed_demo", "--enterprises", "300", "--seed", "7", "--as-of", "2026-11-20")
    out = capsys.readouterr().out
    for username in ("district", "street", "secretary", "secretary2", "instructor", "leader"):
        assert username in out
        assert User.objects.filter(username=username).exists()
    # The demo's staff work in the pages: none of them lands in an empty admin.
    assert not User.objects.filter(is_staff=True).exists()
    assert Enterprise.objects.count() == 300
    # Most small firms have no member; some have many.
    no_member = Enterprise.objects.filter(members_total=0).count()
    assert 0.35 * 300 < no_member < 0.85 * 300
    assert Enterprise.objects.filter(members_total__gte=10).exists()
    assert set(PartyOrganization.objects.values_list("formation_mode", flat=True)) >= {
        FormationMode.OWN,
        FormationMode.JOINT,
    }
    assert (
        PartyOrganization.objects.filter(parent__isnull=False).exists()
        or not PartyOrganization.objects.filter(org_type__in=["committee", "general_branch"]).exists()
    )
    assert set(Member.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Activity.objects.filter(held_on__gte=date(2025, 12, 1)).exists()
    assert FundEntry.objects.exists()
    assert all(a.balance >= 0 for a in FundAccount.objects.exclude(kind__startswith="external"))
    secretaries = RoleGrant.objects.filter(role=Role.SECRETARY, user__username__in=["secretary", "secretary2"])
    assert secretaries.values("organization__street").distinct().count() == 2
    _pending_records_wait_from_their_submission()


def _pending_records_wait_from_their_submission():
    """Every record that went through submission says when (the queue sorts
    on it, 超过7天未审核 counts with it); the demo secretary's records name
    who filed, submitted and decided them, never one person for both."""
    assert not Activity.objects.exclude(status=Activity.Status.DRAFT).filter(submitted_at__isnull=True).exists()
    as_of = timezone.make_aware(datetime.combine(date(2026, 11, 20), time(23, 59)))
    pending = Activity.objects.filter(status=Activity.Status.SUBMITTED)
    assert pending.filter(submitted_at__lt=as_of - timedelta(days=7)).exists()
    assert pending.filter(submitted_at__gte=as_of - timedelta(days=7)).exists()
    assert all(a.held_on <= timezone.localdate(a.submitted_at) <= as_of.date() for a in pending)
    street = User.objects.get(username="street")
    queue = list(review_queue(user=street))
    assert queue and [a.submitted_at for a in queue] == sorted(a.submitted_at for a in queue)
    secretary = User.objects.get(username="secretary")
    own = Activity.objects.filter(organization__role_grants__user=secretary)
    assert own.exists() and not own.exclude(created_by=secretary).exists()
    assert not own.exclude(status=Activity.Status.DRAFT).exclude(submitted_by=secretary).exists()
    decided = Activity.objects.filter(reviewed_by__isnull=False)
    assert decided.exists() and not decided.filter(reviewed_by=F("submitted_by")).exists()
    assert not decided.filter(reviewed_by=F("created_by")).exists()
    steps = ActivityStep.objects.filter(activity__in=own)
    assert steps.filter(action=ActivityStep.Action.SUBMITTED, by=secretary).exists()


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_data():
    call_command("seed_demo", "--enterprises", "120", "--seed", "3", "--as-of", "2026-11-20")
    first = _fingerprint()
    call_command("flush", "--noinput")
    call_command("seed_demo", "--enterprises", "120", "--seed", "3", "--as-of", "2026-11-20")
    assert _fingerprint() == first


@pytest.mark.django_db
def test_refuses_a_database_that_is_not_empty():
    from django.core.management.base import CommandError

    call_command("seed_demo", "--enterprises", "60", "--as-of", "2026-11-20")
    with pytest.raises(CommandError, match="空数据库"):
        call_command("seed_demo", "--enterprises", "60", "--as-of", "2026-11-20")


@pytest.mark.django_db
def test_if_empty_leaves_existing_data_alone(capsys):
    call_command("seed_demo", "--enterprises", "60", "--as-of", "2026-11-20")
    before = Enterprise.objects.count()
    call_command("seed_demo", "--if-empty", "--enterprises", "60", "--as-of", "2026-11-20")
    assert Enterprise.objects.count() == before
    assert "未重新生成" in capsys.readouterr().out


@pytest.mark.django_db
def test_every_seeded_person_keeps_the_member_rules():
    """Gender and birth date as the ID number states them, 18 or older when
    applying, a year as activist, a year of probation: the demo shows only
    people the roster itself would accept."""
    from members.rules import member_rule_errors

    call_command("seed_demo", "--enterprises", "150", "--seed", "11", "--as-of", "2026-11-20")
    members = list(Member.objects.all())
    assert len(members) > 100
    assert set(Member.objects.values_list("gender", flat=True)) == set(Member.Gender.values)
    broken = {m.pk: member_rule_errors(m) for m in members if member_rule_errors(m)}
    assert broken == {}
    assert all(m.birth_date is not None for m in members)


@pytest.mark.django_db
def test_seed_builds_a_city_of_districts_with_their_own_staff(capsys, client):
    """`--districts 2`: a city over two districts with streets of their own;
    `district` holds the first district, `district2` the second, `city` the
    city; district2 reaches nothing of the first district."""
    from orgs.models import Region

    call_command("seed_demo", "--enterprises", "240", "--districts", "2", "--seed", "5", "--as-of", "2026-11-20")
    out = capsys.readouterr().out
    for username in ("district", "district2", "city", "street", "secretary", "secretary2", "instructor", "leader"):
        assert username in out
    city = Region.objects.get(kind=Region.Kind.CITY, parent__isnull=True)
    first, second = Region.objects.filter(kind=Region.Kind.DISTRICT, parent=city).order_by("pk")
    streets_of = {
        d.pk: set(d.children.filter(kind=Region.Kind.STREET).values_list("name", flat=True)) for d in (first, second)
    }
    assert streets_of[first.pk] and streets_of[second.pk] and not streets_of[first.pk] & streets_of[second.pk]
    assert Enterprise.objects.filter(street__parent=first).count() == 120
    assert Enterprise.objects.filter(street__parent=second).count() == 120

    def grants(username):
        return set(RoleGrant.objects.filter(user__username=username).values_list("role", "region"))

    assert grants("city") == {(Role.CITY, city.pk)}
    assert grants("district") == {(Role.DISTRICT, first.pk)}
    assert grants("district2") == {(Role.DISTRICT, second.pk)}
    assert grants("leader") == {(Role.LEADER, first.pk)}

    mine = Enterprise.objects.filter(street__parent=second).first()
    theirs = Enterprise.objects.filter(street__parent=first).first()
    client.force_login(User.objects.get(username="district2"))
    assert client.get(f"/api/v1/enterprises/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/enterprises/{theirs.pk}/").status_code == 404
    names = {row["credit_code"] for row in client.get("/api/v1/enterprises/?page_size=500").json()["results"]}
    assert theirs.credit_code not in names and mine.credit_code in names
    client.force_login(User.objects.get(username="district"))
    assert client.get(f"/api/v1/enterprises/{mine.pk}/").status_code == 404
    client.force_login(User.objects.get(username="city"))
    assert client.get(f"/api/v1/enterprises/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/enterprises/{theirs.pk}/").status_code == 200


@pytest.mark.django_db
def test_districts_out_of_range_are_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--districts"):
        call_command("seed_demo", "--enterprises", "600", "--districts", "11", "--as-of", "2026-11-20")
    with pytest.raises(CommandError, match="每个区县至少 50"):
        call_command("seed_demo", "--enterprises", "60", "--districts", "2", "--as-of", "2026-11-20")
    assert not Enterprise.objects.exists()

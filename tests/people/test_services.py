"""The register, the pool, training and 交叉任职: what each service accepts
and what it refuses (in Chinese, naming the field, nothing written)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import ApplicationError
from orgs.models import Election
from people import services
from people.models import CrossAppointment, ManagerCount, PartyWorker, Recommendation, TrainingAttendance
from tests.factories import EnterpriseFactory


def _refused(field: str, call, *, count_of) -> str:
    before = count_of()
    with pytest.raises(ApplicationError) as exc:
        call()
    assert field in exc.value.error_dict, exc.value
    assert count_of() == before
    return " ".join(exc.value.messages)


def test_phone_is_encrypted_and_shown_masked(world, staff):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM people_partyworker WHERE id = %s", [staff.secretary_a.pk])
        stored = cursor.fetchone()[0]
    assert "13812345678" not in stored
    staff.secretary_a.refresh_from_db()
    assert staff.secretary_a.phone == "13812345678"
    assert staff.secretary_a.phone_masked == "138****5678"


def test_register_refusals(world, staff):
    count = PartyWorker.objects.count
    base = {"by": world.street_a_staff, "source": "elected", "employment": "part_time"}
    message = _refused(
        "organization",
        lambda: services.worker_register(**base, name="无组织书记", post="secretary", region=world.street_a),
        count_of=count,
    )
    assert "党组织书记须选择" in message
    message = _refused(
        "post",
        lambda: services.worker_register(**base, name="第二书记", post="secretary", organization=world.org_a),
        count_of=count,
    )
    assert "已登记书记" in message
    message = _refused(
        "phone",
        lambda: services.worker_register(**base, name="电话错", region=world.street_a, phone="12345"),
        count_of=count,
    )
    assert "联系电话" in message
    _refused("name", lambda: services.worker_register(**base, name="  ", region=world.street_a), count_of=count)
    _refused(
        "source",
        lambda: services.worker_register(
            by=world.street_a_staff, name="甲", source="x", employment="part_time", region=world.street_a
        ),
        count_of=count,
    )


def test_outsiders_may_not_register_or_edit(world, staff):
    with pytest.raises(PermissionDenied):
        services.worker_register(
            by=world.secretary_b, name="越权", source="elected", employment="part_time", organization=world.org_a
        )
    with pytest.raises(PermissionDenied):
        services.worker_register(
            by=world.street_a_staff, name="越权", source="elected", employment="part_time", region=world.street_b
        )
    # A secretary keeps their own organization's workers.
    own = services.worker_register(
        by=world.secretary_a,
        name="甲专职党务",
        source="hired",
        employment="full_time",
        organization=world.org_a,
        post="full_time_worker",
    )
    assert own.region_id == world.street_a.pk
    with pytest.raises(PermissionDenied):
        services.worker_update(
            by=world.secretary_b,
            worker=own,
            name="改名",
            source="hired",
            employment="full_time",
            post="none",
            organization=world.org_a,
        )


def test_update_keeps_a_masked_phone(world, staff):
    worker = services.worker_update(
        by=world.street_a_staff,
        worker=staff.secretary_a,
        name="王甲书记",
        source="elected",
        employment="full_time",
        post="secretary",
        organization=world.org_a,
        phone="138****5678",
    )
    worker.refresh_from_db()
    assert worker.phone == "13812345678" and worker.employment == "full_time"


def test_recommend_and_decide(world, staff):
    today = timezone.localdate()
    count = Recommendation.objects.count
    message = _refused(
        "worker",
        lambda: services.worker_recommend(
            by=world.street_a_staff, worker=staff.secretary_a, organization=world.org_a, recommended_on=today
        ),
        count_of=count,
    )
    assert "不在人才库" in message
    with pytest.raises(PermissionDenied):
        services.worker_recommend(
            by=world.street_a_staff, worker=staff.pool_a, organization=world.org_b, recommended_on=today
        )
    rec = services.worker_recommend(
        by=world.street_a_staff, worker=staff.pool_a, organization=world.org_a, recommended_on=today - timedelta(3)
    )
    _refused(
        "organization",
        lambda: services.worker_recommend(
            by=world.street_a_staff, worker=staff.pool_a, organization=world.org_a, recommended_on=today
        ),
        count_of=count,
    )
    with pytest.raises(ApplicationError) as exc:
        services.recommendation_decide(
            by=world.street_a_staff, recommendation=rec, outcome="accepted", outcome_on=today - timedelta(10)
        )
    assert "outcome_on" in exc.value.error_dict
    rec.refresh_from_db()
    assert rec.outcome == "pending"
    services.recommendation_decide(by=world.street_a_staff, recommendation=rec, outcome="accepted", outcome_on=today)
    staff.pool_a.refresh_from_db()
    assert not staff.pool_a.in_pool
    with pytest.raises(ApplicationError) as exc:
        services.recommendation_decide(
            by=world.street_a_staff, recommendation=rec, outcome="declined", outcome_on=today
        )
    assert "outcome" in exc.value.error_dict


def test_attendee_outside_scope_is_refused_with_nothing_written(world, staff):
    count = TrainingAttendance.objects.count
    message = _refused(
        "attendees",
        lambda: services.training_add_attendees(
            by=world.street_a_staff, training=staff.course, workers=[staff.pool_a, staff.pool_b]
        ),
        count_of=count,
    )
    assert "孙乙转业军人" in message and "不在您的管辖范围内" in message
    message = _refused(
        "attendees",
        lambda: services.training_add_attendees(
            by=world.street_a_staff, training=staff.course, workers=[staff.secretary_a]
        ),
        count_of=count,
    )
    assert "已在参训名单" in message
    services.training_add_attendees(by=world.street_a_staff, training=staff.course, workers=[staff.pool_a])
    assert count() == 2
    with pytest.raises(PermissionDenied):
        services.training_add_attendees(by=staff.street_b_staff, training=staff.course, workers=[staff.pool_b])


def test_training_refusals(world, staff):
    from people.models import Training

    base = {
        "by": world.street_a_staff,
        "title": "党务培训",
        "level": "street",
        "starts_on": date(2025, 5, 2),
        "ends_on": date(2025, 5, 1),
        "hours": "4",
        "organizer": "甲街道",
        "region": world.street_a,
    }
    _refused("ends_on", lambda: services.training_create(**base), count_of=Training.objects.count)
    base["ends_on"] = date(2025, 5, 2)
    for hours in ("0", "-1", "abc", "1000", "1.25"):
        _refused(
            "hours", lambda h=hours: services.training_create(**{**base, "hours": h}), count_of=Training.objects.count
        )
    # One attendee out of scope refuses the whole course.
    _refused(
        "attendees",
        lambda: services.training_create(**base, attendees=[staff.pool_b]),
        count_of=Training.objects.count,
    )


def test_cross_appointment(world, staff):
    enterprise = world.enterprise_a
    Election.objects.create(
        organization=world.org_a,
        held_on=date(2024, 6, 1),
        term_start=date(2024, 6, 1),
        term_end=date(2027, 6, 1),
        secretary_name="王甲书记",
        committee=[
            {"role": "secretary", "name": "王甲书记", "member_id": None},
            {"role": "member", "name": "李委员", "member_id": None},
        ],
    )
    count = CrossAppointment.objects.count
    message = _refused(
        "person",
        lambda: services.cross_appointment_add(
            by=world.secretary_a,
            organization=world.org_a,
            person="路人",
            enterprise=enterprise,
            body="board",
            title="董事",
        ),
        count_of=count,
    )
    assert "不是本党组织委员会成员" in message
    other = EnterpriseFactory(street=world.street_a)
    _refused(
        "enterprise",
        lambda: services.cross_appointment_add(
            by=world.secretary_a,
            organization=world.org_a,
            person="李委员",
            enterprise=other,
            body="board",
            title="董事",
        ),
        count_of=count,
    )
    _refused(
        "title",
        lambda: services.cross_appointment_add(
            by=world.secretary_a,
            organization=world.org_a,
            person="李委员",
            enterprise=enterprise,
            body="board",
            title=" ",
        ),
        count_of=count,
    )
    made = services.cross_appointment_add(
        by=world.secretary_a,
        organization=world.org_a,
        person="李委员",
        enterprise=enterprise,
        body="management",
        title="副总经理",
    )
    assert made.committee_role == "member"
    with pytest.raises(PermissionDenied):
        services.cross_appointment_add(
            by=world.secretary_b,
            organization=world.org_a,
            person="王甲书记",
            enterprise=enterprise,
            body="board",
            title="董事",
        )


def test_manager_counts(world, staff):
    today = timezone.localdate()
    _refused(
        "party_members",
        lambda: services.manager_count_set(
            by=world.secretary_a, organization=world.org_a, managers=5, party_members=6, as_of=today
        ),
        count_of=ManagerCount.objects.count,
    )
    services.manager_count_set(by=world.secretary_a, organization=world.org_a, managers=5, party_members=4, as_of=today)
    services.manager_count_set(by=world.secretary_a, organization=world.org_a, managers=6, party_members=4, as_of=today)
    assert ManagerCount.objects.get(organization=world.org_a).managers == 6

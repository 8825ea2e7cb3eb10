"""TRAINING_DUE: an organization whose secretary was not trained in the
cycle gets a yellow warning from the nightly run, closed once they are."""

from datetime import timedelta

from django.utils import timezone

from orgs.models import Alert
from people import services
from people.models import PartyWorker, Training
from stats.run import compute_stats
from tests.factories import OrganizationFactory


def _open(org):
    return Alert.objects.filter(kind=Alert.Kind.TRAINING_DUE, organization=org, closed_on__isnull=True).first()


def test_training_due_appears_after_compute_stats_and_clears_once_trained(world, staff):
    today = timezone.localdate()
    # 甲's secretary trained in the current cycle (the fixture's course may lie in an earlier one).
    course = services.training_create(
        by=world.district,
        title="书记示范培训班",
        level=Training.Level.CITY,
        starts_on=today - timedelta(days=2),
        ends_on=today - timedelta(days=1),
        hours="8",
        organizer="市委两新工委",
        region=world.street_a.parent,
        attendees=[staff.secretary_a],
    )
    unregistered = OrganizationFactory(street=world.street_a, name="中共丙企业支部", secretary_name="周丙")
    no_secretary = OrganizationFactory(street=world.street_a, name="中共丁企业支部")
    compute_stats(on=today)
    alert = _open(world.org_b)
    assert alert is not None and alert.level == Alert.Level.YELLOW
    assert "赵乙书记" in alert.message and alert.street_id == world.street_b.pk
    assert _open(world.org_a) is None
    assert "未登记" in _open(unregistered).message
    assert _open(no_secretary) is None  # the no-secretary warning covers it

    services.training_add_attendees(by=world.district, training=course, workers=[staff.secretary_b])
    worker = services.worker_register(
        by=world.district,
        name="周丙",
        source=PartyWorker.Source.DISPATCHED,
        employment=PartyWorker.Employment.FULL_TIME,
        post=PartyWorker.Post.SECRETARY,
        organization=unregistered,
    )
    compute_stats(on=today + timedelta(days=1))
    assert _open(world.org_b) is None
    closed = Alert.objects.get(kind=Alert.Kind.TRAINING_DUE, organization=world.org_b)
    assert closed.closed_on == today + timedelta(days=1)
    # Registered now, still untrained: the warning stays, in its other words.
    assert "尚未参加培训" in _open(unregistered).message
    services.training_add_attendees(by=world.district, training=course, workers=[worker])
    compute_stats(on=today + timedelta(days=2))
    assert _open(unregistered) is None

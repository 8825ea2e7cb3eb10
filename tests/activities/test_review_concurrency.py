"""Two reviewers pressing "approve" at once: one wins, the other is told."""

import threading

import pytest
from django.db import connection

from activities.models import Activity
from activities.services import activity_approve
from core.errors import ApplicationError
from tests.factories import UserFactory, grant


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_approve_once(world):
    activity = Activity.objects.create(
        organization=world.org_a, activity_type="theme_day", held_on="2026-01-05", topic="并发", status="submitted"
    )
    second = grant(UserFactory(), "street", region=world.street_a)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def approve(user):
        try:
            barrier.wait()
            activity_approve(activity=activity, by=user)
            outcomes.append("ok")
        except ApplicationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (world.street_a_staff, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Activity.objects.get(pk=activity.pk).status == Activity.Status.APPROVED

"""PostgreSQL: the exclusion constraint behind the service, and real
concurrent connections racing for one slot."""

import threading
from collections import Counter
from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from orgs.reference import ensure_reference_data
from venues.models import Booking

from .conftest import MONDAY, book

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_the_database_refuses_an_overlap_written_around_the_service(world, site):
    book(world.secretary_a, site.room, world.org_a, start=(10, 0), end=(12, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            venue=site.room,
            organization=world.org_a,
            booked_on=MONDAY,
            starts_at=time(11, 0),
            ends_at=time(13, 0),
            purpose="绕过服务",
        )
    # A cancelled booking holds no slot, in the database as in the service.
    Booking.objects.filter(venue=site.room).update(status=Booking.Status.CANCELLED)
    Booking.objects.create(
        venue=site.room,
        organization=world.org_a,
        booked_on=MONDAY,
        starts_at=time(11, 0),
        ends_at=time(13, 0),
        purpose="取消后再约",
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_bookings_of_one_slot_give_one(world, site):
    ensure_reference_data()
    barrier = threading.Barrier(20)
    outcome: Counter = Counter()
    lock = threading.Lock()

    def worker(minute: int) -> None:
        try:
            barrier.wait()
            book(world.secretary_a, site.room, world.org_a, on=date(2026, 6, 3), start=(14, minute), end=(15, 30))
            result = "ok"
        except ValidationError as exc:
            result = "冲突" if "冲突" in exc.messages[0] or "已被预约" in exc.messages[0] else exc.messages[0]
        except Exception as exc:  # noqa: BLE001 - a crash is an outcome the test reports
            result = f"crash: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcome[result] += 1

    threads = [threading.Thread(target=worker, args=(m,)) for m in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcome == Counter({"ok": 1, "冲突": 19}), outcome
    assert Booking.objects.filter(booked_on=date(2026, 6, 3)).count() == 1

"""The receiver confirming twice at once moves the member once."""

import threading

import pytest
from django.db import connection

from core.errors import ApplicationError
from members.models import MemberEvent, Transfer
from members.services import transfer_confirm


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_move_once(world):
    transfer = Transfer.objects.create(
        member=world.member_a,
        from_organization=world.org_a,
        to_organization=world.org_b,
        requested_by=world.secretary_a,
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def confirm():
        try:
            barrier.wait()
            transfer_confirm(transfer=transfer, by=world.secretary_b)
            outcomes.append("ok")
        except ApplicationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert MemberEvent.objects.filter(member=world.member_a, kind=MemberEvent.Kind.TRANSFER_IN).count() == 1

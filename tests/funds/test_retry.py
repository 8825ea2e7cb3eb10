"""A write that meets a serialization failure or deadlock runs again from the start."""

import pytest
from django.db import OperationalError

from funds.services import retry_on_conflict


class _PgError(Exception):
    def __init__(self, pgcode):
        super().__init__(pgcode)
        self.pgcode = pgcode


def _conflict(pgcode: str) -> OperationalError:
    exc = OperationalError("could not serialize access")
    exc.__cause__ = _PgError(pgcode)
    return exc


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pgcode", ["40001", "40P01"])
def test_conflicts_are_retried_until_the_write_goes_through(pgcode):
    calls = []

    @retry_on_conflict
    def write():
        calls.append(1)
        if len(calls) < 3:
            raise _conflict(pgcode)
        return "done"

    assert write() == "done"
    assert len(calls) == 3


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried():
    calls = []

    @retry_on_conflict
    def write():
        calls.append(1)
        raise _conflict("23505")

    with pytest.raises(OperationalError):
        write()
    assert len(calls) == 1

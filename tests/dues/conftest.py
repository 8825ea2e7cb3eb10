"""Dues of the world's org_a: members with a basis, and the months around today."""

from datetime import date

import pytest
from django.utils import timezone

from dues import services
from dues.reference import ensure_brackets
from dues.rules import add_months, month_start
from members.models import Stage
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def _brackets(db):
    ensure_brackets()


@pytest.fixture
def this_month() -> date:
    return month_start(timezone.localdate())


@pytest.fixture
def months_ago(this_month):
    return lambda n: add_months(this_month, -n)


@pytest.fixture
def payer(world, months_ago):
    """A formal member of org_a on the job with 6,500 yuan a month (97.50 due), paying from a year ago."""
    member = MemberFactory(organization=world.org_a, enterprise=world.enterprise_a, name="王缴费")
    services.basis_declare(
        by=world.secretary_a, member=member, category="employed", monthly_income="6500.00", due_from=months_ago(12)
    )
    return member


def probationary(world, accepted: date):
    return MemberFactory(
        organization=world.org_a,
        name="赵预备",
        stage=Stage.PROBATIONARY,
        probationary_on=accepted,
        formal_on=None,
    )


def message(exc) -> str:
    return "；".join(str(m) for m in exc.messages)

"""Merging an organization into another closes its fund account when it is
empty, and is refused (nothing moved) while money or applications are in it."""

from datetime import date

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from funds.models import Application, FundAccount
from funds.services import account_open, income_enterprise_deposit
from orgs.organization_services import organization_merge
from tests.factories import OrganizationFactory


@pytest.fixture
def sibling(world):
    return OrganizationFactory(street=world.street_a, name="中共甲企业第二支部委员会")


def test_an_empty_account_is_closed_by_the_merge(world, sibling):
    account = account_open(organization=sibling, by=None)
    organization_merge(source=sibling, target=world.org_a, by=world.district)
    account.refresh_from_db()
    assert account.closed_on == timezone.localdate()


def test_money_in_the_account_refuses_the_merge(world, sibling):
    account = account_open(organization=sibling, by=None)
    income_enterprise_deposit(account=account, amount="500.00", by=world.district, occurred_on=date(2026, 1, 5))
    with pytest.raises(ApplicationError, match="公积金账户尚有余额500.00元"):
        organization_merge(source=sibling, target=world.org_a, by=world.district)
    sibling.refresh_from_db()
    account.refresh_from_db()
    assert sibling.dissolved_on is None and account.closed_on is None


def test_an_application_under_way_refuses_the_merge(world, sibling):
    account = account_open(organization=sibling, by=None)
    Application.objects.create(
        organization=sibling,
        account=account,
        activity="主题党日",
        activity_date=date(2026, 3, 1),
        participants=5,
        amount="100.00",
        waiting_since=timezone.now(),
        created_by=world.district,
    )
    with pytest.raises(ApplicationError, match="1笔未办结的提取申请"):
        organization_merge(source=sibling, target=world.org_a, by=world.district)
    assert FundAccount.objects.get(pk=account.pk).closed_on is None

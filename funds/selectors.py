"""Reads of the fund ledger, always scoped through orgs.selectors.scope_for.
The pool and external accounts belong to no organization, so only users who
reach everything (district staff) see them."""

from django.db.models import QuerySet

from orgs.selectors import scope_for, scoped_get

from .models import FundAccount, FundEntry


def fund_account_list(*, user) -> QuerySet[FundAccount]:
    return FundAccount.objects.filter(scope_for(user).organizations_q("organization")).select_related("organization")


def fund_account_get(*, user, pk, write: bool = False) -> FundAccount:
    return scoped_get(
        user=user,
        queryset=FundAccount.objects.select_related("organization"),
        scope_q_name="organizations_q",
        path="organization",
        pk=pk,
        write=write,
    )


def fund_entry_list(*, account: FundAccount) -> QuerySet[FundEntry]:
    """The journal of one account the caller already fetched through fund_account_get."""
    return FundEntry.objects.filter(account=account).select_related("transaction").order_by("-seq")

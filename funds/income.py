"""Money coming in from outside: 企业预存, 财政补助 (to the pool), 党费返还,
群团联筹, 自愿赞助 (DESIGN.md §5). District staff post it; `by` None is a
system posting (the demo seed, an import of last year's books)."""

from datetime import date

from django.utils.translation import gettext as _

from core.errors import ApplicationError
from orgs import policy
from orgs.audit import audit_event
from orgs.models import Region, User
from orgs.policy import require

from .ledger import amount_parse, external_account, ledger_post, pool_account, retry_on_conflict, today
from .models import FundAccount, FundTransaction, TransactionKind

INCOME_TARGETS = {
    TransactionKind.FISCAL_SUBSIDY: FundAccount.Kind.POOL,
    TransactionKind.ENTERPRISE_DEPOSIT: FundAccount.Kind.ORGANIZATION,
    TransactionKind.DUES_REBATE: FundAccount.Kind.ORGANIZATION,
    TransactionKind.JOINT_FUNDING: FundAccount.Kind.ORGANIZATION,
    TransactionKind.SPONSORSHIP: FundAccount.Kind.ORGANIZATION,
}


@retry_on_conflict
def income_receive(
    *,
    kind: str,
    account: FundAccount,
    amount: object,
    by: User | None,
    occurred_on: date | None = None,
    memo: str = "",
) -> FundTransaction:
    """Money coming in from outside: one of the five income types."""
    if by is not None:
        require(policy.may_post_income(by), _("只有区两新工委工作人员可以登记入账"))
    if kind not in INCOME_TARGETS:
        raise ApplicationError(_("不是入账业务类型"))
    if account.kind != INCOME_TARGETS[kind]:
        if kind == TransactionKind.FISCAL_SUBSIDY:
            raise ApplicationError(_("财政补助只能拨入区级资金池"))
        raise ApplicationError(_("%(kind)s只能存入党组织公积金账户") % {"kind": TransactionKind(kind).label})
    if account.kind == FundAccount.Kind.POOL and account.region_id is None:
        raise ApplicationError(_("资金池「%(name)s」尚未指定所属的区，指定前不能收支") % {"name": account.name})
    if by is not None and account.kind == FundAccount.Kind.POOL:
        require(policy.may_post_to_pool(by, account), _("只能向本区的资金池拨入财政补助"))
    value = amount_parse(amount)
    source = external_account(FundAccount.Kind.EXTERNAL_SOURCE)
    txn = ledger_post(
        kind=kind,
        occurred_on=occurred_on or today(),
        memo=memo or str(TransactionKind(kind).label),
        legs=[(source, -value), (account, value)],
        by=by,
    )
    audit_event(actor=by, instance=account, event=f"fund.income.{kind}", detail={"amount": str(value), "txn": txn.pk})
    return txn


def income_enterprise_deposit(*, account: FundAccount, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.ENTERPRISE_DEPOSIT, account=account, amount=amount, by=by, **kw)


def income_fiscal_subsidy(*, amount: object, by: User | None, district: Region | None = None, **kw) -> FundTransaction:
    """A fiscal subsidy into a district's pool (the one district's, in a one-district installation)."""
    account = pool_account(district=district)
    return income_receive(kind=TransactionKind.FISCAL_SUBSIDY, account=account, amount=amount, by=by, **kw)


def income_dues_rebate(*, account: FundAccount, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.DUES_REBATE, account=account, amount=amount, by=by, **kw)


def income_joint_funding(*, account: FundAccount, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.JOINT_FUNDING, account=account, amount=amount, by=by, **kw)


def income_sponsorship(*, account: FundAccount, amount: object, by: User | None, **kw) -> FundTransaction:
    return income_receive(kind=TransactionKind.SPONSORSHIP, account=account, amount=amount, by=by, **kw)

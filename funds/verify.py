"""The ledger's self-check, run by `manage.py verify_ledger` and by tests.

It trusts nothing stored for speed: each account's chain is recomputed from
its first entry, each transaction is summed, and each stored balance is
compared with the sum of its entries.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from core.money import ZERO

from .models import FundAccount, FundEntry, FundTransaction
from .services import GENESIS, entry_hash


@dataclass
class LedgerReport:
    accounts: int = 0
    transactions: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_ledger(*, account_ids: list[int] | None = None) -> LedgerReport:
    report = LedgerReport()
    accounts = FundAccount.objects.order_by("pk")
    if account_ids:
        accounts = accounts.filter(pk__in=account_ids)
    for account in accounts.iterator():
        report.accounts += 1
        _verify_account(account, report)
    _verify_transactions(report)
    _verify_reversals(report)
    return report


def _verify_account(account: FundAccount, report: LedgerReport) -> None:
    prev = GENESIS
    running = Decimal("0.00")
    expected_seq = 0
    name = f"{account.name}(#{account.pk})"
    dated: list[tuple[date, int, Decimal]] = []
    entries = FundEntry.objects.filter(account=account).annotate(occurred_on=F("transaction__occurred_on"))
    for entry in entries.order_by("seq").iterator(chunk_size=2000):
        dated.append((entry.occurred_on, entry.seq, entry.amount))
        report.entries += 1
        expected_seq += 1
        running += entry.amount
        if entry.seq != expected_seq:
            report.problems.append(
                _("账户 %(a)s 分录序号断号：应为 %(e)s，实为 %(s)s") % {"a": name, "e": expected_seq, "s": entry.seq}
            )
            expected_seq = entry.seq
        if entry.prev_hash != prev:
            report.problems.append(_("账户 %(a)s 第 %(s)s 笔分录的前序哈希不连续") % {"a": name, "s": entry.seq})
        digest = entry_hash(
            prev_hash=entry.prev_hash,
            account_id=account.pk,
            seq=entry.seq,
            transaction_id=entry.transaction_id,
            amount=entry.amount,
            balance_after=entry.balance_after,
        )
        if digest != entry.hash:
            report.problems.append(
                _("账户 %(a)s 第 %(s)s 笔分录哈希不符，内容可能被篡改") % {"a": name, "s": entry.seq}
            )
        if entry.balance_after != running:
            report.problems.append(
                _("账户 %(a)s 第 %(s)s 笔分录记账后余额 %(b)s 元与累计 %(r)s 元不符")
                % {"a": name, "s": entry.seq, "b": entry.balance_after, "r": running}
            )
        if not account.is_external and running < ZERO:
            report.problems.append(_("账户 %(a)s 第 %(s)s 笔分录后余额为负") % {"a": name, "s": entry.seq})
        prev = entry.hash
    if not account.is_external:
        _verify_dated(name, dated, report)
    if account.balance != running:
        report.problems.append(
            _("账户 %(a)s 存储余额 %(b)s 元与分录合计 %(r)s 元不符") % {"a": name, "b": account.balance, "r": running}
        )
    if account.last_seq != expected_seq or (expected_seq and account.last_hash != prev):
        report.problems.append(_("账户 %(a)s 记录的最后分录与分录链不一致") % {"a": name})


def _verify_dated(name: str, dated: list[tuple[date, int, Decimal]], report: LedgerReport) -> None:
    """The statement's order (business date, then posting order) must not go
    below zero either: the first line that does is named."""
    running = Decimal("0.00")
    for day, seq, amount in sorted(dated):
        running += amount
        if running < ZERO:
            report.problems.append(
                _("账户 %(a)s 按业务日期 %(d)s 第 %(s)s 笔分录后余额为 %(b)s 元，对账单出现负数")
                % {"a": name, "d": day, "s": seq, "b": running}
            )
            return


def _verify_transactions(report: LedgerReport) -> None:
    # Summed here rather than in SQL: SQLite would add the amounts as floats.
    totals: dict[int, tuple[Decimal, int]] = {}
    for txn_id, amount in (
        FundEntry.objects.order_by().values_list("transaction_id", "amount").iterator(chunk_size=5000)
    ):
        total, legs = totals.get(txn_id, (Decimal("0.00"), 0))
        totals[txn_id] = (total + amount, legs + 1)
    for txn_id in FundTransaction.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=5000):
        report.transactions += 1
        total, legs = totals.get(txn_id, (Decimal("0.00"), 0))
        if total != ZERO or legs < 2:
            report.problems.append(
                _("交易 #%(pk)s 借贷不平：%(legs)s 条分录合计 %(total)s 元")
                % {"pk": txn_id, "legs": legs, "total": total}
            )


def _verify_reversals(report: LedgerReport) -> None:
    """A reversal must mirror its original leg for leg, and be a reversal."""
    reversals = FundTransaction.objects.filter(reverses__isnull=False).select_related("reverses").order_by("pk")
    for txn in reversals.iterator(chunk_size=500):
        if txn.kind != "reversal":
            report.problems.append(_("交易 #%(pk)s 指向原交易却不是冲正交易") % {"pk": txn.pk})
        mine = sorted((e.account_id, e.amount) for e in txn.entries.all())
        theirs = sorted((e.account_id, -e.amount) for e in txn.reverses.entries.all())
        if mine != theirs:
            report.problems.append(
                _("冲正交易 #%(pk)s 与原交易 #%(orig)s 的分录不对应") % {"pk": txn.pk, "orig": txn.reverses_id}
            )

"""Ledger write and verification cost.

Run against a scratch database (it creates accounts and postings there):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch db> python bench/funds_ledger.py [--postings 2000]

Prints medians per posting for the full `ledger_post` (row locks, balance
checks, hash chain, stored balances) next to a baseline measured in the same
run: inserting the same transaction and two entries with no locks and no
chain. Then the time `verify_ledger` takes per thousand entries.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from funds import services  # noqa: E402
from funds.models import FundAccount, FundEntry, FundTransaction, TransactionKind  # noqa: E402
from funds.verify import verify_ledger  # noqa: E402
from orgs.models import PartyOrganization, Region  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postings", type=int, default=2000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    district, _ = Region.objects.get_or_create(name="基准区", parent=None, defaults={"kind": Region.Kind.DISTRICT})
    street, _ = Region.objects.get_or_create(name="基准街道", parent=district, defaults={"kind": Region.Kind.STREET})
    org = PartyOrganization.objects.create(name=f"基准支部{time.time_ns()}", street=street)
    account = services.account_open(organization=org, by=None, opened_on=date(2026, 1, 1))
    # The baseline writes to accounts of its own, so the measured chain stays whole.
    other = PartyOrganization.objects.create(name=f"基准对照支部{time.time_ns()}", street=street)
    scratch = services.account_open(organization=other, by=None, opened_on=date(2026, 1, 1))
    source = services.external_account(FundAccount.Kind.EXTERNAL_SOURCE)
    one = Decimal("1.00")

    def baseline():
        with transaction.atomic():
            txn = FundTransaction.objects.create(
                kind=TransactionKind.SPONSORSHIP, occurred_on=date(2026, 1, 2), memo="baseline"
            )
            FundEntry.objects.bulk_create(
                [
                    FundEntry(transaction=txn, account=scratch, amount=-one, seq=2 * txn.pk, balance_after=0, hash="x"),
                    FundEntry(
                        transaction=txn, account=scratch, amount=one, seq=2 * txn.pk + 1, balance_after=0, hash="x"
                    ),
                ]
            )

    def posting():
        services.ledger_post(
            kind=TransactionKind.SPONSORSHIP,
            occurred_on=date(2026, 1, 2),
            memo="bench",
            legs=[(source, -one), (account, one)],
            by=None,
        )

    base_times, post_times = [], []
    for _ in range(args.postings):
        post_times.append(timed(posting))
        base_times.append(timed(baseline))
    base, post = statistics.median(base_times), statistics.median(post_times)
    print(f"postings: {args.postings} on {django.db.connection.vendor}")
    print(f"baseline insert (no locks, no chain): median {base * 1000:.2f} ms")
    print(f"ledger_post (locks, checks, chain):   median {post * 1000:.2f} ms  ratio {post / base:.2f}x")
    ids = [account.pk]
    entries = FundEntry.objects.filter(account_id__in=ids).count()
    runs = [timed(lambda: verify_ledger(account_ids=ids)) for _ in range(3)]
    report = verify_ledger(account_ids=ids)
    print(f"verify_ledger on one account, {entries} entries: median {statistics.median(runs) * 1000:.0f} ms")
    print("verify_ledger:", "ok" if report.ok else report.problems[:3])


if __name__ == "__main__":
    main()

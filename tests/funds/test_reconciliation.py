"""The demo district's fund reports, recomputed from the journal alone.

The seed posts through the fund services as real postings do; here every
money figure of each street's supervision report and every line of every
statement is worked out again from the FundEntry rows (amount, account,
kind, business date) with plain Python, and compared with what the pages
show. The workflow counts are recomputed from the applications."""

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.management import call_command
from django.urls import reverse

from funds.models import Application, ApplicationStep, FundAccount, FundEntry, TransactionKind
from orgs.models import PartyOrganization, Region, User

AS_OF = date(2026, 11, 20)
ZERO = Decimal("0.00")
INCOME = {
    TransactionKind.ENTERPRISE_DEPOSIT,
    TransactionKind.FISCAL_SUBSIDY,
    TransactionKind.DUES_REBATE,
    TransactionKind.JOINT_FUNDING,
    TransactionKind.SPONSORSHIP,
}


def _journal():
    """Every entry, as plain tuples: (account, kind, business date, posting order, amount)."""
    return list(
        FundEntry.objects.order_by("account_id", "seq").values_list(
            "account_id", "transaction__kind", "transaction__occurred_on", "seq", "amount"
        )
    )


def _figures(entries, start: date, end: date) -> dict:
    """One account's supervision figures, by hand."""
    out = defaultdict(lambda: ZERO)
    for _account, kind, day, _seq, amount in entries:
        if day < start:
            out["opening"] += amount
        if day <= end:
            out["closing"] += amount
        if not start <= day <= end:
            continue
        if kind in INCOME:
            out["income"] += amount
        elif kind == TransactionKind.REWARD:
            out["reward"] += amount
        elif kind == TransactionKind.RETURN:
            out["returned_money"] += amount
        elif kind == TransactionKind.DISBURSEMENT:
            out["disbursed"] -= amount
        elif kind == TransactionKind.REVERSAL and amount > 0:
            out["reversal_in"] += amount
        elif kind == TransactionKind.REVERSAL:
            out["reversal_out"] -= amount
        else:
            raise AssertionError(f"a movement of kind {kind} has no column")
    return out


HALVES = ((1, (date(2026, 1, 1), date(2026, 6, 30))), (2, (date(2026, 7, 1), date(2026, 12, 31))))
MONEY = ("opening", "income", "reward", "returned_money", "reversal_in", "disbursed", "reversal_out", "closing")


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--enterprises", "300", "--seed", "7", "--as-of", AS_OF.isoformat())
    return User.objects.get(username="district")


@pytest.mark.postgres
def test_demo_reports_recompute_from_the_journal(demo, client):
    client.force_login(demo)
    journal = _journal()
    by_account = defaultdict(list)
    for entry in journal:
        by_account[entry[0]].append(entry)
    assert by_account, "the demo seed posts to the fund"

    # --- every statement line, every account, over the whole life of the books
    internal = FundAccount.objects.exclude(kind__in=FundAccount.EXTERNAL_KINDS).order_by("pk")
    lines_seen = 0
    for account in internal:
        entries = sorted(by_account[account.pk], key=lambda e: (e[2], e[3]))
        page = client.get(reverse("funds:account_detail", args=[account.pk]) + "?start=2000-01-01&end=2100-12-31")
        statement = page.context["statement"]
        assert [(e.transaction.occurred_on, e.seq) for e in statement.entries] == [(e[2], e[3]) for e in entries]
        running, money_in, money_out = ZERO, ZERO, ZERO
        for shown, (_a, _k, day, seq, amount) in zip(statement.entries, entries, strict=True):
            running += amount
            assert running >= ZERO, f"{account.name} is below zero on {day} (entry {seq})"
            assert shown.running == running
            assert (shown.money_in, shown.money_out) == ((amount, None) if amount > 0 else (None, -amount))
            money_in += max(amount, ZERO)
            money_out += max(-amount, ZERO)
            lines_seen += 1
        assert (statement.opening, statement.credits, statement.debits, statement.closing) == (
            ZERO,
            money_in,
            money_out,
            running,
        )
        assert running == account.balance
        # The page shows money out as a positive figure, as its totals do.
        cells = re.findall(r'<td class="num">([^<]*)</td>', page.content.decode())
        assert len(cells) == 3 * len(entries) and not any(c.startswith("-") for c in cells), account.name
    assert lines_seen == sum(len(by_account[a.pk]) for a in internal)

    # --- every figure of every street's supervision report, both halves of the year
    org_account = dict(FundAccount.objects.filter(organization__isnull=False).values_list("organization_id", "pk"))
    reports = 0
    moved = set()
    for street in Region.objects.filter(kind=Region.Kind.STREET).order_by("pk"):
        for half, (start, end) in (
            (1, (date(2026, 1, 1), date(2026, 6, 30))),
            (2, (date(2026, 7, 1), date(2026, 12, 31))),
        ):
            page = client.get(reverse("funds:supervision") + f"?street={street.pk}&year=2026&half={half}")
            report = page.context["report"]
            expected_orgs = set(
                PartyOrganization.objects.filter(street=street, fund_account__isnull=False).values_list("pk", flat=True)
            ) | set(Application.objects.filter(organization__street=street).values_list("organization_id", flat=True))
            assert {r.organization.pk for r in report.rows} == expected_orgs
            totals = defaultdict(lambda: ZERO)
            for row in report.rows:
                acc = org_account.get(row.organization.pk)
                want = _figures(by_account[acc] if acc else [], start, end)
                for key in MONEY:
                    assert getattr(row, key) == want[key], (street.name, half, row.organization.name, key)
                    totals[key] += want[key]
                    if want[key]:
                        moved.add(key)
                inflow = want["income"] + want["reward"] + want["returned_money"] + want["reversal_in"]
                outflow = want["disbursed"] + want["reversal_out"]
                assert want["opening"] + inflow - outflow == want["closing"]
                apps = Application.objects.filter(organization=row.organization)
                filed = [a for a in apps if start <= a.created_at.date() <= end]
                assert row.applications == len(filed)
                assert row.requested == sum((a.amount for a in filed), ZERO)
                assert row.approved == sum(1 for a in apps if a.approved_on and start <= a.approved_on <= end)
                steps = ApplicationStep.objects.filter(application__organization=row.organization)
                assert row.returned == sum(1 for s in steps if s.action == "return" and start <= s.at.date() <= end)
                assert row.settled == sum(1 for s in steps if s.action == "settle" and start <= s.at.date() <= end)
            for key in MONEY:
                assert report.totals[key] == totals[key], (street.name, half, key)
            street_entries = [e for acc in org_account.values() for e in by_account[acc]]
            street_accounts = {org_account[r.organization.pk] for r in report.rows if r.organization.pk in org_account}
            street_entries = [e for e in street_entries if e[0] in street_accounts]
            assert report.journal_opening == sum((e[4] for e in street_entries if e[2] < start), ZERO)
            assert report.journal_closing == sum((e[4] for e in street_entries if e[2] <= end), ZERO)
            assert report.reconciles and "与账本核对一致" in page.content.decode()
            if report.rows:
                reports += 1
                text = page.content.decode()
                tfoot = text[text.index("<tfoot>") :]
                for key in MONEY:
                    assert intcomma(f"{totals[key]:.2f}") in tfoot, (street.name, half, key)
    assert reports, "the demo has streets with fund accounts"
    # Withdrawals posted without an application are among them, in 拨付.
    assert {"opening", "income", "disbursed", "closing"} <= moved

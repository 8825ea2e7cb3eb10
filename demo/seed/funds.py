"""The party-building fund: the district's subsidy into the pool, accounts
with deposits and disbursements, and two withdrawal applications of the demo
secretary. Everything goes through the fund services, as real postings do."""

from datetime import date, timedelta
from decimal import Decimal

from core.errors import ApplicationError
from funds.models import FundAccount, TransactionKind
from funds.services import (
    account_open,
    application_approve,
    application_create,
    external_account,
    ledger_post,
    pool_account,
)
from orgs.models import FormationMode, User

from .base import SeederBase


class FundSteps(SeederBase):
    def funds(self) -> None:
        self.progress("党建公积金")
        rng = self.rng
        source = external_account(FundAccount.Kind.EXTERNAL_SOURCE)
        sink = external_account(FundAccount.Kind.EXTERNAL_SINK)
        # The fund's demo is the first district's: its pool, its organizations.
        pool = pool_account(district=self.first_orgs[0].street.parent)
        district_user = User.objects.get(username="district")
        start = self.as_of - timedelta(days=300)
        ledger_post(
            kind=TransactionKind.FISCAL_SUBSIDY,
            occurred_on=start,
            memo="年度区级财政补助拨入",
            legs=[(source, -Decimal(200000 + 20 * self.n)), (pool, Decimal(200000 + 20 * self.n))],
            by=district_user,
        )
        candidates = [
            o
            for o in self.first_orgs
            if o.parent_id is None and o.formation_mode in (FormationMode.OWN, FormationMode.JOINT)
        ]
        chosen = [o for o in candidates if rng.random() < 0.3] + self.secretary_orgs
        seen = set()
        count = 0
        for org in chosen:
            if org.pk in seen:
                continue
            seen.add(org.pk)
            account = account_open(organization=org, by=district_user, opened_on=start)
            posted: list[tuple[date, Decimal]] = []
            for _ in range(rng.randint(1, 3)):
                kind = rng.choices(
                    [
                        TransactionKind.ENTERPRISE_DEPOSIT,
                        TransactionKind.DUES_REBATE,
                        TransactionKind.JOINT_FUNDING,
                        TransactionKind.SPONSORSHIP,
                    ],
                    [70, 15, 10, 5],
                )[0]
                amount = Decimal(rng.randrange(10, 300) * 100)
                day = self.day_between(start, self.as_of)
                posted.append((day, amount))
                ledger_post(
                    kind=kind,
                    occurred_on=day,
                    memo=f"{TransactionKind(kind).label}",
                    legs=[(source, -amount), (account, amount)],
                    by=district_user,
                )
                count += 1
            if rng.random() < 0.3:
                # 40% of what the account held on the day of the withdrawal, not
                # of its final balance: deposits dated later were not there yet,
                # and the ledger refuses a posting that would take an earlier
                # statement line below zero.
                day = self.as_of - timedelta(days=rng.randrange(5, 60))
                held = sum((amount for posted_on, amount in posted if posted_on <= day), Decimal("0"))
                spend = (held * Decimal("0.4")).quantize(Decimal("0.01"))
                if spend > 0:
                    ledger_post(
                        kind=TransactionKind.DISBURSEMENT,
                        occurred_on=day,
                        memo="主题党日活动经费提取",
                        legs=[(account, -spend), (sink, spend)],
                        by=district_user,
                    )
                    count += 1
        self.result.counts["fund_accounts"] = len(seen)
        self.result.counts["fund_transactions"] = count + 1
        self.fund_applications()

    def fund_applications(self) -> None:
        """Two withdrawal applications of the demo secretary, so the queues are not empty:
        one waiting for the street, one the street has passed on to the district."""
        secretary = User.objects.get(username="secretary")
        street_user = User.objects.get(username="street")
        org = self.secretary_orgs[0]
        account = FundAccount.objects.get(organization=org)
        made = 0
        for title, share, approve in (
            ("七一主题党日红色教育", Decimal("0.2"), False),
            ("党员志愿服务进社区", Decimal("0.1"), True),
        ):
            amount = (account.balance * share).quantize(Decimal("1"))
            if amount <= 0:
                continue
            try:
                application = application_create(
                    organization=org,
                    by=secretary,
                    activity=title,
                    activity_date=self.as_of + timedelta(days=20),
                    participants=12,
                    budget_lines=[
                        {"item": "场地及交通", "amount": str(amount - 100)},
                        {"item": "学习资料", "amount": "100"},
                    ],
                    amount=str(amount),
                    description="组织党员开展主题活动",
                )
            except ApplicationError:
                continue
            made += 1
            if approve:
                try:
                    application_approve(application=application, by=street_user, level="street", opinion="同意")
                except ApplicationError:
                    # The demo street may not be this organization's street; it then waits for its own.
                    pass
        self.result.counts["fund_applications"] = made

"""Reads of the fund, always scoped through `scope_for` (except the nightly
selector `applications_waiting`, which serves the district-wide warnings run)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.money import ZERO
from orgs import policy
from orgs.models import PartyOrganization, Region
from orgs.scoping import scope_for
from orgs.selectors import scoped_get

from .models import (
    INCOME_KINDS,
    Application,
    FundAccount,
    FundEntry,
    FundTransaction,
    Notification,
    Objection,
    TransactionKind,
)
from .rules import CreditLine, credit_line, money

# --- accounts ---------------------------------------------------------------------------------


def account_list(*, user, kind: str | None = None) -> QuerySet[FundAccount]:
    """The accounts people hold money in: the organizations' and the pool.
    The technical 外部来源/外部支出 accounts (the other side of money coming
    in and going out) stay in the journal and out of every list."""
    qs = FundAccount.objects.filter(scope_for(user).organizations_q("organization")).exclude(
        kind__in=FundAccount.EXTERNAL_KINDS
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("organization", "organization__street").order_by("kind", "name")


def account_get(*, user, pk, write: bool = False) -> FundAccount:
    return scoped_get(
        user=user,
        queryset=FundAccount.objects.select_related("organization", "organization__street"),
        scope_q_name="organizations_q",
        path="organization",
        pk=pk,
        write=write,
    )


def account_for_organization(*, user, organization: PartyOrganization) -> FundAccount | None:
    return account_list(user=user).filter(organization=organization).first()


def my_accounts(*, user) -> QuerySet[FundAccount]:
    """The accounts of the organizations a secretary holds the role for."""
    scope = scope_for(user)
    return account_list(user=user, kind=FundAccount.Kind.ORGANIZATION).filter(
        organization_id__in=scope.organization_ids
    )


def account_credit(*, account: FundAccount, on: date | None = None) -> CreditLine:
    return credit_line(account=account, on=on or timezone.localdate())


@dataclass
class Statement:
    account: FundAccount
    start: date
    end: date
    opening: Decimal
    closing: Decimal
    credits: Decimal
    debits: Decimal
    entries: list[FundEntry]


def account_statement(*, account: FundAccount, start: date, end: date) -> Statement:
    """对账单: opening balance, every entry in the period by business date, closing balance."""
    before = FundEntry.objects.filter(account=account, transaction__occurred_on__lt=start).aggregate(s=Sum("amount"))
    opening = money(before["s"])
    entries = list(
        FundEntry.objects.filter(
            account=account, transaction__occurred_on__gte=start, transaction__occurred_on__lte=end
        )
        .select_related("transaction", "transaction__reverses", "transaction__created_by")
        .order_by("transaction__occurred_on", "seq")
    )
    running = opening
    money_in = money_out = ZERO
    for entry in entries:
        running += entry.amount
        entry.running = running  # balance by business date, which may differ from booking order
        # The 收入 and 支出 columns are both positive, as on paper; the page,
        # the .xlsx and the totals read these, not the signed amount.
        entry.money_in = entry.amount if entry.amount > 0 else None
        entry.money_out = -entry.amount if entry.amount < 0 else None
        money_in += entry.money_in or ZERO
        money_out += entry.money_out or ZERO
    return Statement(
        account=account,
        start=start,
        end=end,
        opening=opening,
        closing=running,
        credits=money_in,
        debits=money_out,
        entries=entries,
    )


def transaction_get(*, user, pk, write: bool = False) -> FundTransaction:
    return scoped_get(
        user=user,
        queryset=FundTransaction.objects.select_related("created_by", "reverses"),
        scope_q_name="organizations_q",
        path="entries__account__organization",
        pk=pk,
        write=write,
    )


# --- applications -----------------------------------------------------------------------------


def application_list(*, user, filters: dict | None = None) -> QuerySet[Application]:
    qs = Application.objects.filter(scope_for(user).organizations_q("organization"))
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("street"):
        qs = qs.filter(organization__street_id=filters["street"])
    if filters.get("q"):
        qs = qs.filter(Q(activity__icontains=filters["q"]) | Q(organization__name__icontains=filters["q"]))
    return qs.select_related("organization", "organization__street", "created_by")


def application_get(*, user, pk, write: bool = False) -> Application:
    return scoped_get(
        user=user,
        queryset=Application.objects.select_related("organization", "organization__street", "account", "created_by"),
        scope_q_name="organizations_q",
        path="organization",
        pk=pk,
        write=write,
    )


def objection_get(*, user, pk) -> Objection:
    return scoped_get(
        user=user,
        queryset=Objection.objects.select_related("application", "application__organization"),
        scope_q_name="organizations_q",
        path="application__organization",
        pk=pk,
    )


def approval_queue(*, user) -> QuerySet[Application]:
    """What the user's level has to act on: street review and settlements
    (报账) to review for street staff; district review, and 公示 that has
    run its course, for district staff."""
    levels = policy.approval_levels(user)
    q = Q(pk__in=[])
    if policy.STREET_LEVEL in levels:
        q |= Q(status__in=[Application.Status.STREET_REVIEW, Application.Status.SETTLEMENT_REVIEW]) & scope_for(
            user, write=True
        ).organizations_q("organization")
    if policy.DISTRICT_LEVEL in levels:
        q |= Q(status__in=[Application.Status.DISTRICT_REVIEW, Application.Status.PUBLICITY])
    return application_list(user=user).filter(q).order_by("waiting_since")


def settlement_list(*, application: Application) -> QuerySet:
    """An application's 报账 submissions, newest first, with their lines and
    receipts; the caller fetched the application through a scoped selector."""
    return application.settlements.select_related("submitted_by", "decided_by").prefetch_related(
        "lines", "lines__receipt"
    )


def publicity_list(*, user, on: date | None = None) -> QuerySet[Application]:
    """公示: approved applications whose notice period includes `on`, for the staff of the scope."""
    on = on or timezone.localdate()
    return (
        application_list(user=user)
        .filter(status=Application.Status.PUBLICITY, publicity_start__lte=on, publicity_end__gte=on)
        .annotate(open_objections=Count("objections", filter=Q(objections__resolved_at__isnull=True)))
        .order_by("publicity_end")
    )


def applications_waiting(*, on: date, days: int = 10) -> QuerySet[Application]:
    """Applications waiting on someone (street, district or the end of 公示
    handling) since more than `days` days before `on`. District-wide and
    unscoped: the nightly warnings run calls it and files each under its
    street. `waiting_label` on each row says whose turn it is."""
    cutoff = timezone.make_aware(datetime.combine(on - timedelta(days=days), time.max))
    return (
        Application.objects.filter(status__in=Application.WAITING, waiting_since__lte=cutoff)
        .exclude(status=Application.Status.PUBLICITY, publicity_end__gte=on - timedelta(days=days))
        .select_related("organization", "organization__street")
        .order_by("waiting_since")
    )


def waiting_label(application: Application) -> str:
    return {
        Application.Status.STREET_REVIEW: gettext_noop("待街道审批"),
        Application.Status.DISTRICT_REVIEW: gettext_noop("待区级审批"),
        Application.Status.PUBLICITY: gettext_noop("公示期满待拨付"),
        Application.Status.SETTLEMENT_REVIEW: gettext_noop("报账待街道审核"),
    }.get(application.status, application.get_status_display())


def items_waiting_for(*, user) -> dict:
    """The home page's fund box: what needs this person, and unread news."""
    scope = scope_for(user)
    mine = application_list(user=user).filter(organization_id__in=scope.organization_ids)
    return {
        "queue": list(approval_queue(user=user)[:10]),
        "to_fix": list(mine.filter(status=Application.Status.RETURNED)[:10]) if scope.organization_ids else [],
        "to_settle": list(mine.filter(status=Application.Status.DISBURSED)[:10]) if scope.organization_ids else [],
        "publicity": list(publicity_list(user=user)[:10]) if policy.may_see_publicity(user) else [],
        "notifications": list(Notification.objects.filter(user=user, read_at__isnull=True)[:10]),
    }


# --- reports ----------------------------------------------------------------------------------


def half_year_bounds(year: int, half: int) -> tuple[date, date]:
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


# The ledger columns of the supervision report: every kind of movement an
# account can have, each in exactly one column, so that on every row
# 期初 + inflows − outflows = 期末. A reversal counts where its sign puts it.
LEDGER_INFLOWS = ("income", "reward", "returned_money", "reversal_in")
LEDGER_OUTFLOWS = ("disbursed", "reversal_out")
LEDGER_KIND_COLUMN = {
    **{kind.value: "income" for kind in INCOME_KINDS},
    TransactionKind.REWARD.value: "reward",
    TransactionKind.RETURN.value: "returned_money",
    TransactionKind.DISBURSEMENT.value: "disbursed",
    TransactionKind.REVERSAL.value: "reversal",
}
assert set(LEDGER_KIND_COLUMN) == set(TransactionKind.values), "every kind of movement needs a column"
WORKFLOW_COUNTS = ("applications", "approved", "publicity", "returned", "settled")
MONEY_COLUMNS = ("requested", "opening", *LEDGER_INFLOWS, *LEDGER_OUTFLOWS, "closing")


@dataclass
class SupervisionRow:
    organization: PartyOrganization
    account: FundAccount | None
    # The workflow, from the applications: how many were filed, approved, in
    # 公示, returned and settled in the half-year, and the money asked for.
    applications: int
    approved: int
    publicity: int
    returned: int
    settled: int
    requested: Decimal
    # The account, from the journal by business date.
    opening: Decimal
    income: Decimal  # 入账: 企业预存, 党费返还, 群团联筹, 自愿赞助 (财政补助 if any)
    reward: Decimal  # 奖补划入 from the pool
    returned_money: Decimal  # 结余退回 into the account
    reversal_in: Decimal  # 冲正 entries adding to the account
    disbursed: Decimal  # 提取拨付, with or without an application behind it
    reversal_out: Decimal  # 冲正 entries taking from the account
    closing: Decimal

    @property
    def inflow(self) -> Decimal:
        return sum((getattr(self, k) for k in LEDGER_INFLOWS), ZERO)

    @property
    def outflow(self) -> Decimal:
        return sum((getattr(self, k) for k in LEDGER_OUTFLOWS), ZERO)

    @property
    def adds_up(self) -> bool:
        return self.opening + self.inflow - self.outflow == self.closing


@dataclass
class SupervisionReport:
    street: Region
    start: date
    end: date
    rows: list[SupervisionRow]
    totals: dict
    # Straight from the journal, apart from the rows: the entries of the
    # street's accounts dated before `start` and up to `end`.
    journal_opening: Decimal
    journal_closing: Decimal
    problems: list[str]  # what the reconciliation found; empty when it holds

    @property
    def reconciles(self) -> bool:
        return not self.problems


def _reconcile(
    rows: list[SupervisionRow],
    totals: dict,
    *,
    journal_opening: Decimal,
    journal_closing: Decimal,
    stored: Decimal,
    journal_all: Decimal,
) -> list[str]:
    """What does not hold; the totals are the sums of the rows by construction."""
    problems = []
    for row in rows:
        if not row.adds_up:
            problems.append(
                _("%(org)s：期初 %(o)s + 流入 %(i)s − 流出 %(out)s ≠ 期末 %(c)s")
                % {
                    "org": row.organization.name,
                    "o": row.opening,
                    "i": row.inflow,
                    "out": row.outflow,
                    "c": row.closing,
                }
            )
    if totals["opening"] != journal_opening:
        problems.append(
            _("期初余额合计 %(t)s 元与账本 %(j)s 元不一致") % {"t": totals["opening"], "j": journal_opening}
        )
    if totals["closing"] != journal_closing:
        problems.append(
            _("期末余额合计 %(t)s 元与账本 %(j)s 元不一致") % {"t": totals["closing"], "j": journal_closing}
        )
    if stored != journal_all:
        problems.append(_("账户余额合计 %(s)s 元与账本分录合计 %(j)s 元不一致") % {"s": stored, "j": journal_all})
    return problems


def supervision_report(*, user, street: Region, year: int, half: int) -> SupervisionReport:
    """半年度监管报表 per street: per organization, the applications filed,
    approved, in 公示, returned and settled in the half-year, and its account
    from the journal: the balance at both ends and every movement between
    them, one column per kind. It says it reconciles only after checking
    that each row adds up, that the totals are the sums of the rows, and
    that the opening and closing totals equal the journal's own sums."""
    start, end = half_year_bounds(year, half)
    orgs = list(
        PartyOrganization.objects.filter(scope_for(user).organizations_q(), street=street)
        .filter(Q(fund_account__isnull=False) | Q(fund_applications__isnull=False))
        .distinct()
        .select_related("fund_account")
        .order_by("name")
    )
    accounts = {o.pk: getattr(o, "fund_account", None) for o in orgs}
    account_ids = [a.pk for a in accounts.values() if a]

    # One grouped pass over the journal and one over the applications, each
    # figure a filtered aggregate, instead of a query per figure.
    in_period = Q(transaction__occurred_on__gte=start, transaction__occurred_on__lte=end)

    def of_kind(column: str) -> Q:
        return in_period & Q(transaction__kind__in=[k for k, c in LEDGER_KIND_COLUMN.items() if c == column])

    journal = {
        r["account_id"]: {k: money(v) for k, v in r.items() if k != "account_id"}
        for r in FundEntry.objects.filter(account_id__in=account_ids)
        .values("account_id")
        .annotate(
            opening=Sum("amount", filter=Q(transaction__occurred_on__lt=start)),
            closing=Sum("amount", filter=Q(transaction__occurred_on__lte=end)),
            income=Sum("amount", filter=of_kind("income")),
            reward=Sum("amount", filter=of_kind("reward")),
            returned_money=Sum("amount", filter=of_kind("returned_money")),
            reversal_in=Sum("amount", filter=of_kind("reversal") & Q(amount__gt=0)),
            disbursed=-Sum("amount", filter=of_kind("disbursed")),
            reversal_out=-Sum("amount", filter=of_kind("reversal") & Q(amount__lt=0)),
        )
        .order_by()
    }

    apps = Application.objects.filter(organization__in=orgs)
    filed_q = Q(created_at__date__gte=start, created_at__date__lte=end)
    per_org = {
        r["organization_id"]: r
        for r in apps.values("organization_id")
        .annotate(
            filed=Count("pk", filter=filed_q),
            requested=Sum("amount", filter=filed_q),
            approved=Count("pk", filter=Q(approved_on__gte=start, approved_on__lte=end)),
            in_publicity=Count("pk", filter=Q(publicity_start__lte=end, publicity_end__gte=start)),
        )
        .order_by()
    }

    def step_count(action: str) -> dict[int, int]:
        return dict(
            apps.filter(steps__action=action, steps__at__date__gte=start, steps__at__date__lte=end)
            .values_list("organization_id")
            .annotate(n=Count("steps"))
            .order_by()
        )

    returned, settled = step_count("return"), step_count("settle")
    rows = []
    for org in orgs:
        acc = accounts[org.pk]
        figures = journal.get(acc.pk, {}) if acc else {}
        workflow = per_org.get(org.pk, {})
        rows.append(
            SupervisionRow(
                organization=org,
                account=acc,
                applications=workflow.get("filed", 0),
                approved=workflow.get("approved", 0),
                publicity=workflow.get("in_publicity", 0),
                returned=returned.get(org.pk, 0),
                settled=settled.get(org.pk, 0),
                requested=money(workflow.get("requested")),
                **{k: figures.get(k, ZERO) for k in ("opening", *LEDGER_INFLOWS, *LEDGER_OUTFLOWS, "closing")},
            )
        )
    totals = {key: sum((getattr(r, key) for r in rows), 0) for key in WORKFLOW_COUNTS}
    totals.update({key: sum((getattr(r, key) for r in rows), ZERO) for key in MONEY_COLUMNS})
    totals["inflow"] = sum((r.inflow for r in rows), ZERO)
    totals["outflow"] = sum((r.outflow for r in rows), ZERO)
    street_entries = FundEntry.objects.filter(account_id__in=account_ids)
    journal_opening = money(street_entries.filter(transaction__occurred_on__lt=start).aggregate(s=Sum("amount"))["s"])
    journal_closing = money(street_entries.filter(transaction__occurred_on__lte=end).aggregate(s=Sum("amount"))["s"])
    journal_all = money(street_entries.aggregate(s=Sum("amount"))["s"])
    stored = money(FundAccount.objects.filter(pk__in=account_ids).aggregate(s=Sum("balance"))["s"])
    return SupervisionReport(
        street=street,
        start=start,
        end=end,
        rows=rows,
        totals=totals,
        journal_opening=journal_opening,
        journal_closing=journal_closing,
        problems=_reconcile(
            rows,
            totals,
            journal_opening=journal_opening,
            journal_closing=journal_closing,
            stored=stored,
            journal_all=journal_all,
        ),
    )


@dataclass
class FundOverview:
    pool_balance: Decimal
    accounts: int
    balances: Decimal
    income_year: Decimal
    disbursed_year: Decimal
    waiting: int
    publicity: int
    to_settle: int


def fund_overview(*, user, on: date | None = None, region: Region | None = None) -> FundOverview:
    """The dashboard's small box: money in the accounts the user reaches and work in flight.
    With `region` (a street, park, district or city the caller fetched in the user's
    scope): only the organizations there, and no district pool."""
    on = on or timezone.localdate()
    where: dict = {}
    if region is not None and region.kind == Region.Kind.PARK:
        where = {"organization__park": region}
    elif region is not None and region.kind == Region.Kind.STREET:
        where = {"organization__street": region}
    elif region is not None:
        where = {"organization__street__in": region.streets_below()}
    accounts = account_list(user=user, kind=FundAccount.Kind.ORGANIZATION).filter(**where)
    ids = accounts.values("pk")  # a subquery: a query each, however many accounts (or none)
    agg = accounts.aggregate(n=Count("pk"), s=Sum("balance"))
    year = {"account_id__in": ids, "transaction__occurred_on__year": on.year}
    income = FundEntry.objects.filter(transaction__kind__in=[k.value for k in INCOME_KINDS], **year).aggregate(
        s=Sum("amount")
    )["s"]
    disbursed = FundEntry.objects.filter(transaction__kind=TransactionKind.DISBURSEMENT, **year).aggregate(
        s=Sum("amount")
    )["s"]
    apps = application_list(user=user).filter(**where)
    district_wide = scope_for(user).everything and region is None
    # One pool per district (DESIGN.md §8): a whole installation's box adds them up.
    pools = FundAccount.objects.filter(kind=FundAccount.Kind.POOL).aggregate(s=Sum("balance"))["s"]
    return FundOverview(
        pool_balance=money(pools) if district_wide else ZERO,
        accounts=agg["n"] or 0,
        balances=money(agg["s"]),
        income_year=money(income),
        disbursed_year=-money(disbursed),
        waiting=apps.filter(status__in=[Application.Status.STREET_REVIEW, Application.Status.DISTRICT_REVIEW]).count(),
        publicity=apps.filter(status=Application.Status.PUBLICITY).count(),
        to_settle=apps.filter(status=Application.Status.DISBURSED).count(),
    )


def entry_list(*, account: FundAccount) -> QuerySet[FundEntry]:
    """An account's journal, newest first; the caller fetched the account through a scoped selector."""
    return FundEntry.objects.filter(account=account).select_related("transaction").order_by("-seq")

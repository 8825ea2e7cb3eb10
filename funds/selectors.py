"""Reads of the fund, always scoped through `scope_for` (except the nightly
selector `applications_waiting`, which serves the district-wide warnings run)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

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
    qs = FundAccount.objects.filter(scope_for(user).organizations_q("organization"))
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
        if entry.amount > 0:
            money_in += entry.amount
        else:
            money_out -= entry.amount
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
        Application.Status.STREET_REVIEW: "待街道审批",
        Application.Status.DISTRICT_REVIEW: "待区级审批",
        Application.Status.PUBLICITY: "公示期满待拨付",
        Application.Status.SETTLEMENT_REVIEW: "报账待街道审核",
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


@dataclass
class SupervisionRow:
    organization: PartyOrganization
    account: FundAccount | None
    applications: int
    approved: int
    publicity: int
    returned: int
    requested: Decimal
    disbursed: Decimal
    settled_spent: Decimal
    returned_money: Decimal
    income: Decimal
    opening: Decimal
    closing: Decimal


@dataclass
class SupervisionReport:
    street: Region
    start: date
    end: date
    rows: list[SupervisionRow]
    totals: dict
    journal_closing: Decimal  # sum of the street's account entries up to `end`, straight from the journal

    @property
    def reconciles(self) -> bool:
        return self.totals["closing"] == self.journal_closing and (
            self.totals["opening"] + self.totals["net_flow"] == self.totals["closing"]
        )


def _money_dict(rows) -> dict:
    return {k: money(v) for k, v in rows}


def supervision_report(*, user, street: Region, year: int, half: int) -> SupervisionReport:
    """半年度监管报表 per street: per organization, the applications filed,
    approved, in 公示 and returned in the half-year, money disbursed and
    returned, income, and balances at both ends; the totals are checked
    against the journal."""
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
    journal = {
        r["account_id"]: r
        for r in FundEntry.objects.filter(account_id__in=account_ids)
        .values("account_id")
        .annotate(
            opening=Sum("amount", filter=Q(transaction__occurred_on__lt=start)),
            closing=Sum("amount", filter=Q(transaction__occurred_on__lte=end)),
            income=Sum("amount", filter=in_period & Q(transaction__kind__in=[k.value for k in INCOME_KINDS])),
            flows=Sum("amount", filter=in_period),
        )
        .order_by()
    }

    def entry_sums(name: str) -> dict[int, Decimal]:
        return {aid: money(r[name]) for aid, r in journal.items()}

    opening, closing, income, flows = (entry_sums(n) for n in ("opening", "closing", "income", "flows"))

    apps = Application.objects.filter(organization__in=orgs)
    filed_q = Q(created_at__date__gte=start, created_at__date__lte=end)
    back_q = Q(return_transaction__occurred_on__gte=start, return_transaction__occurred_on__lte=end)
    per_org = {
        r["organization_id"]: r
        for r in apps.values("organization_id")
        .annotate(
            filed=Count("pk", filter=filed_q),
            requested=Sum("amount", filter=filed_q),
            approved=Count("pk", filter=Q(approved_on__gte=start, approved_on__lte=end)),
            in_publicity=Count("pk", filter=Q(publicity_start__lte=end, publicity_end__gte=start)),
            disbursed=Sum("amount", filter=Q(disbursement__occurred_on__gte=start, disbursement__occurred_on__lte=end)),
            money_back=Sum("amount", filter=back_q) - Sum("spent_amount", filter=back_q),
        )
        .order_by()
    }

    def app_figure(name: str, *, as_money: bool) -> dict:
        return {oid: money(r[name]) if as_money else r[name] for oid, r in per_org.items()}

    filed = app_figure("filed", as_money=False)
    requested = app_figure("requested", as_money=True)
    approved = app_figure("approved", as_money=False)
    in_publicity = app_figure("in_publicity", as_money=False)
    disbursed = app_figure("disbursed", as_money=True)
    money_back = app_figure("money_back", as_money=True)
    returned = dict(
        apps.filter(steps__action="return", steps__at__date__gte=start, steps__at__date__lte=end)
        .values_list("organization_id")
        .annotate(n=Count("steps"))
        .order_by()
    )
    spent = _money_dict(
        apps.filter(
            status=Application.Status.SETTLED,
            steps__action="settle",
            steps__at__date__gte=start,
            steps__at__date__lte=end,
        )
        .values_list("organization_id")
        .annotate(s=Sum("spent_amount"))
        .order_by()
    )
    rows = []
    for org in orgs:
        acc = accounts[org.pk]
        aid = acc.pk if acc else None
        rows.append(
            SupervisionRow(
                organization=org,
                account=acc,
                applications=filed.get(org.pk, 0),
                approved=approved.get(org.pk, 0),
                publicity=in_publicity.get(org.pk, 0),
                returned=returned.get(org.pk, 0),
                requested=requested.get(org.pk) or ZERO,
                disbursed=disbursed.get(org.pk) or ZERO,
                settled_spent=spent.get(org.pk) or ZERO,
                returned_money=money_back.get(org.pk) or ZERO,
                income=income.get(aid) or ZERO,
                opening=opening.get(aid) or ZERO,
                closing=closing.get(aid) or ZERO,
            )
        )
    totals = {
        key: sum(
            (getattr(r, key) for r in rows),
            ZERO if key not in ("applications", "approved", "publicity", "returned") else 0,
        )
        for key in (
            "applications",
            "approved",
            "publicity",
            "returned",
            "requested",
            "disbursed",
            "settled_spent",
            "returned_money",
            "income",
            "opening",
            "closing",
        )
    }
    totals["net_flow"] = sum(flows.values(), ZERO)
    journal_closing = (
        FundEntry.objects.filter(account_id__in=account_ids, transaction__occurred_on__lte=end).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    return SupervisionReport(
        street=street, start=start, end=end, rows=rows, totals=totals, journal_closing=journal_closing
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
    With `region` (a street or park the caller fetched in the user's scope): only the
    organizations there, and no district pool."""
    on = on or timezone.localdate()
    where = {}
    if region is not None:
        where = {"organization__park" if region.kind == Region.Kind.PARK else "organization__street": region}
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
    pool = FundAccount.objects.filter(kind=FundAccount.Kind.POOL).first() if district_wide else None
    return FundOverview(
        pool_balance=pool.balance if pool else ZERO,
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

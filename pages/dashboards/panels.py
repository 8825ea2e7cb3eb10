"""The dashboard's panels beside the coverage figures: the star ratings in
force, the open warnings (and the 应建未建 list the bulletin prints), the
street's organizations, and the fund. Each reads the scope of the query.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext as _

from funds.selectors import FundOverview, fund_overview
from orgs.models import Alert, Enterprise, PartyOrganization
from orgs.selectors import alert_counts as alert_state_counts
from orgs.selectors import stars_in_force

from .query import DashboardQuery

# --- ratings and organizations -------------------------------------------------


def _enterprise_filter(q: DashboardQuery) -> Q | None:
    """The industry and 规上 filters as a condition on enterprises, or None without them."""
    condition = Q()
    if q.industry is not None:
        condition &= Q(industry=q.industry)
    if q.above_scale:
        condition &= Q(above_scale=True)
    return condition or None


def _covers_filtered_enterprise(q: DashboardQuery, condition: Q) -> Exists:
    links = PartyOrganization.enterprises.through.objects.filter(
        partyorganization=OuterRef("pk"),
        enterprise__in=Enterprise.objects.filter(condition),
    )
    return Exists(links)


def dashboard_organizations(*, q: DashboardQuery) -> QuerySet[PartyOrganization]:
    """The organizations of the query's scope; under an industry or 规上 filter,
    those covering at least one enterprise of that industry, or above scale."""
    qs = PartyOrganization.objects.filter(q.scope.organizations_q(), dissolved_on__isnull=True)
    if q.park is not None:
        qs = qs.filter(park=q.park)
    elif q.street is not None:
        qs = qs.filter(street=q.street)
    elif q.below_root is not None:
        qs = qs.filter(street__in=q.below_root.streets_below())
    condition = _enterprise_filter(q)
    if condition is not None:
        qs = qs.filter(_covers_filtered_enterprise(q, condition))
    return qs


def star_distribution(*, q: DashboardQuery, on: date) -> list[dict]:
    """Organizations by the star rating in force on `on`: one query."""
    counts = {
        row["stars"]: row["n"]
        for row in dashboard_organizations(q=q)
        .annotate(stars=stars_in_force(on=on))
        .values("stars")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = [{"stars": s, "label": "★" * s, "count": counts.get(s, 0)} for s in range(5, 0, -1)]
    rows.append({"stars": None, "label": _("未评定"), "count": counts.get(None, 0)})
    return rows


def street_organizations(*, q: DashboardQuery, on: date) -> QuerySet[PartyOrganization]:
    return (
        dashboard_organizations(q=q)
        .annotate(stars=stars_in_force(on=on), covered=Count("enterprises", distinct=True))
        .select_related("street", "park")
        .order_by("name")
    )


# --- warnings ----------------------------------------------------------------------

_LEVEL_ORDER = Case(
    When(level=Alert.Level.RED, then=Value(0)),
    When(level=Alert.Level.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def alerts_open(*, q: DashboardQuery, on: date) -> QuerySet[Alert]:
    """Warnings open on `on` in the scope of the query."""
    return _alerts_in_scope(q=q).filter(opened_on__lte=on).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))


def _alerts_in_scope(*, q: DashboardQuery) -> QuerySet[Alert]:
    """Warnings, whatever their dates, in the scope and filters of the query."""
    qs = Alert.objects.filter(q.scope.streets_q("street"))
    if q.park is not None:
        qs = qs.filter(Q(organization__park=q.park) | Q(enterprise__park=q.park))
    elif q.street is not None:
        qs = qs.filter(street=q.street)
    elif q.below_root is not None:
        qs = qs.filter(street__in=q.below_root.streets_below())
    condition = _enterprise_filter(q)
    if condition is not None:
        # A warning about an enterprise of the industry (or above scale), or
        # about an organization covering one; warnings about neither are out.
        matching = Enterprise.objects.filter(condition)
        orgs = PartyOrganization.objects.filter(_covers_filtered_enterprise(q, condition))
        qs = qs.filter(Q(enterprise__in=matching) | Q(organization__in=orgs))
    return qs


def alerts_top(*, q: DashboardQuery, on: date, limit: int = 8) -> list[Alert]:
    """The most urgent open warnings: red first, oldest first. The few ids are
    picked before the joins, so the joins touch `limit` rows, not all warnings."""
    order = ("level_rank", "opened_on", "pk")
    top = alerts_open(q=q, on=on).annotate(level_rank=_LEVEL_ORDER).order_by(*order).values("pk")[:limit]
    return list(
        Alert.objects.filter(pk__in=Subquery(top))
        .select_related("street", "organization", "enterprise")
        .annotate(level_rank=_LEVEL_ORDER)
        .order_by(*order)
    )


def alert_counts(*, q: DashboardQuery, on: date) -> list[dict]:
    counts = {row["level"]: row["n"] for row in alerts_open(q=q, on=on).values("level").annotate(n=Count("pk"))}
    return [{"level": v, "label": str(label), "count": counts.get(v, 0)} for v, label in Alert.Level.choices]


def alert_work_counts(*, q: DashboardQuery, on: date) -> dict[str, int]:
    """Where the work on the query's warnings stands (DESIGN.md §10): open,
    assigned, responded, closed this month, overdue; under the dashboard's filters."""
    return alert_state_counts(alerts=_alerts_in_scope(q=q), on=on)


def should_form_list(*, q: DashboardQuery, on: date) -> QuerySet[Alert]:
    """应建未建 enterprises as the nightly run found them (its warnings)."""
    return (
        alerts_open(q=q, on=on)
        .filter(kind=Alert.Kind.SHOULD_FORM, enterprise__isnull=False)
        .select_related("enterprise", "enterprise__street", "enterprise__park")
        .order_by("enterprise__street__name", "enterprise__name")
    )


# --- the fund ----------------------------------------------------------------------


def fund_panel(*, q: DashboardQuery) -> FundOverview:
    """The fund as of today in the scope of the query: the accounts' count and
    balances, this year's income and disbursements, applications in flight;
    the district pool on the district view only."""
    return fund_overview(user=q.user, region=q.park or q.street or q.below_root)


# --- the lists behind the panels' numbers ---------------------------------------------


def star_list(*, q: DashboardQuery, on: date, stars: str) -> QuerySet[PartyOrganization]:
    """The organizations behind one bar of the star chart ("none": not rated)."""
    qs = dashboard_organizations(q=q).annotate(stars=stars_in_force(on=on)).select_related("street", "park")
    qs = qs.filter(stars__isnull=True) if stars == "none" else qs.filter(stars=int(stars))
    return qs.order_by("name")


def alert_list(*, q: DashboardQuery, on: date, level: str) -> QuerySet[Alert]:
    """The open warnings behind one count of the warnings panel (all levels without one)."""
    qs = alerts_open(q=q, on=on).select_related("street", "organization", "enterprise")
    if level:
        qs = qs.filter(level=level)
    return qs.annotate(level_rank=_LEVEL_ORDER).order_by("level_rank", "opened_on", "pk")

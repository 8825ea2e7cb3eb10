"""Dashboard pages: the overview (district or street), its exports and the
monthly bulletin. Thin: the reads are in pages.dashboards."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.selectors import AllianceFigures, alliance_figures
from core.db_router import replica_reads
from core.xlsx import Percent, percent, xlsx_response
from demands.figures import demands_figures
from exports.views import export_response
from orgs import policy
from orgs.models import Alert, Region, Role
from pairings.selectors import pairings_figures

from .dashboards.drilldown import DASHBOARD_FIGURES
from .dashboards.figures import TABLE_SORTS, month_end, snapshot_latest
from .dashboards.page import dashboard_data
from .dashboards.panels import alert_list, should_form_list, star_list, street_organizations
from .dashboards.query import DashboardQuery, dashboard_query, filter_options

if TYPE_CHECKING:
    from orgs.policy import AnyUser


def _pct(value: float | None) -> Percent | None:
    """A rate (or a change of one) as a number the sheet shows in percent."""
    return percent(value)


def _role_label(user: AnyUser) -> str:
    role = policy.staff_role(user)
    return str(Role(role).label) if role else ""


def _scope_title(q: DashboardQuery) -> str:
    if q.park is not None:
        return f"{q.street.name} · {q.park.name}"
    if q.street is not None:
        return q.street.name
    name = _region_name(q)
    if q.industry is not None:
        return f"{name} · {q.industry.label}"
    return name


def _region_name(q: DashboardQuery) -> str:
    """The page's region; a district at the root of the tree keeps the installation's name."""
    return _name_of(q.region)


def _name_of(region: Region | None) -> str:
    if region is None or (region.parent_id is None and region.kind == Region.Kind.DISTRICT):
        return settings.DISTRICT_NAME
    return region.name


def _issuer(q: DashboardQuery) -> str:
    """Whose 两新工委 issues the bulletin: the page's region, or a street's district."""
    if q.street is not None and q.street.parent is not None:
        return _name_of(q.street.parent)
    return _region_name(q)


def _alliance_figures(q: DashboardQuery) -> AllianceFigures:
    """The alliances' figures for the page's region: the year to the page's date."""
    region = q.park.parent if q.park is not None else (q.street or q.region)
    return alliance_figures(user=q.user, region=region, start=date(q.date.year, 1, 1), end=q.date)


@login_required
@replica_reads
def dashboard_view(request: HttpRequest) -> HttpResponse:
    q = dashboard_query(user=request.user, params=request.GET)
    data = dashboard_data(q=q)
    if q.street is not None and data["overview"].current is not None:
        data["organizations"] = street_organizations(q=q, on=data["overview"].current.date)[:30]
    context = {
        **data,
        "options": filter_options(q=q),
        "title": _scope_title(q),
        "role_label": _role_label(request.user),
        "figures": DASHBOARD_FIGURES,
        "sorts": TABLE_SORTS,
        "demand_figures": demands_figures(user=request.user, region=q.street or q.region),
        "alliance_figures": _alliance_figures(q),
        "pairing_figures": pairings_figures(user=request.user, region=q.street or q.below_root),
    }
    template = "orgs/dashboard/_dash.html" if request.htmx else "orgs/dashboard/index.html"
    return render(request, template, context)


PANEL_LIST_LIMIT = 500


@login_required
@replica_reads
def dashboard_panel_list_view(request: HttpRequest, panel: str) -> HttpResponse:
    """The records behind a number of the star chart or the warnings panel,
    under the dashboard's filters and on the date of its figures."""
    q = dashboard_query(user=request.user, params=request.GET)
    kind, keys = q.snapshot_key()
    latest = snapshot_latest(kind=kind, keys=keys, above_scale=q.above_scale, on=q.date)
    on = latest.date if latest else q.date
    if panel == "stars":
        stars = request.GET.get("stars", "")
        if stars not in ("1", "2", "3", "4", "5", "none"):
            raise Http404(_("星级参数无效"))
        qs = star_list(q=q, on=on, stars=stars)
        label = _("未评定") if stars == "none" else "★" * int(stars)
    elif panel == "alerts":
        level = request.GET.get("level", "")
        if level and level not in Alert.Level.values:
            raise Http404(_("预警级别参数无效"))
        qs = alert_list(q=q, on=on, level=level)
        label = str(Alert.Level(level).label) if level else _("全部级别")
    else:
        raise Http404(_("没有这张表"))
    return render(
        request,
        "orgs/dashboard/panel_list.html",
        {
            "q": q,
            "on": on,
            "panel": panel,
            "label": label,
            "title": _scope_title(q),
            "total": qs.count(),
            "items": qs[:PANEL_LIST_LIMIT],
            "limit": PANEL_LIST_LIMIT,
        },
    )


# What the rows of the ranking table are, by the kind of the children ranked.
ROW_LABELS = {
    Region.Kind.CITY: gettext_lazy("市"),
    Region.Kind.DISTRICT: gettext_lazy("区县"),
    Region.Kind.STREET: gettext_lazy("街道"),
    Region.Kind.PARK: gettext_lazy("园区"),
}


EXPORTS = {
    "kpis": gettext_lazy("主要指标"),
    "rows": gettext_lazy("分区统计"),
    "stars": gettext_lazy("星级分布"),
    "alerts": gettext_lazy("预警"),
    "organizations": gettext_lazy("党组织"),
    "should_form": gettext_lazy("应建未建"),
    "trend": gettext_lazy("月度趋势"),
}


# The tables that are lists of records, as long as the scope is large: an
# export job past settings.EXPORT_INLINE_MAX_ROWS (pages.dashboard_exports).
LIST_EXPORTS = ("alerts", "organizations", "should_form")


@login_required
@replica_reads
def dashboard_export_view(request: HttpRequest, table: str) -> HttpResponseBase:
    if table not in EXPORTS:
        raise Http404(_("没有这张表"))
    if table in LIST_EXPORTS:
        return export_response(request, kind=f"dashboard_{table}", params=request.GET.dict())
    q = dashboard_query(user=request.user, params=request.GET)
    data = dashboard_data(q=q)
    current = data["overview"].current
    title = f"{_scope_title(q)}{EXPORTS[table]}"
    stamp = current.date.isoformat() if current else q.date.isoformat()
    filename = f"{title}_{stamp}.xlsx"
    if current is None:
        return xlsx_response(
            filename=filename, title=str(EXPORTS[table]), headers=[_("说明")], rows=[[_("该日期前夜间统计尚未运行")]]
        )
    if table == "kpis":
        previous = data["overview"].previous
        headers = [_("指标"), _("数值"), _("较上月末"), _("统计日期"), _("比较日期")]
        rows = [
            [
                k["label"],
                _pct(k["value"]) if k["is_rate"] else k["value"],
                _pct(k["delta"]) if k["is_rate"] else k["delta"],
                current.date,
                previous.date if previous else "",
            ]
            for k in data["overview"].kpis
        ]
    elif table == "rows":
        region_label = str(ROW_LABELS.get(data["row_kind"], _("园区")))
        headers = [region_label, *[str(label) for label in DASHBOARD_FIGURES.values()], _("组织覆盖率较上月")]
        rows = [
            [
                r["name"],
                *[_pct(c["value"]) if c["is_rate"] else c["value"] for c in r["cells"]],
                _pct(r["org_coverage_delta"]),
            ]
            for r in data["rows"]
        ]
    elif table == "stars":
        headers = [_("星级"), _("党组织数")]
        rows = [[r["label"], r["count"]] for r in data["stars"]]
    else:  # trend
        headers = [_("月份"), _("组织覆盖率"), _("工作覆盖率"), _("单独组建率"), _("应建未建")]
        rows = [
            [t["month"], _pct(t["org_coverage"]), _pct(t["work_coverage"]), _pct(t["own_org_rate"]), t["should_form"]]
            for t in data["overview"].trend
        ]
    return xlsx_response(filename=filename, title=str(EXPORTS[table]), headers=headers, rows=rows)


def _bulletin_month(raw: str, notices: list[str]) -> date:
    today = timezone.localdate()
    default = today.replace(day=1) - relativedelta(months=1)
    if not raw:
        return default
    try:
        month = datetime.strptime(raw.strip(), "%Y-%m").date()  # noqa: DTZ007 (a calendar month, no time of day)
    except ValueError:
        notices.append(_("月份“%(value)s”格式不正确，应为 年-月（如 2026-10），已显示上月通报。") % {"value": raw[:20]})
        return default
    if month > today:
        notices.append(_("所选月份尚未开始，已显示上月通报。"))
        return default
    return month


BULLETIN_SHOULD_FORM_LIMIT = 300


@login_required
@replica_reads
def bulletin_view(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    notices: list[str] = []
    month = _bulletin_month(params.get("month", ""), notices)
    params["date"] = month_end(month).isoformat() if month_end(month) < timezone.localdate() else ""
    params["sort"] = "-org_coverage"
    q = dashboard_query(user=request.user, params=params)
    q.notices[:0] = notices
    data = dashboard_data(q=q)
    current = data["overview"].current
    should_form = []
    should_form_total = 0
    if current is not None:
        qs = should_form_list(q=q, on=current.date)
        should_form_total = qs.count()
        should_form = list(qs[:BULLETIN_SHOULD_FORM_LIMIT])
    stale = current is not None and (current.date.year, current.date.month) != (month.year, month.month)
    return render(
        request,
        "orgs/dashboard/bulletin.html",
        {
            **data,
            "month": month,
            "month_value": f"{month.year}-{month.month:02d}",
            "stale": stale,
            "title": _scope_title(q),
            "issuer": _issuer(q),
            "should_form": should_form,
            "should_form_total": should_form_total,
            "should_form_limit": BULLETIN_SHOULD_FORM_LIMIT,
            "export_query": q.querystring(sort=""),
            "ranking_query": q.querystring(),
            "demand_figures": demands_figures(
                user=request.user, region=q.street or q.region, on=min(month_end(month), timezone.localdate())
            ),
            "alliance_figures": _alliance_figures(q),
            "pairing_figures": pairings_figures(
                user=request.user, region=q.street or q.below_root, on=min(month_end(month), timezone.localdate())
            ),
        },
    )

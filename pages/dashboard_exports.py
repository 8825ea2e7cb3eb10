"""The dashboard's list exports (open warnings, a street's organizations,
the firms that should form one) as registered exports: the page sends the
file at once when it is small, an export job writes it when large. Each
builder reads the dashboard's filters again for the user, so the job's file
holds what the page would have sent."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from exports.registry import Export, Params, register

from .dashboard_views import EXPORTS, _scope_title
from .dashboards.figures import snapshot_latest
from .dashboards.panels import alerts_open, should_form_list, street_organizations
from .dashboards.query import DashboardQuery, dashboard_query


def _alerts(q: DashboardQuery, on: Any) -> tuple[list[str], Any, Callable[[Any], Sequence[Any]]]:
    headers = [_("级别"), _("类别"), _("街道"), _("党组织"), _("企业"), _("说明"), _("发出日期")]
    queryset = (
        alerts_open(q=q, on=on)
        .select_related("street", "organization", "enterprise")
        .order_by("street__name", "opened_on")
    )

    def row(a: Any) -> list[Any]:
        return [
            a.get_level_display(),
            a.get_kind_display(),
            a.street.name if a.street else "",
            a.organization.name if a.organization else "",
            a.enterprise.name if a.enterprise else "",
            a.text,
            a.opened_on,
        ]

    return headers, queryset, row


def _organizations(q: DashboardQuery, on: Any) -> tuple[list[str], Any, Callable[[Any], Sequence[Any]]]:
    headers = [
        _("党组织"),
        _("类别"),
        _("组建方式"),
        _("街道"),
        _("园区"),
        _("书记"),
        _("任期届满"),
        _("覆盖企业"),
        _("星级"),
    ]

    def row(o: Any) -> list[Any]:
        return [
            o.name,
            o.get_org_type_display(),
            o.get_formation_mode_display(),
            o.street.name,
            o.park.name if o.park else "",
            o.secretary_name,
            o.term_end,
            o.covered,
            o.stars or "",
        ]

    return headers, street_organizations(q=q, on=on), row


def _should_form(q: DashboardQuery, on: Any) -> tuple[list[str], Any, Callable[[Any], Sequence[Any]]]:
    headers = [_("企业名称"), _("统一社会信用代码"), _("街道"), _("园区"), _("正式党员"), _("从业人员"), _("发现日期")]

    def row(a: Any) -> list[Any]:
        return [
            a.enterprise.name,
            a.enterprise.credit_code,
            a.enterprise.street.name,
            a.enterprise.park.name if a.enterprise.park else "",
            a.enterprise.members_formal,
            a.enterprise.employees,
            a.opened_on,
        ]

    return headers, should_form_list(q=q, on=on), row


TABLES = {"alerts": _alerts, "organizations": _organizations, "should_form": _should_form}


def _builder(table: str) -> Callable[[Any, Params], Export]:
    def build(user: Any, params: Params) -> Export:
        q = dashboard_query(user=user, params=params)
        kind, keys = q.snapshot_key()
        current = snapshot_latest(kind=kind, keys=keys, above_scale=q.above_scale, on=q.date)
        title = f"{_scope_title(q)}{EXPORTS[table]}"
        stamp = current.date.isoformat() if current else q.date.isoformat()
        filename = f"{title}_{stamp}.xlsx"
        if current is None:
            note = [[_("该日期前夜间统计尚未运行")]]
            return Export(filename, str(EXPORTS[table]), [_("说明")], rows=lambda: note, count=lambda: 1)
        headers, queryset, row = TABLES[table](q, current.date)

        def rows() -> Iterable[Sequence[Any]]:
            return (row(item) for item in queryset.iterator(chunk_size=2000))

        return Export(filename, str(EXPORTS[table]), headers, rows=rows, count=queryset.count)

    return build


def register_dashboard_exports() -> None:
    for table in TABLES:
        register(f"dashboard_{table}", _builder(table))

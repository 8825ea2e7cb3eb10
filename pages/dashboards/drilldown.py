"""The figures a dashboard shows, and the ONE place that maps a figure to the
list of records behind it (DESIGN.md §3: every figure links to its list).

`drilldown_url` is what a number on a dashboard links to; `drilldown_context`
is what the list page says when it was opened from such a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import BusinessStatus, Industry, Region

# The figures a dashboard shows, in display order. Keys are what
# `drilldown_url` understands and what the export and the bulletin call them.
DASHBOARD_FIGURES: dict[str, str] = {
    "enterprises": gettext_lazy("在营企业"),
    "organizations": gettext_lazy("党组织"),
    "members": gettext_lazy("党员"),
    "org_coverage": gettext_lazy("组织覆盖率"),
    "work_coverage": gettext_lazy("工作覆盖率"),
    "own_org_rate": gettext_lazy("单独组建率"),
    "should_form": gettext_lazy("应建未建"),
    # 群团 beside the party figures (DESIGN.md §9).
    "union_rate": gettext_lazy("工会建会率"),
    "union_membership_rate": gettext_lazy("职工入会率"),
    "league_rate": gettext_lazy("团组织建立率"),
}
RATE_FIGURES = ("org_coverage", "work_coverage", "own_org_rate", "union_rate", "union_membership_rate", "league_rate")

# Filters the enterprise list already understands. The list of the nightly
# statistics (with the reason each enterprise is in it) replaces this target
# later; only this mapping changes then.
_OPERATING = {"status": BusinessStatus.OPERATING}
_DRILLDOWN_FILTERS: dict[str, dict[str, str]] = {
    "enterprises": _OPERATING,
    "members": _OPERATING,
    "org_coverage": {**_OPERATING, "covered": "true"},
    # Instructor-only coverage has no list filter yet: the base set is shown.
    "work_coverage": _OPERATING,
    "own_org_rate": {**_OPERATING, "min_formal": "3"},
    "should_form": {**_OPERATING, "min_formal": "3", "covered": "false"},
}


# The statistics drill-down's set behind each figure: it lists the records the
# snapshot counted (a rate: its numerator, with the base beside it), under
# every filter of the dashboard, so its count is the figure.
_ENTERPRISE_SET_OF = {
    "enterprises": "enterprises",
    "organizations": "organizations",
    "members": "members",
    "org_coverage": "org_covered",
    "work_coverage": "work_covered",
    "own_org_rate": "own_org",
    "should_form": "should_form_not_formed",
    "union_rate": "union_established",
    "union_membership_rate": "union_membership",
    "league_rate": "league_established",
}


def _key(value: Region | Industry | int | str) -> int | str:
    return getattr(value, "pk", value)


def drilldown_url(
    figure: str,
    *,
    date: date,
    street: Region | int | None = None,
    park: Region | int | None = None,
    industry: Industry | str | None = None,
    above_scale: bool = False,
    region: Region | int | None = None,
) -> str:
    """The list of records behind one number on a dashboard; `region` for a
    number of a region above the streets that is not the root of the tree."""
    stats_figure = _ENTERPRISE_SET_OF.get(figure)
    if stats_figure:
        # The nightly statistics list the exact records behind the figure,
        # each with the reason it is counted, as of the snapshot's date.
        params = {"date": date.isoformat()}
        if region is not None:
            params["region"] = str(_key(region))
        if street is not None:
            params["street"] = str(_key(street))
        if park is not None:
            params["park"] = str(_key(park))
        if industry is not None:
            params["industry"] = str(_key(industry))
        if above_scale:
            params["above_scale"] = "1"
        return f"{reverse('orgs:stats_drilldown', args=[stats_figure])}?{urlencode(params)}"
    return drilldown_list_url(figure, date=date, street=street, park=park, industry=industry, above_scale=above_scale)


def drilldown_list_url(
    figure: str,
    *,
    date: date,
    street: Region | int | None = None,
    park: Region | int | None = None,
    industry: Industry | str | None = None,
    above_scale: bool = False,
) -> str:
    """The filtered enterprise (or organization) list standing in for a figure
    the statistics drill-down does not scope: members, organizations, parks, industries."""
    params: dict[str, str] = {}
    if figure == "organizations":
        target = reverse("orgs:organization_list")
    else:
        target = reverse("orgs:enterprise_list")
        params.update(_DRILLDOWN_FILTERS.get(figure, {}))
        if industry is not None:
            params["industry"] = str(_key(industry))
        if above_scale:
            params["above_scale"] = "true"
    if street is not None:
        params["street"] = str(_key(street))
    if park is not None:
        params["park"] = str(_key(park))
    params["figure"] = figure
    params["date"] = date.isoformat()
    return f"{target}?{urlencode(params)}"


def figure_label(figure: str) -> str:
    return str(DASHBOARD_FIGURES.get(figure, ""))


def drilldown_context(params: Mapping[str, str]) -> dict | None:
    """What a list page says when it was opened from a dashboard number."""
    figure = params.get("figure", "")
    if figure not in DASHBOARD_FIGURES:
        return None
    conditions = []
    if params.get("status") == BusinessStatus.OPERATING:
        conditions.append(_("在营"))
    if params.get("covered") in ("true", "false"):
        conditions.append(_("有党组织覆盖") if params["covered"] == "true" else _("无党组织覆盖"))
    if (params.get("min_formal") or "").isdigit():
        conditions.append(_("正式党员不少于%(n)s名") % {"n": params["min_formal"]})
    if params.get("above_scale") == "true":
        conditions.append(_("规上企业"))
    if params.get("industry"):
        conditions.append(_("行业门类 %(code)s") % {"code": params["industry"][:2]})
    return {
        "figure": figure,
        "label": figure_label(figure),
        "date": (params.get("date") or "")[:10],
        "conditions": conditions,
    }

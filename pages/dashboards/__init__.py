"""Dashboards: reads of what the nightly statistics stored.

Everything here reads result tables (coverage snapshots, ratings, warnings)
and the fund accounts; nothing recomputes coverage. The page for a scope is
as cheap at a hundred thousand enterprises as at a hundred, because the
nightly run already did the counting: a fixed number of small queries per
page, whatever the size of the district.

Scope goes through `scope_for` like every other read. District staff and
district leaders see the district; street staff and street leaders their
street; secretaries and instructors have no dashboard (404).

The modules, by topic:

- `query`: what the user asked for (the filters of the URL) and the filter bar's choices;
- `drilldown`: the figures, and the one place that maps a figure to the list behind it;
- `figures`: snapshots, the overview with its trend, the table of streets or parks;
- `panels`: star ratings, warnings, the street's organizations, the fund;
- `page`: the page's data, assembled from the above.

The names below are the entry points other modules use.
"""

from .drilldown import DASHBOARD_FIGURES, drilldown_context, drilldown_list_url, drilldown_url
from .figures import TABLE_SORTS, month_end
from .page import dashboard_data
from .query import DashboardQuery, dashboard_query, filter_options

__all__ = [
    "DASHBOARD_FIGURES",
    "TABLE_SORTS",
    "DashboardQuery",
    "dashboard_data",
    "dashboard_query",
    "drilldown_context",
    "drilldown_list_url",
    "drilldown_url",
    "filter_options",
    "month_end",
]

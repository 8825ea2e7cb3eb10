"""The dashboard page's data in one dict: the overview of the scope asked
for, the table of its streets or parks, and the panels. The overview page,
its exports and the monthly bulletin all read this.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from orgs.models import CoverageSnapshot, Region

from .drilldown import DASHBOARD_FIGURES
from .figures import breakdown, overview
from .panels import alert_counts, alert_work_counts, alerts_top, fund_panel, star_distribution
from .query import DashboardQuery


def dashboard_data(*, q: DashboardQuery) -> dict:
    """Everything the overview shows, for the scope and date of `q`; its notices may grow."""
    kind, keys = q.snapshot_key()
    ov = overview(kind=kind, keys=keys, above_scale=q.above_scale, on=q.date)
    data: dict = {"q": q, "overview": ov, "rows": [], "row_kind": None, "statistics_ran": True}
    # Where the work on warnings stands is today's, whatever the snapshots.
    data["alert_work"] = alert_work_counts(q=q, on=q.date)
    if ov.current is None:
        # Tell "the nightly run never ran" from "it ran, but not for this scope".
        data["statistics_ran"] = CoverageSnapshot.objects.filter(date__lte=q.date).exists()
        return data
    on = ov.current.date
    if q.street is None and q.park is None and q.region is not None and q.region.kind in CHILD_KIND:
        # A city ranks its districts (a province its cities), each with its industry rows under that filter.
        child_kind = CHILD_KIND[q.region.kind]
        regions = list(Region.objects.filter(q.scope.regions_q(), parent=q.region, kind=child_kind).order_by("name"))
        data["row_kind"] = child_kind
        data["rows"] = breakdown(
            q=q,
            kind=child_kind,
            regions=regions,
            current=ov.current,
            previous=ov.previous,
            industry=q.industry.pk if q.industry else None,
        )
    elif q.street is None and q.park is None:
        streets = Region.objects.filter(q.scope.regions_q(), kind=Region.Kind.STREET)
        if q.below_root is not None:
            streets = streets.filter(pk__in=q.below_root.streets_below())
        regions = list(streets.order_by("name"))
        data["row_kind"] = "street"
        data["rows"] = breakdown(
            q=q, kind=CoverageSnapshot.ScopeKind.STREET, regions=regions, current=ov.current, previous=ov.previous
        )
        if q.industry is not None:
            data["rows_scope"] = _("本表按各街道全部行业统计，不按所选行业筛选。")
    else:
        parks = Region.objects.filter(kind=Region.Kind.PARK, parent=q.street) if q.street else Region.objects.none()
        regions = list(parks.select_related("parent").order_by("name"))
        data["row_kind"] = "park"
        data["rows"] = breakdown(
            q=q, kind=CoverageSnapshot.ScopeKind.PARK, regions=regions, current=ov.current, previous=ov.previous
        )
    data["stars"] = star_distribution(q=q, on=on)
    data["alerts"] = alerts_top(q=q, on=on)
    data["alert_counts"] = alert_counts(q=q, on=on)
    data["fund"] = fund_panel(q=q)
    data["panels_scope"] = panels_scope(q)
    data["kpi_links"] = {figure: q.drill(figure, on=on) for figure in DASHBOARD_FIGURES}
    return data


# The children a region above the districts ranks.
CHILD_KIND = {Region.Kind.PROVINCE: Region.Kind.CITY, Region.Kind.CITY: Region.Kind.DISTRICT}


def panels_scope(q: DashboardQuery) -> dict[str, str]:
    """What the panels beside the coverage figures count under the industry
    and 规上 filters: the ratings and warnings follow them, the fund does not."""
    if q.industry is None and not q.above_scale:
        return {}
    if q.industry is not None and q.above_scale:
        what = _("%(industry)s规上企业") % {"industry": q.industry.name}
    elif q.industry is not None:
        what = _("%(industry)s企业") % {"industry": q.industry.name}
    else:
        what = _("规上企业")
    return {
        "stars": _("只计覆盖%(what)s的党组织。") % {"what": what},
        "alerts": _("只计%(what)s及覆盖它们的党组织的预警。") % {"what": what},
        "fund": _("公积金按范围内全部党组织统计，不按行业、规上筛选。"),
    }

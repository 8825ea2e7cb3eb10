"""Pages showing the nightly statistics (kept modest; dashboards are elsewhere)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .stats.coverage import FIGURES, coverage_by_street, coverage_date, coverage_drilldown


def _date_param(request) -> date | None:
    raw = request.GET.get("date")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Http404(_("日期格式应为YYYY-MM-DD")) from None


@login_required
def coverage_view(request):
    above = request.GET.get("above_scale") == "1"
    answer, rows = coverage_by_street(user=request.user, on=_date_param(request), above_scale=above)
    return render(request, "stats/coverage.html", {"date": answer, "rows": rows, "above_scale": above})


@login_required
def coverage_drilldown_view(request, figure):
    on = _date_param(request) or coverage_date() or date.today()
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    result = coverage_drilldown(
        user=request.user,
        figure=figure,
        on=on,
        street_id=request.GET.get("street"),
        above_scale=request.GET.get("above_scale") == "1",
        offset=(page - 1) * 50,
        limit=50,
    )
    return render(
        request,
        "stats/drilldown.html",
        {
            "result": result,
            "page": page,
            "has_next": page * 50 < result.total,
            "query": request.GET.copy(),
            "figures": FIGURES,
        },
    )

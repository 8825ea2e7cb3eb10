"""Pages showing the nightly statistics (kept modest; dashboards are elsewhere)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from orgs import policy
from orgs.models import Rating
from orgs.selectors import organization_get

from .coverage import coverage_date, coverage_drilldown, coverage_table
from .ratings import next_star_lines, rating_override


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
    answer, rows = coverage_table(user=request.user, on=_date_param(request), above_scale=above)
    return render(request, "stats/coverage.html", {"date": answer, "rows": rows, "above_scale": above})


@login_required
def coverage_drilldown_view(request, figure):
    on = _date_param(request) or coverage_date() or timezone.localdate()
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    result = coverage_drilldown(
        user=request.user,
        figure=figure,
        on=on,
        street_id=request.GET.get("street"),
        park_id=request.GET.get("park"),
        industry=request.GET.get("industry"),
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
        },
    )


@login_required
def rating_view(request, pk):
    """The latest rating of one organization with its evidence, the gap to the
    next star, and (for district staff) the override form."""
    organization = organization_get(user=request.user, pk=pk)
    rating = Rating.objects.filter(organization=organization).order_by("-computed_on").first()
    error = ""
    if request.method == "POST":
        if rating is None:
            raise Http404(_("该党组织尚无星级评定结果"))
        try:
            rating_override(
                rating=rating, stars=request.POST.get("stars"), reason=request.POST.get("reason", ""), by=request.user
            )
        except ApplicationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("星级已调整，原计算结果保留"))
            return redirect("orgs:organization_rating", pk)
    may_override = policy.may_override_rating(request.user)
    return render(
        request,
        "stats/rating.html",
        {
            "organization": organization,
            "rating": rating,
            "gap": next_star_lines(rating) if rating else [],
            "may_override": may_override,
            "error": error,
        },
        status=400 if error else 200,
    )

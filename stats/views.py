"""Pages showing the nightly statistics (kept modest; dashboards are elsewhere)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.compliance_rules import compliance_rule_set
from activities.forms import ComplianceRuleForm
from activities.models import ComplianceRule
from core.db_router import replica_reads
from core.errors import ApplicationError
from core.pages import form_errors_from
from core.xlsx import xlsx_response
from orgs import policy
from orgs.models import Rating
from orgs.models.statistics import SCHEME_START
from orgs.policy import require_permission
from orgs.rulebook import (
    rule_owner,
    rule_region_for_page,
    rule_region_label,
    rule_region_options,
    rule_region_parse,
    rule_region_value,
)
from orgs.scoping import scope_for
from orgs.selectors import criteria_in_force, organization_get, thresholds_in_force, vetoes_of

from .compliance import active_rules
from .coverage_reads import coverage_date, coverage_table
from .drilldown import coverage_drilldown
from .nodes import node_keys, top_regions
from .rating_gap import next_star_lines
from .rating_scheme import EDITABLE_STARS, proposal_key, scheme_check, scheme_preview, scheme_set, upcoming_scheme_dates
from .ratings import rating_override


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
    scope = scope_for(request.user)
    tops = top_regions(scope)
    total = None
    if tops or scope.everything:
        region = tops[0] if tops else None
        total = (region, node_keys(region)[1])
    answer, rows = coverage_table(user=request.user, on=_date_param(request), above_scale=above, total=total)
    return render(request, "stats/coverage.html", {"date": answer, "rows": rows, "above_scale": above})


# An export lists the whole set; a district has far fewer enterprises than this.
DRILLDOWN_EXPORT_LIMIT = 200_000


def _drilldown(request, figure, *, offset: int, limit: int):
    return coverage_drilldown(
        user=request.user,
        figure=figure,
        on=_date_param(request) or coverage_date() or timezone.localdate(),
        region_id=request.GET.get("region"),
        street_id=request.GET.get("street"),
        park_id=request.GET.get("park"),
        industry=request.GET.get("industry"),
        above_scale=request.GET.get("above_scale") == "1",
        offset=offset,
        limit=limit,
    )


@login_required
@replica_reads
def coverage_drilldown_export_view(request, figure):
    """The enterprises behind a figure with why each counts, as the drill-down lists them."""
    result = _drilldown(request, figure, offset=0, limit=DRILLDOWN_EXPORT_LIMIT)
    return xlsx_response(
        filename=f"{result.label}_{result.on:%Y%m%d}.xlsx",
        title=result.label,
        headers=[_("名称"), _("统一社会信用代码"), _("街道"), _("计入原因")],
        rows=(
            [row.name, row.enterprise.credit_code if row.enterprise else "", row.street, row.reason]
            for row in result.rows
        ),
    )


@login_required
@replica_reads
def coverage_drilldown_view(request, figure):
    try:
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page = 1
    result = _drilldown(request, figure, offset=(page - 1) * 50, limit=50)
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
            "vetoes": vetoes_of(organization=organization),
            "may_veto": policy.may_enter_veto(request.user),
        },
        status=400 if error else 200,
    )


def _scheme_input(request) -> dict:
    post = request.POST
    return {
        "effective_from": post.get("effective_from", ""),
        "weights": {k.removeprefix("weight_"): v for k, v in post.items() if k.startswith("weight_")},
        "active": {k.removeprefix("active_"): True for k in post if k.startswith("active_")},
        "thresholds": {int(k.removeprefix("threshold_")): v for k, v in post.items() if k in _THRESHOLD_KEYS},
    }


_THRESHOLD_KEYS = {f"threshold_{s}" for s in EDITABLE_STARS}


@login_required
def rating_scheme_view(request):
    """The star-rating scheme in force, and for district staff a form to change
    it from a date on: a first submit previews which organizations would move,
    a second one (with `confirm`) saves."""
    if not (policy.may_read_star_rules(request.user) or policy.may_set_rating_scheme(request.user)):
        raise PermissionDenied(_("您没有查看星级评定标准的权限"))
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    preview = None
    previewed_key = ""
    submitted = None
    raw = request.POST.get("region") if request.method == "POST" else request.GET.get("region")
    if request.method == "POST":
        submitted = _scheme_input(request)
        try:
            # scheme_check refuses a region the user does not hold, naming the field.
            proposal = scheme_check(by=request.user, region=rule_region_parse(raw), **submitted)
            previewed_key = proposal_key(proposal)
            if request.POST.get("confirm") == "1" and request.POST.get("previewed") == previewed_key:
                scheme_set(proposal=proposal, by=request.user)
                messages.success(
                    request, _("星级评定标准已保存，自%(d)s起生效") % {"d": proposal.effective_from.isoformat()}
                )
                return redirect(f"{reverse('orgs:rating_scheme')}?region={rule_region_value(proposal.region)}")
            preview = scheme_preview(proposal=proposal, user=request.user)
        except ApplicationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    region = rule_region_for_page(user=request.user, raw=raw, fallback=request.method == "POST")
    may_edit = policy.may_set_rating_scheme(request.user, region)
    given = submitted or {"weights": {}, "active": None, "thresholds": {}, "effective_from": ""}
    criteria = [
        {
            "criterion": c,
            "weight": given["weights"].get(c.code, c.weight),
            "active": c.active if given["active"] is None else given["active"].get(c.code, False),
            "errors": errors.get(f"weight_{c.code}", []),
        }
        for c in criteria_in_force(on=today, region=region)
    ]
    threshold_rows = thresholds_in_force(on=today, region=region)
    in_force = {t.stars: t.min_score for t in threshold_rows}
    thresholds = [
        {
            "stars": s,
            "min_score": given["thresholds"].get(s, in_force.get(s, "")),
            "errors": errors.get(f"threshold_{s}", []),
        }
        for s in EDITABLE_STARS
    ]
    return render(
        request,
        "stats/rating_scheme.html",
        {
            "criteria": criteria,
            "thresholds": thresholds,
            "effective_from": given["effective_from"] or today.isoformat(),
            "may_edit": may_edit,
            "errors": errors,
            "preview": preview,
            "previewed": previewed_key,
            "submitted": submitted,
            "upcoming": upcoming_scheme_dates(after=today, region=region),
            "owner": rule_owner([*criteria_in_force(on=today, region=region), *threshold_rows]),
            "region_value": rule_region_value(region),
            "region_label": rule_region_label(region),
            "region_options": rule_region_options(request.user),
        },
        status=400 if errors else 200,
    )


@login_required
def compliance_rules_view(request):
    """The compliance rules of one region: what each activity type expects
    today and whose rule it is, the region's own history, and (staff who set
    that region's rules) a new row from a date on."""
    if not (policy.may_read_star_rules(request.user) or policy.may_set_any_rules(request.user)):
        raise PermissionDenied(_("您没有查看组织生活规则的权限"))
    form = ComplianceRuleForm(request.POST or None)
    raw = request.POST.get("region") if request.method == "POST" else request.GET.get("region")
    if request.method == "POST":
        require_permission(policy.may_set_any_rules(request.user), _("只有区两新工委工作人员可以修改组织生活规则"))
        if form.is_valid():
            try:
                # The service refuses a region the user does not hold, naming the field.
                target = rule_region_parse(raw)
                compliance_rule_set(by=request.user, region=target, **form.cleaned_data)
            except ApplicationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("已新增组织生活规则，自生效日期起适用"))
                return redirect(f"{reverse('orgs:compliance_rules')}?region={rule_region_value(target)}")
    region = rule_region_for_page(user=request.user, raw=raw, fallback=request.method == "POST")
    in_force = active_rules(region=region)
    return render(
        request,
        "stats/compliance_rules.html",
        {
            "in_force": [(rule, rule_owner([rule]).label) for rule in in_force],
            "owner": rule_owner(in_force),
            "history": ComplianceRule.objects.filter(region=region).order_by("-effective_from", "activity_type"),
            "form": form,
            "can_edit": policy.may_set_rules(request.user, region),
            "scheme_start": SCHEME_START,
            "region_value": rule_region_value(region),
            "region_label": rule_region_label(region),
            "region_options": rule_region_options(request.user),
        },
        status=400 if form.errors else 200,
    )

"""Pages of the ground floor that need nothing above it: the instructor's
visits, and the rating's manual inputs (六有 checklist, 一票否决)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.files import file_response
from core.pages import error_text, form_errors_from, paginate
from core.xlsx import xlsx_response

from . import policy
from .forms import VenueCheckForm, VisitForm
from .models import VenueChecklist
from .policy import require_permission
from .rating_inputs import venue_check_record, veto_enter, veto_lift
from .selectors import (
    assignment_get,
    assignment_list,
    organization_get,
    region_streets,
    venue_check_overview,
    venue_checklist_for,
    venue_checklists_of,
    venue_photo_get,
    veto_get,
    visit_list,
)
from .services import instructor_visit_create


@login_required
def visit_list_view(request):
    """The instructor's assigned enterprises and visit log, with a form to log a visit."""
    assignments = assignment_list(user=request.user)
    own = assignments.filter(instructor=request.user)
    form = VisitForm(request.POST or None, assignments=own, initial={"assignment": request.GET.get("assignment")})
    if request.method == "POST" and form.is_valid():
        assignment = assignment_get(user=request.user, pk=form.cleaned_data["assignment"].pk, write=True)
        try:
            instructor_visit_create(
                assignment=assignment,
                by=request.user,
                visited_on=form.cleaned_data["visited_on"],
                summary=form.cleaned_data["summary"],
            )
            messages.success(request, _("走访已登记"))
            return redirect("orgs:visit_list")
        except ValidationError as exc:
            form_errors_from(form, exc)
    return render(
        request,
        "orgs/visit_list.html",
        {
            "form": form,
            "can_log": own.exists(),
            "assignments": assignments.order_by("enterprise__name")[:200],
            "page": paginate(request, visit_list(user=request.user)),
            "filters": {},
        },
    )


@login_required
def venue_check_view(request, pk):
    """An organization's 六有 checklist of the year, with its photos; street
    staff of its street enter or correct it here."""
    organization = organization_get(user=request.user, pk=pk)
    year = timezone.localdate().year
    checklist = venue_checklist_for(organization=organization, year=year)
    may_enter = policy.may_enter_venue_check(request.user, organization)
    initial = {item: getattr(checklist, item) for item in VenueChecklist.ITEMS} if checklist else {}
    form = VenueCheckForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        organization = organization_get(user=request.user, pk=pk, write=True)
        # Refused before the form is read, as the service would refuse it after.
        require_permission(policy.may_enter_venue_checks(request.user), _("只有街道两新工委工作人员可以录入六有检查"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                venue_check_record(
                    organization=organization,
                    by=request.user,
                    items={item: data[item] for item in VenueChecklist.ITEMS},
                    checked_on=data["checked_on"],
                    photos=request.FILES.getlist("photos"),
                )
            except ApplicationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("六有检查已保存，将计入下次星级评定"))
                return redirect("orgs:organization_venue_check", pk)
        status = 400
    return render(
        request,
        "orgs/venue_check.html",
        {"organization": organization, "checklist": checklist, "form": form, "may_enter": may_enter, "year": year},
        status=status,
    )


VENUE_FILTERS = ("q", "street", "entered")


def _venue_overview(request):
    year = timezone.localdate().year
    filters = {k: request.GET.get(k, "") for k in VENUE_FILTERS}
    return year, filters, venue_check_overview(user=request.user, year=year, filters=filters)


@login_required
def venue_check_list_view(request):
    """The year's 六有 checks of the organizations the user reaches: which are in, which are missing."""
    year, filters, organizations = _venue_overview(request)
    page = paginate(request, organizations)
    checklists = venue_checklists_of(organization_ids=[o.pk for o in page], year=year)
    return render(
        request,
        "orgs/venue_check_list.html",
        {
            "page": page,
            "rows": [(o, checklists.get(o.pk)) for o in page],
            "filters": filters,
            "year": year,
            "streets": region_streets(user=request.user),
        },
    )


@login_required
def venue_check_export_view(request):
    year, _filters, organizations = _venue_overview(request)
    organizations = list(organizations)
    checklists = venue_checklists_of(organization_ids=[o.pk for o in organizations], year=year)
    yes, no = _("是"), _("否")
    items = [str(getattr(VenueChecklist._meta.get_field(i), "verbose_name", i)) for i in VenueChecklist.ITEMS]

    def row(o):
        c = checklists.get(o.pk)
        marks = [yes if getattr(c, i) else no for i in VenueChecklist.ITEMS] if c else [""] * len(items)
        return [o.name, o.street.name if o.street_id else "", c.checked_on if c else "", c.score if c else "", *marks]

    return xlsx_response(
        filename=f"六有检查_{year}.xlsx",
        title=_("阵地六有检查"),
        headers=[_("党组织"), _("街道"), _("检查日期"), _("符合项数"), *items],
        rows=(row(o) for o in organizations),
    )


@login_required
def venue_photo_view(request, pk, photo_pk):
    photo = venue_photo_get(user=request.user, organization_pk=pk, pk=photo_pk)
    return file_response(photo.file, filename=photo.original_name)


@login_required
@require_POST
def veto_enter_view(request, pk):
    organization = organization_get(user=request.user, pk=pk, write=True)
    try:
        veto_enter(
            organization=organization,
            year=timezone.localdate().year,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("一票否决已录入，下次星级评定时生效"))
    return redirect("orgs:organization_rating", pk)


@login_required
@require_POST
def veto_lift_view(request, pk, veto_pk):
    organization = organization_get(user=request.user, pk=pk, write=True)
    veto = veto_get(organization=organization, pk=veto_pk)
    try:
        veto_lift(veto=veto, reason=request.POST.get("revoke_reason", ""), by=request.user)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("一票否决已撤销，下次星级评定时生效"))
    return redirect("orgs:organization_rating", pk)

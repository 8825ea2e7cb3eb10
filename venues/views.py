"""The venue pages: list, page, forms, sharing, the booking calendar and
the phone-friendly booking form, and the figures; every write through
venues.services."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.pages import error_text, form_errors_from, paginate
from core.xlsx import percent, xlsx_response
from orgs import policy
from orgs.models import VenueChecklist

from . import selectors as sel
from . import services
from .forms import BookingForm, PeriodForm, ShareForm, VenueEditForm, VenueForm
from .models import Venue

CALENDAR_DAYS = 14


@login_required
def venue_list_view(request):
    if not policy.may_browse_venues(request.user):
        raise Http404
    kind = request.GET.get("kind") or None
    if kind not in (None, *Venue.Kind.values):
        kind = None
    q = (request.GET.get("q") or "").strip()[:50]
    page = paginate(request, sel.venue_list(user=request.user, kind=kind, q=q or None))
    return render(
        request,
        "venues/venue_list.html",
        {
            "page": page,
            "kind": kind or "",
            "q": q,
            "kinds": Venue.Kind.choices,
            "may_create": policy.may_keep_venues(request.user),
            "may_figures": policy.may_read_venue_figures(request.user),
        },
    )


def _venue_form(request, data=None) -> VenueForm:
    user = request.user
    return VenueForm(
        data,
        regions=sel.owner_regions(user=user),
        organizations=sel.organizations_acting_for(user=user),
        enterprises=sel.owner_enterprises(user=user),
        initial={"opens_at": "09:00", "closes_at": "17:30", "open_days": list("12345")},
    )


@login_required
def venue_create_view(request):
    policy.require_permission(policy.may_keep_venues(request.user), _("您不能登记阵地"))
    form = _venue_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.venue_create(by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("阵地已登记"))
            return redirect("venues:detail", venue.pk)
    return render(request, "venues/venue_form.html", {"form": form, "venue": None})


@login_required
def venue_edit_view(request, pk: int):
    venue = sel.venue_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_manage_venue(request.user, venue), _("您不能管理该阵地"))
    initial = {
        "kind": venue.kind,
        "name": venue.name,
        "address": venue.address,
        "area": venue.area,
        "opens_at": venue.opens_at,
        "closes_at": venue.closes_at,
        "open_days": list(venue.open_days),
        "active": venue.active,
    }
    form = VenueEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_update(by=request.user, venue=venue, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("阵地信息已保存"))
            return redirect("venues:detail", venue.pk)
    return render(request, "venues/venue_form.html", {"form": form, "venue": venue})


def _booking_form(request, data=None, *, venue: Venue | None = None) -> BookingForm:
    user = request.user
    initial = {"venue": venue.pk} if venue is not None else {}
    organizations = sel.organizations_acting_for(user=user)
    if organizations.count() == 1:
        initial["organization"] = organizations.first().pk
    return BookingForm(
        data,
        venues=sel.bookable_venues(user=user),
        organizations=organizations,
        activities=sel.activity_choices(user=user).filter(held_on__gte=timezone.localdate() - timedelta(days=92)),
        initial=initial,
    )


def _detail_context(request, venue: Venue, **forms) -> dict:
    user = request.user
    today = timezone.localdate()
    may_manage = policy.may_manage_venue(user, venue)
    context = {
        "venue": venue,
        "shares": sel.share_list(venue=venue),
        "bookings": sel.booking_list(user=user, venue=venue, start=today)[:50],
        "checklists": sel.venue_checklists(venue=venue)[:3],
        "checklist_items": [str(VenueChecklist._meta.get_field(item).verbose_name) for item in VenueChecklist.ITEMS],
        "activities": venue.activities.select_related("organization").order_by("-held_on")[:20],
        "may_manage": may_manage,
        "may_book": sel.bookable_venues(user=user).filter(pk=venue.pk).exists(),
        "today": today,
    }
    for checklist in context["checklists"]:
        checklist.marks = [getattr(checklist, item) for item in VenueChecklist.ITEMS]
    if may_manage:
        context["share_form"] = forms.get("share_form") or ShareForm(
            organizations=sel.share_organization_choices(user=user, venue=venue).exclude(
                pk=venue.owner_organization_id or 0
            ),
            initial={"starts_on": today, "ends_on": date(today.year, 12, 31)},
        )
    return context


@login_required
def venue_detail_view(request, pk: int):
    venue = sel.venue_get(user=request.user, pk=pk)
    return render(request, "venues/venue_detail.html", _detail_context(request, venue))


@login_required
@require_POST
def share_add_view(request, pk: int):
    venue = sel.venue_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_manage_venue(request.user, venue), _("您不能管理该阵地"))
    form = ShareForm(request.POST, organizations=sel.share_organization_choices(user=request.user, venue=venue))
    if form.is_valid():
        try:
            services.share_add(by=request.user, venue=venue, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("共享协议已登记"))
            return redirect("venues:detail", pk)
    return render(request, "venues/venue_detail.html", _detail_context(request, venue, share_form=form), status=400)


def _period(request) -> tuple[date, date, PeriodForm]:
    form = PeriodForm(request.GET or None)
    start = timezone.localdate()
    end = start + timedelta(days=CALENDAR_DAYS - 1)
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or (start + timedelta(days=CALENDAR_DAYS - 1))
    if end < start:
        start, end = end, start
    end = min(end, start + timedelta(days=92))
    return start, end, form


@login_required
def booking_list_view(request):
    """The booking calendar: the days of a period, each with its bookings."""
    if not policy.may_browse_venues(request.user):
        raise Http404
    start, end, period_form = _period(request)
    venue = None
    if request.GET.get("venue"):
        venue = sel.venue_get(user=request.user, pk=request.GET["venue"])
    bookings = list(sel.booking_list(user=request.user, venue=venue, start=start, end=end))
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        days.append({"day": day, "bookings": [b for b in bookings if b.booked_on == day]})
    # One answer per organization and venue, not one round of queries per booking.
    answers: dict[tuple[int, int], bool] = {}
    for booking in bookings:
        key = (booking.organization_id, booking.venue_id)
        if key not in answers:
            answers[key] = policy.may_cancel_booking(request.user, booking)
        booking.may_cancel = answers[key]
    return render(
        request,
        "venues/booking_list.html",
        {
            "days": days,
            "venue": venue,
            "start": start,
            "end": end,
            "period_form": period_form,
            "count": len(bookings),
            "may_book": policy.may_keep_venues(request.user),
        },
    )


@login_required
def booking_create_view(request):
    """The booking form with every venue the user may book (the calendar's "＋ 预约")."""
    policy.require_permission(policy.may_keep_venues(request.user), _("您不能预约阵地"))
    venue = None
    if request.GET.get("venue"):
        venue = sel.venue_get(user=request.user, pk=request.GET["venue"])
    return _book(request, venue=venue)


@login_required
def venue_book_view(request, pk: int):
    """The booking form of one venue (its page's "预约此阵地"): 404 for a
    venue out of reach, 403 for a reader who books nothing, as the API."""
    venue = sel.venue_get(user=request.user, pk=pk)
    policy.require_permission(policy.may_keep_venues(request.user), _("您不能预约阵地"))
    return _book(request, venue=venue, fixed=True)


def _book(request, *, venue: Venue | None, fixed: bool = False):
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and fixed and venue is not None:
        data["venue"] = str(venue.pk)
    form = _booking_form(request, data, venue=venue)
    if fixed and venue is not None:
        # The one venue, even where the user's organizations have no right to it
        # yet: the service says why, naming the field.
        form.fields["venue"].queryset = Venue.objects.filter(pk=venue.pk)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("预约成功"))
            return redirect(f"{reverse('venues:bookings')}?venue={booking.venue_id}")
    status = 400 if request.method == "POST" else 200
    return render(request, "venues/booking_form.html", {"form": form, "venue": venue if fixed else None}, status=status)


@login_required
@require_POST
def booking_cancel_view(request, pk: int):
    booking = sel.booking_get(user=request.user, pk=pk)
    try:
        services.booking_cancel(by=request.user, booking=booking)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("预约已取消"))
    return redirect("venues:bookings")


# --- figures -------------------------------------------------------------------------------


def _figures(request):
    if not policy.may_read_venue_figures(request.user):
        raise Http404
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year + 1)
    total = sel.venue_figures(user=request.user, region=None, on=today, year=year)
    rows = [
        sel.venue_figures(user=request.user, region=r, on=today, year=year)
        for r in sel.figure_regions(user=request.user)
    ]
    return today, year, total, rows


@login_required
def figures_view(request):
    today, year, total, rows = _figures(request)
    return render(
        request,
        "venues/figures.html",
        {
            "year": year,
            "today": today,
            "total": total,
            "rows": rows,
            "kinds": Venue.Kind.choices,
            "per_venue": sel.bookings_per_venue(user=request.user, region=None, year=year)[:30],
        },
    )


@login_required
def figures_export_view(request):
    today, year, total, rows = _figures(request)
    kinds = [str(label) for _value, label in Venue.Kind.choices]
    headers = [
        _("区域"),
        _("类别"),
        *kinds,
        _("阵地合计"),
        _("党组织数"),
        _("有自有阵地"),
        _("仅有共享阵地"),
        _("有阵地占比"),
        _("六有已检查"),
        _("六有全部达标"),
        _("六有达标率"),
        _("年度预约次数"),
    ]

    def line(f, name, kind):
        return [
            name,
            kind,
            *[n for _label, n in f.kind_rows()],
            f.venues,
            f.organizations,
            f.with_own,
            f.with_shared_only,
            percent(f.venue_rate),
            f.checked,
            f.compliant,
            percent(f.compliance_rate),
            f.bookings,
        ]

    lines = [line(total, _("管辖范围合计"), "")]
    lines += [line(f, f.region.name, f.region.get_kind_display()) for f in rows]
    return xlsx_response(filename=f"党建阵地统计_{year}.xlsx", title=_("党建阵地统计"), headers=headers, rows=lines)

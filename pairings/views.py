"""Pairing pages: the list (scoped, by kind), a pairing with its visits and
this quarter's progress, the create form (staff) and the phone visit log.
Views fetch with a selector and write through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.files import file_response
from core.pages import error_text, form_errors_from, paginate
from members.models import Member
from orgs import policy
from orgs.models import Enterprise, PartyOrganization, User
from orgs.policy import require_permission
from orgs.scoping import scope_for
from orgs.selectors import region_streets

from .forms import PairingForm, SettleForm, VisitForm
from .models import PairingKind
from .selectors import (
    instructor_pairings,
    leader_area_street_ids,
    pairing_get,
    pairing_list,
    pairing_visits,
    pairings_figures,
    previous_quarter,
    quarter_of,
    visit_get,
    visit_photo_get,
)
from .services import pairing_create, pairing_set_active, pairing_write_fields, visit_log, visit_settle


@login_required
def pairing_list_view(request):
    require_permission(policy.may_browse_pairings(request.user), _("您没有查看结对联系的权限"))
    kind = request.GET.get("kind", "")
    kind = kind if kind in PairingKind.values else ""
    streets = region_streets(user=request.user)
    street = streets.filter(pk=request.GET["street"]).first() if request.GET.get("street", "").isdigit() else None
    context = {
        "kinds": PairingKind.choices,
        "kind": kind,
        "streets": streets if streets.count() > 1 else [],
        "street": street,
        # The figures describe the list below them (a leader's area is one click away).
        "figures": pairings_figures(user=request.user, region=street, leader_area=False),
        "area_streets": streets.filter(pk__in=leader_area_street_ids(user=request.user)),
        "may_create": policy.may_manage_pairings(request.user),
        # Kept by the pages' links.
        "filters": {"kind": kind, "street": street.pk if street else ""},
        "last_quarter_start": previous_quarter(timezone.localdate())[0],
    }
    if kind == PairingKind.INSTRUCTOR_ENTERPRISE:
        context["instructor_page"] = paginate(request, instructor_pairings(user=request.user, street=street))
    else:
        context["page"] = paginate(request, pairing_list(user=request.user, kind=kind, street=street))
    return render(request, "pairings/pairing_list.html", context)


@login_required
def pairing_detail_view(request, pk: int):
    pairing = pairing_get(user=request.user, pk=pk)
    start, end = quarter_of(timezone.localdate())
    return render(
        request,
        "pairings/pairing_detail.html",
        {
            "pairing": pairing,
            "visits": paginate(request, pairing_visits(pairing=pairing), per_page=20),
            "quarter": (start, end),
            "last_quarter": previous_quarter(timezone.localdate()),
            "may_log": policy.may_log_pairing_visit(request.user, pairing),
            "may_manage": policy.may_manage_pairing_in(request.user, pairing.street_id),
            "settle_form": SettleForm(initial={"settled_on": timezone.localdate()}),
        },
    )


def _create_choices(user) -> dict:
    """What the create form offers: the records the user keeps."""
    scope = scope_for(user, write=True)
    streets = region_streets(user=user, write=True)
    organizations = PartyOrganization.objects.filter(scope.organizations_q(), dissolved_on__isnull=True)
    return {
        # The leaders and staff of the streets' districts, not another district's.
        "users": User.objects.filter(policy.pairing_side_users_q(streets), is_active=True)
        .distinct()
        .order_by("username"),
        "members": Member.objects.filter(organization__in=organizations.values("pk"), status=Member.Status.ACTIVE)
        .select_related("organization")
        .order_by("name")[:2000],
        "organizations": organizations.order_by("name"),
        "streets": streets,
        "enterprises": Enterprise.objects.filter(street__in=streets.values("pk")).order_by("name"),
    }


@login_required
def pairing_create_view(request):
    require_permission(policy.may_manage_pairings(request.user), _("仅区、街道两新工委工作人员可以建立结对"))
    form = PairingForm(request.POST or None, **_create_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            pairing = pairing_create(by=request.user, **pairing_write_fields(form.cleaned_data))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("结对已建立"))
            return redirect("pairings:detail", pairing.pk)
    return render(request, "pairings/pairing_form.html", {"form": form})


@login_required
def visit_log_view(request, pk: int):
    """The phone visit log: date, kind, findings, follow-up, problem found, photos."""
    pairing = pairing_get(user=request.user, pk=pk)
    require_permission(policy.may_log_pairing_visit(request.user, pairing), _("您不能为该结对登记联系记录"))
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                visit_log(pairing=pairing, by=request.user, **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("联系记录已登记"))
            return redirect("pairings:detail", pairing.pk)
    return render(request, "pairings/visit_form.html", {"form": form, "pairing": pairing})


@login_required
@require_POST
def visit_settle_view(request, pk: int):
    visit = visit_get(user=request.user, pk=pk)
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写问题解决日期"))
    else:
        try:
            visit_settle(visit=visit, by=request.user, settled_on=form.cleaned_data["settled_on"])
            messages.success(request, _("已登记问题解决"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
    return redirect("pairings:detail", visit.pairing_id)


@login_required
@require_POST
def pairing_active_view(request, pk: int):
    pairing = pairing_get(user=request.user, pk=pk)
    pairing_set_active(pairing=pairing, by=request.user, active=request.POST.get("active") == "1")
    return redirect("pairings:detail", pairing.pk)


@login_required
def visit_photo_view(request, pk: int, photo_pk: int):
    photo = visit_photo_get(user=request.user, visit_pk=pk, pk=photo_pk)
    return file_response(photo.file, filename=photo.original_name)

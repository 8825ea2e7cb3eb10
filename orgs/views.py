"""Pages of the ground floor that need nothing above it: the instructor's
visits, the rating's manual inputs (六有 checklist, 一票否决), and warnings
worked as tasks with their 整顿 plans."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.db_router import replica_reads
from core.errors import ApplicationError
from core.files import file_response
from core.pages import error_text, form_errors_from, paginate
from core.xlsx import xlsx_response

from . import policy
from .alerts import (
    alert_assign,
    alert_close,
    alert_reopen,
    alert_respond,
    rectification_plan_create,
    rectification_step_done,
)
from .forms import AlertAssignForm, AlertNoteForm, AlertRespondForm, RectificationPlanForm, VenueCheckForm, VisitForm
from .models import Alert, RectificationPlan, User, VenueChecklist
from .policy import require_permission
from .rating_inputs import venue_check_record, veto_enter, veto_lift
from .selectors import (
    alert_assignees,
    alert_counts,
    alert_get,
    alert_list,
    alert_step_get,
    assignment_get,
    assignment_list,
    organization_get,
    rectification_plans,
    rectification_step_get,
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
@replica_reads
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


# --- warnings (DESIGN.md §10) ---------------------------------------------------------------------

WARNING_FILTERS = ("kind", "level", "street", "organization", "state", "assignee", "overdue")


def _warning_filters(request) -> dict:
    return {k: request.GET.get(k, "") for k in WARNING_FILTERS}


@login_required
def warning_list_view(request):
    """Warnings with what is being done about them, filtered; the export is what the page shows."""
    filters = _warning_filters(request)
    alerts = alert_list(user=request.user, filters=filters).order_by("closed_on", "level", "-opened_on", "-pk")
    today = timezone.localdate()
    return render(
        request,
        "orgs/warning_list.html",
        {
            "page": paginate(request, alerts),
            "filters": filters,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "kinds": Alert.Kind.choices,
            "levels": Alert.Level.choices,
            "states": Alert.State.choices,
            "streets": region_streets(user=request.user),
            "assignees": alert_assignees(user=request.user),
            "counts": alert_counts(alerts=alert_list(user=request.user), on=today),
            "plans": rectification_plans(user=request.user)[:20],
            "today": today,
        },
    )


@login_required
@replica_reads
def warning_export_view(request):
    alerts = alert_list(user=request.user, filters=_warning_filters(request)).order_by(
        "closed_on", "level", "-opened_on", "-pk"
    )
    today = timezone.localdate()
    rows = (
        [
            a.get_kind_display(),
            a.get_level_display(),
            a.text,
            a.street.name if a.street_id else "",
            a.organization.name if a.organization_id else (a.enterprise.name if a.enterprise_id else ""),
            a.get_state_display(),
            str(a.assignee) if a.assignee_id else "",
            a.deadline,
            _("是") if a.overdue_on(today) else "",
            a.opened_on,
            a.closed_on,
        ]
        for a in alerts.iterator(chunk_size=2000)
    )
    headers = [
        _("类别"),
        _("级别"),
        _("说明"),
        _("街道"),
        _("对象"),
        _("办理状态"),
        _("责任人"),
        _("办理期限"),
        _("已逾期"),
        _("发出日期"),
        _("解除日期"),
    ]
    return xlsx_response(filename=f"warnings-{today:%Y%m%d}.xlsx", title=_("预警"), headers=headers, rows=rows)


@login_required
def warning_detail_view(request, pk: int):
    alert = alert_get(user=request.user, pk=pk)
    can_work = policy.may_work_alert(request.user, alert)
    return render(
        request,
        "orgs/warning_detail.html",
        {
            "alert": alert,
            "steps": alert.steps.select_related("by", "assignee"),
            "can_work": can_work,
            "can_respond": policy.may_respond_alert(request.user, alert) and alert.state == Alert.State.ASSIGNED,
            "assign_form": AlertAssignForm(
                candidates=policy.alert_assignable_users(alert),
                initial={"assignee": alert.assignee_id, "deadline": alert.deadline},
            )
            if can_work
            else None,
            "respond_form": AlertRespondForm(),
            "note_form": AlertNoteForm(),
            "plans": rectification_plans(user=request.user, organization=alert.organization)
            if alert.organization_id
            else [],
            "today": timezone.localdate(),
        },
    )


def _warning_write(request, pk: int, form_class, write) -> HttpResponse:
    """Fetch the warning (404 outside scope), parse the form, call the service;
    a refusal comes back as a message naming the field, nothing written."""
    alert = alert_get(user=request.user, pk=pk)
    extra = {"candidates": User.objects.filter(is_active=True)} if form_class is AlertAssignForm else {}
    form = form_class(request.POST, request.FILES, **extra)
    try:
        if not form.is_valid():
            raise ValidationError(
                {field: [f"{form[field].label}：{e}" for e in errors] for field, errors in form.errors.items()}
            )
        write(alert, form.cleaned_data)
        messages.success(request, _("已保存"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("orgs:warning_detail", alert.pk)


@login_required
@require_POST
def warning_assign_view(request, pk: int):
    return _warning_write(
        request,
        pk,
        AlertAssignForm,
        lambda alert, data: alert_assign(
            alert=alert, by=request.user, assignee=data["assignee"], deadline=data["deadline"], note=data["note"]
        ),
    )


@login_required
@require_POST
def warning_respond_view(request, pk: int):
    return _warning_write(
        request,
        pk,
        AlertRespondForm,
        lambda alert, data: alert_respond(alert=alert, by=request.user, text=data["text"], evidence=data["evidence"]),
    )


@login_required
@require_POST
def warning_close_view(request, pk: int):
    return _warning_write(
        request, pk, AlertNoteForm, lambda alert, data: alert_close(alert=alert, by=request.user, note=data["note"])
    )


@login_required
@require_POST
def warning_reopen_view(request, pk: int):
    return _warning_write(
        request, pk, AlertNoteForm, lambda alert, data: alert_reopen(alert=alert, by=request.user, note=data["note"])
    )


@login_required
def warning_evidence_view(request, pk: int, step_pk: int):
    step = alert_step_get(user=request.user, alert_pk=pk, pk=step_pk)
    if not step.evidence:
        raise Http404(_("记录不存在或不在您的管辖范围内"))
    return file_response(step.evidence, filename=step.evidence_name or _("佐证材料"))


@login_required
def rectification_create_view(request):
    """整顿: staff set a plan with dated steps for an organization in trouble (`?organization=`)."""
    organization = organization_get(user=request.user, pk=request.GET.get("organization"))
    if not policy.may_plan_rectification(request.user, organization):
        raise PermissionDenied(_("仅区、街道工作人员可为其管辖范围内的党组织制定整顿计划"))
    form = RectificationPlanForm(request.POST or None, reasons=RectificationPlan.Reason.choices)
    if request.method == "POST" and form.is_valid():
        try:
            rectification_plan_create(
                organization=organization,
                by=request.user,
                reason=form.cleaned_data["reason"],
                title=form.cleaned_data["title"],
                steps=form.steps(),
            )
            messages.success(request, _("整顿计划已制定"))
            return redirect("orgs:organization_detail", organization.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    return render(request, "orgs/rectification_form.html", {"form": form, "organization": organization})


@login_required
@require_POST
def rectification_step_done_view(request, pk: int):
    step = rectification_step_get(user=request.user, pk=pk)
    try:
        rectification_step_done(step=step, by=request.user)
        messages.success(request, _("整顿步骤已确认完成"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("orgs:organization_detail", step.plan.organization_id)

"""Activity pages: thin, they fetch through selectors and write through services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.db_router import replica_reads
from core.files import file_response
from core.pages import error_text, paginate
from core.xlsx import xlsx_response
from orgs import policy
from orgs.selectors import organization_get, region_streets

from .forms import ActivityForm, ReturnForm
from .models import Activity, ActivityType
from .selectors import (
    activity_get,
    activity_history,
    activity_list,
    attachment_get,
    attendance_roster,
    organizations_for_filing,
    overdue_items,
    review_overdue_since,
    review_queue,
)
from .services import (
    FILING_REFUSED,
    activity_approve,
    activity_bulk_approve,
    activity_create,
    activity_return,
    activity_submit,
    activity_update,
    attachment_delete,
)

FILTER_KEYS = ("q", "organization", "street", "type", "status", "date_from", "date_to")


def _filters(request) -> dict:
    return {k: request.GET.get(k, "") for k in FILTER_KEYS}


@login_required
@replica_reads
def activity_export_view(request):
    """The records the list shows under the same filters, every page of them."""
    activities = activity_list(user=request.user, filters=_filters(request))
    headers = [_("活动日期"), _("类型"), _("主题"), _("党组织"), _("街道"), _("审核状态"), _("应到"), _("实到")]
    rows = (
        [
            a.held_on,
            a.get_activity_type_display(),
            a.topic,
            a.organization.name,
            a.organization.street.name if a.organization.street_id else "",
            a.get_status_display(),
            a.due_count,
            a.attended_count,
        ]
        for a in activities.iterator(chunk_size=2000)
    )
    return xlsx_response(
        filename=f"组织生活_{timezone.localdate():%Y%m%d}.xlsx", title=_("组织生活"), headers=headers, rows=rows
    )


@login_required
def activity_list_view(request):
    filters = _filters(request)
    page = paginate(request, activity_list(user=request.user, filters=filters), 30)
    return render(
        request,
        "activities/activity_list.html",
        {
            "page": page,
            "filters": filters,
            "types": ActivityType.choices,
            "statuses": Activity.Status.choices,
            "can_file": organizations_for_filing(user=request.user).exists(),
            "streets": region_streets(user=request.user),
        },
    )


def _form_context(form, organization, organizations, activity=None) -> dict:
    return {
        "form": form,
        "organization": organization,
        "organizations": organizations,
        "activity": activity,
        "rows": form.attendance_rows(),
        "max_mb": settings.ACTIVITY_ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }


@login_required
def activity_create_view(request):
    organizations = organizations_for_filing(user=request.user)
    org_pk = request.POST.get("organization") or request.GET.get("organization")
    if org_pk:
        organization = organization_get(user=request.user, pk=org_pk, write=True)
        policy.require_permission(policy.may_file_activity(request.user, organization), FILING_REFUSED)
    else:
        organization = organizations.first()
        if organization is None:
            raise Http404(_("您没有可以填报组织生活记录的党组织"))
    roster = attendance_roster(organization=organization)
    form = ActivityForm(request.POST or None, request.FILES or None, roster=roster, organization=organization)
    if request.method == "POST" and form.is_valid():
        saved = _save_from_form(
            request,
            form,
            lambda **fields: activity_create(organization=organization, **fields),
            draft_message=_("已保存为草稿"),
        )
        if saved is not None:
            return redirect("activities:detail", saved.pk)
    return render(request, "activities/activity_form.html", _form_context(form, organization, organizations))


def _save_from_form(request, form, save, *, draft_message: str) -> Activity | None:
    """Create or update from the filing form, submitting too when asked.

    Saving and submitting are one transaction: a submit the rules refuse
    leaves nothing behind, so a second try cannot file the meeting twice.
    """
    try:
        with transaction.atomic():
            activity = save(
                by=request.user,
                attendance=form.attendance_picks(),
                files=form.cleaned_data["files"],
                **form.service_fields(),
            )
            if request.POST.get("action") == "submit":
                activity_submit(activity=activity, by=request.user)
    except ValidationError as exc:
        form.add_error(None, error_text(exc))
        return None
    if request.POST.get("action") == "submit":
        messages.success(request, _("已提交，等待街道审核"))
    else:
        messages.success(request, draft_message)
    return activity


@login_required
def attendance_picker_view(request):
    """htmx: the roster checkboxes for the organization chosen on the form."""
    organization = organization_get(user=request.user, pk=request.GET.get("organization"), write=True)
    policy.require_permission(policy.may_file_activity(request.user, organization), FILING_REFUSED)
    form = ActivityForm(roster=attendance_roster(organization=organization))
    return render(request, "activities/_attendance.html", {"rows": form.attendance_rows()})


@login_required
def activity_detail_view(request, pk: int):
    activity = activity_get(user=request.user, pk=pk)
    attendance = activity.attendance.select_related("member").order_by("-attended", "member__name")
    may_write = policy.may_file_activity(request.user, activity.organization)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "attendance": attendance,
            "attachments": activity.attachments.all(),
            "may_edit": may_write and activity.status in (Activity.Status.DRAFT, Activity.Status.RETURNED),
            "may_review": activity.status == Activity.Status.SUBMITTED
            and policy.may_approve_activity(request.user, activity),
            "history": activity_history(activity=activity),
            "return_form": ReturnForm(),
        },
    )


@login_required
def activity_edit_view(request, pk: int):
    activity = activity_get(user=request.user, pk=pk, write=True)
    # Staff review records; only the organization's secretaries correct them.
    policy.require_permission(policy.may_file_activity(request.user, activity.organization), FILING_REFUSED)
    if activity.locked:
        messages.error(request, _("该记录已审核通过并锁定，不能再修改"))
        return redirect("activities:detail", activity.pk)
    roster = attendance_roster(organization=activity.organization)
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        instance=activity,
        roster=roster,
        organization=activity.organization,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_from_form(
            request,
            form,
            lambda **fields: activity_update(activity=activity, **fields),
            draft_message=_("已保存"),
        )
        if saved is not None:
            return redirect("activities:detail", saved.pk)
    return render(
        request,
        "activities/activity_form.html",
        _form_context(form, activity.organization, [], activity),
    )


@login_required
@require_POST
def activity_submit_view(request, pk: int):
    activity = activity_get(user=request.user, pk=pk, write=True)
    try:
        activity_submit(activity=activity, by=request.user)
        messages.success(request, _("已提交，等待街道审核"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("activities:detail", pk)


@login_required
@require_POST
def activity_approve_view(request, pk: int):
    activity = activity_get(user=request.user, pk=pk, write=True)
    error = ""
    try:
        activity_approve(activity=activity, by=request.user)
    except ValidationError as exc:
        error = error_text(exc)
    if request.htmx:
        return render(
            request,
            "activities/_queue_row_done.html",
            {"activity": activity_get(user=request.user, pk=pk), "error": error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已审核通过"))
    return redirect("activities:detail", pk)


@login_required
@require_POST
def activity_return_view(request, pk: int):
    activity = activity_get(user=request.user, pk=pk, write=True)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回时必须填写退回理由"))
        return redirect("activities:detail", pk)
    try:
        activity_return(activity=activity, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("已退回，书记修改后可重新提交"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("activities:detail", pk)


@login_required
def review_queue_view(request):
    if not policy.may_review_activities(request.user):
        raise Http404(_("只有街道或区两新工委工作人员有审核队列"))
    filters = _filters(request)
    if request.method == "POST":
        picked = request.POST.getlist("pick")
        chosen = list(review_queue(user=request.user).filter(pk__in=[p for p in picked if p.isdigit()]))
        if not chosen:
            messages.error(request, _("请先勾选要审核通过的记录"))
        else:
            n = activity_bulk_approve(activities=chosen, by=request.user)
            messages.success(request, _("已批量审核通过 %(n)d 条记录") % {"n": n})
        return redirect(request.get_full_path())
    queue = review_queue(user=request.user, filters=filters)
    return render(
        request,
        "activities/review_queue.html",
        {
            "page": paginate(request, queue, per_page=50),
            "filters": filters,
            "types": ActivityType.choices,
            "streets": region_streets(user=request.user),
            "overdue": overdue_items(user=request.user),
            "overdue_since": review_overdue_since(),
        },
    )


@login_required
def attachment_download_view(request, pk: int, attachment_pk: int):
    attachment = attachment_get(user=request.user, activity_pk=pk, pk=attachment_pk)
    return file_response(attachment.file, filename=attachment.original_name)


@login_required
@require_POST
def attachment_delete_view(request, pk: int, attachment_pk: int):
    attachment = attachment_get(user=request.user, activity_pk=pk, pk=attachment_pk, write=True)
    try:
        attachment_delete(attachment=attachment, by=request.user)
        messages.success(request, _("附件已删除"))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("activities:edit", pk)

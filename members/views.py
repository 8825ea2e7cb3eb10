"""Roster pages: thin, they fetch through selectors and write through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.db_router import replica_reads
from core.pages import form_errors_from, paginate
from core.uploads import UploadRefused
from core.xlsx import xlsx_response
from orgs import policy
from orgs.audit import audit_event
from orgs.selectors import enterprise_list, organization_get

from .forms import AdvanceForm, DecisionForm, EventForm, ImportForm, MemberForm, TransferForm
from .models import Member, Stage
from .resources import ROSTER_MAX_ROWS, ROSTER_MAX_UPLOAD_BYTES, MemberResource, import_errors, roster_dataset
from .selectors import (
    member_events,
    member_get,
    member_list,
    organizations_for_roster,
    transfer_get,
    transfer_list,
    transfer_target_search,
    transfer_targets,
    transfers_incoming,
)
from .services import (
    member_advance_stage,
    member_create,
    member_record_event,
    member_reveal,
    member_update,
    transfer_cancel,
    transfer_confirm,
    transfer_reject,
    transfer_request,
)

FILTER_KEYS = ("q", "organization", "stage", "status", "mobility")


def _filters(request) -> dict:
    """The roster's filters, read the same way by the list and its export:
    with no status asked for, the members in good standing."""
    filters = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    if not filters["status"] and "status" not in request.GET:
        filters["status"] = Member.Status.ACTIVE
    return filters


@login_required
def member_list_view(request):
    filters = _filters(request)
    page = paginate(request, member_list(user=request.user, filters=filters))
    return render(
        request,
        "members/member_list.html",
        {
            "page": page,
            "filters": filters,
            "stages": Stage.choices,
            "statuses": Member.Status.choices,
            "mobilities": [c for c in Member.Mobility.choices if c[0]],
            "can_edit": organizations_for_roster(user=request.user).exists(),
            "incoming": transfers_incoming(user=request.user).count(),
        },
    )


@login_required
def member_create_view(request):
    organizations = organizations_for_roster(user=request.user)
    if not organizations.exists():
        raise Http404(_("您没有可以维护名册的党组织"))
    form = MemberForm(
        request.POST or None,
        organizations=organizations,
        enterprises=enterprise_list(user=request.user),
        initial={"organization": request.GET.get("organization")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = member_create(
                organization=form.cleaned_data["organization"],
                id_number=form.cleaned_data["id_number"],
                by=request.user,
                **form.service_fields(),
            )
            messages.success(request, _("已添加党员 %(name)s") % {"name": member.name})
            return redirect("members:detail", member.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    return render(request, "members/member_form.html", {"form": form})


@login_required
def member_detail_view(request, pk: int):
    member = member_get(user=request.user, pk=pk)
    may_write = policy.may_edit_members(request.user, member.organization)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "may_write": may_write,
            "may_reveal": policy.may_reveal_member(request.user, member),
            "events": member_events(member=member),
            "transfers": transfer_list(user=request.user).filter(member=member),
            "advance_form": AdvanceForm(initial={"on": timezone.localdate()}),
            "event_form": EventForm(),
            "transfer_form": TransferForm(
                targets=transfer_targets(user=request.user, exclude_pk=member.organization_id)
            ),
            "stages": Stage.choices,
        },
    )


@login_required
def member_edit_view(request, pk: int):
    member = member_get(user=request.user, pk=pk, write=True)
    form = MemberForm(
        request.POST or None,
        instance=member,
        enterprises=enterprise_list(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            member_update(
                member=member,
                by=request.user,
                id_number=form.cleaned_data["id_number"] or None,
                **form.service_fields(),
            )
            messages.success(request, _("已保存"))
            return redirect("members:detail", member.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    return render(request, "members/member_form.html", {"form": form, "member": member})


@login_required
@require_POST
def member_reveal_view(request, pk: int):
    """A deliberate, audited action; answers the whole value (htmx swaps it in)."""
    member = member_get(user=request.user, pk=pk)
    field = request.POST.get("field", "")
    try:
        value = member_reveal(member=member, by=request.user, field=field, request=request)
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=400)
    return render(request, "members/_revealed.html", {"value": value})


def _post_action(request, pk: int, form_class, action, success: str):
    member = member_get(user=request.user, pk=pk, write=True)
    form = form_class(
        request.POST, **({"targets": transfer_targets(user=request.user)} if form_class is TransferForm else {})
    )
    if not form.is_valid():
        messages.error(
            request,
            "；".join(
                f"{form.fields[f].label if f in form.fields else ''}：{e}"
                for f, errs in form.errors.items()
                for e in errs
            ),
        )
        return redirect("members:detail", pk)
    try:
        action(member, form.cleaned_data)
        messages.success(request, success)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("members:detail", pk)


@login_required
@require_POST
def member_advance_view(request, pk: int):
    return _post_action(
        request,
        pk,
        AdvanceForm,
        lambda m, d: member_advance_stage(member=m, by=request.user, on=d["on"], note=d["note"]),
        _("发展阶段已更新"),
    )


@login_required
@require_POST
def member_event_view(request, pk: int):
    return _post_action(
        request,
        pk,
        EventForm,
        lambda m, d: member_record_event(member=m, by=request.user, kind=d["kind"], on=d["on"], reason=d["reason"]),
        _("已登记"),
    )


@login_required
@require_POST
def member_transfer_view(request, pk: int):
    return _post_action(
        request,
        pk,
        TransferForm,
        lambda m, d: transfer_request(
            member=m, by=request.user, to_organization=d["to_organization"], reason=d["reason"]
        ),
        _("转接申请已发出，等待接收党组织确认"),
    )


@login_required
def transfer_targets_view(request, pk: int):
    """htmx: the organizations matching what was typed in the transfer form's search field."""
    member = member_get(user=request.user, pk=pk, write=True)
    query = request.GET.get("q", "")
    found = transfer_target_search(user=request.user, query=query, exclude_pk=member.organization_id)
    return render(request, "members/_transfer_targets.html", {"found": found, "query": query.strip()})


@login_required
def transfer_list_view(request):
    return render(
        request,
        "members/transfer_list.html",
        {
            "incoming": transfers_incoming(user=request.user),
            "transfers": transfer_list(user=request.user)[:100],
            "writable_org_ids": set(organizations_for_roster(user=request.user).values_list("pk", flat=True)),
            "decision_form": DecisionForm(),
        },
    )


def _decide(request, pk: int, action, success: str):
    transfer = transfer_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        action(transfer, form.cleaned_data.get("note", ""))
        messages.success(request, success)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("members:transfers")


@login_required
@require_POST
def transfer_confirm_view(request, pk: int):
    return _decide(
        request, pk, lambda t, note: transfer_confirm(transfer=t, by=request.user, note=note), _("已确认接收")
    )


@login_required
@require_POST
def transfer_reject_view(request, pk: int):
    return _decide(request, pk, lambda t, note: transfer_reject(transfer=t, by=request.user, note=note), _("已退回"))


@login_required
@require_POST
def transfer_cancel_view(request, pk: int):
    return _decide(request, pk, lambda t, note: transfer_cancel(transfer=t, by=request.user), _("已撤回"))


@login_required
@replica_reads
def member_export_view(request):
    filters = _filters(request)
    members = member_list(user=request.user, filters=filters).order_by("organization__name", "name")
    dataset = MemberResource(user=request.user).export(queryset=members)
    audit_event(actor=request.user, instance=request.user, event="member_export", detail={"rows": len(dataset)})
    # Through the project's one .xlsx writer: a name typed as "=HYPERLINK(…)" stays text.
    return xlsx_response(
        filename=f"roster-{timezone.localdate():%Y%m%d}.xlsx",
        title=_("党员名册"),
        headers=dataset.headers,
        rows=dataset,
    )


@login_required
def member_import_view(request):
    organizations = organizations_for_roster(user=request.user)
    if not organizations.exists():
        raise Http404(_("您没有可以维护名册的党组织"))
    form = ImportForm(request.POST or None, request.FILES or None, organizations=organizations)
    report = None
    if request.method == "POST" and form.is_valid():
        organization = organization_get(user=request.user, pk=form.cleaned_data["organization"].pk, write=True)
        try:
            dataset = roster_dataset(form.cleaned_data["file"])
        except UploadRefused as exc:
            form.add_error("file", exc.messages[0])
        else:
            resource = MemberResource(user=request.user, organization=organization)
            dry_run = form.cleaned_data["dry_run"]
            # All or nothing: with any bad row the whole file is rolled back.
            result = resource.import_data(
                dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
            )
            errors = import_errors(result)
            report = {"rows": len(dataset), "errors": errors, "dry_run": dry_run, "written": not errors and not dry_run}
            if report["written"]:
                audit_event(
                    actor=request.user, instance=organization, event="member_import", detail={"rows": len(dataset)}
                )
                messages.success(request, _("已导入 %(n)d 名党员") % {"n": len(dataset)})
    limits = {"rows": f"{ROSTER_MAX_ROWS:,}", "megabytes": ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)}
    return render(request, "members/member_import.html", {"form": form, "report": report, "limits": limits})


@login_required
def member_template_view(request):
    """An empty roster with the expected headers."""
    dataset = MemberResource(user=request.user).export(queryset=Member.objects.none())
    return xlsx_response(filename="roster-template.xlsx", title=_("党员名册"), headers=dataset.headers, rows=[])

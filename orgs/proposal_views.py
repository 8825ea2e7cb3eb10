"""Pages of change proposals: a secretary proposes a change to their
organization or an enterprise it covers (the staff edit's own form), street
and district staff confirm or reject it from a queue, oldest first."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.masking import mask_phone
from core.pages import error_text, form_errors_from, paginate

from . import policy
from .forms import ENTERPRISE_EDITABLE, EnterpriseEditForm, OrganizationForm
from .models import ChangeProposal, Enterprise, PartyOrganization
from .organization_services import ORGANIZATION_WRITABLE
from .proposals import proposal_confirm, proposal_create, proposal_reject, proposal_rows, proposer_organization
from .selectors import enterprise_get, organization_get, proposal_choices, proposal_get, proposal_list, proposal_queue


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("处理说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def _proposal_form(request: HttpRequest, record: Enterprise | PartyOrganization) -> forms.Form:
    """The staff edit's form, offering the record's own street, parks and parent.
    The phone starts empty (a secretary sees it masked): left empty, it is not changed."""
    choices = proposal_choices(record=record)
    if isinstance(record, Enterprise):
        initial = model_to_dict(record, fields=ENTERPRISE_EDITABLE)
        initial["phone"] = ""
        form: forms.Form = EnterpriseEditForm(
            request.POST or None, initial=initial, streets=choices["streets"], parks=choices["parks"]
        )
        form.fields["phone"].help_text = _("现为 %(p)s；不修改请留空") % {"p": mask_phone(record.phone) or "—"}
    else:
        form = OrganizationForm(
            request.POST or None,
            initial=model_to_dict(record, fields=ORGANIZATION_WRITABLE),
            streets=choices["streets"],
            parks=choices["parks"],
            parents=choices["parents"],
        )
        del form.fields["enterprise_codes"]
        form.fields["reason"].required = True
    return form


def _propose(request: HttpRequest, record: Enterprise | PartyOrganization, back: str) -> HttpResponse:
    organization = proposer_organization(by=request.user, record=record)
    if organization is None:
        raise PermissionDenied(_("只有本组织的书记可以对本组织及其覆盖的企业提出修改建议"))
    form = _proposal_form(request, record)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        reason = fields.pop("reason")
        if isinstance(record, Enterprise) and not fields.get("phone"):
            fields.pop("phone", None)
        try:
            proposal = proposal_create(
                by=request.user, organization=organization, record=record, reason=reason, **fields
            )
            messages.success(request, _("修改建议已提交，街道工作人员确认后生效"))
            return redirect("orgs:proposal_detail", proposal.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    context = {
        "form": form,
        "title": _("提出修改建议：%(name)s") % {"name": record},
        "intro": _("提交后由街道两新工委工作人员确认，确认前信息不会改变。"),
        "submit_label": _("提交修改建议"),
        back: record,
    }
    return render(request, "orgs/register_form.html", context, status=400 if form.is_bound else 200)


@login_required
def enterprise_propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _propose(request, enterprise_get(user=request.user, pk=pk), "enterprise")


@login_required
def organization_propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _propose(request, organization_get(user=request.user, pk=pk), "organization")


@login_required
def proposal_list_view(request: HttpRequest) -> HttpResponse:
    """Staff: the pending queue they decide, oldest first. Everyone: the proposals they reach, newest first."""
    if not policy.may_browse_proposals(request.user):
        raise PermissionDenied(_("您没有执行此操作的权限"))
    status = request.GET.get("status", "")
    proposals = proposal_list(user=request.user).order_by("-proposed_at", "-pk")
    if status in ChangeProposal.Status.values:
        proposals = proposals.filter(status=status)
    return render(
        request,
        "orgs/proposal_list.html",
        {
            "queue": proposal_queue(user=request.user)[:100],
            "page": paginate(request, proposals),
            "status": status,
            "statuses": ChangeProposal.Status.choices,
            "filters": {"status": status},
        },
    )


@login_required
def proposal_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_get(user=request.user, pk=pk)
    pending = proposal.status == ChangeProposal.Status.PENDING
    return render(
        request,
        "orgs/proposal_detail.html",
        {
            "proposal": proposal,
            "rows": proposal_rows(proposal),
            "may_decide": pending and policy.may_decide_proposal(request.user, proposal),
            "own": proposal.proposed_by_id == request.user.pk,
            "form": DecisionForm(),
        },
    )


def _decide(request: HttpRequest, pk: int, decide) -> HttpResponse:
    proposal = proposal_get(user=request.user, pk=pk, write=True)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({f: [f"{form[f].label}：{e}" for e in errs] for f, errs in form.errors.items()})
        decide(proposal, form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("orgs:proposal_detail", proposal.pk)
    return redirect("orgs:proposal_list")


@login_required
@require_POST
def proposal_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    def confirm(proposal, note):
        proposal_confirm(proposal=proposal, by=request.user, note=note)
        messages.success(request, _("已采纳，修改已记入该记录的修改历史"))

    return _decide(request, pk, confirm)


@login_required
@require_POST
def proposal_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    def reject(proposal, note):
        proposal_reject(proposal=proposal, by=request.user, note=note)
        messages.success(request, _("已退回"))

    return _decide(request, pk, reject)

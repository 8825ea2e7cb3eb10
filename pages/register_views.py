"""The register's forms: staff correct an enterprise between surveys, and
keep the organizations (create, edit, dissolve, merge, record a 换届). Each
fetches through a scoped selector (404 outside the user's reach), asks the
policy before showing a form (403), and writes through a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.pages import form_errors_from
from members.selectors import roster_names
from orgs import policy
from orgs.forms import (
    ENTERPRISE_EDITABLE,
    DissolveForm,
    ElectionForm,
    EnterpriseEditForm,
    MergeForm,
    OrganizationForm,
    names,
)
from orgs.models import PartyOrganization, Region
from orgs.organization_services import (
    ORGANIZATION_WRITABLE,
    election_record,
    organization_create,
    organization_dissolve,
    organization_merge,
    organization_update,
)
from orgs.selectors import (
    enterprise_get,
    enterprises_by_credit_codes,
    organization_get,
    organization_list,
    organization_write_list,
    region_list,
    region_streets,
)
from orgs.services import enterprise_edit


def _form_page(request: HttpRequest, form, *, title: str, **extra) -> HttpResponse:
    """One template for every register form; it links back to the record (or the list)."""
    return render(request, "orgs/register_form.html", {"form": form, "title": title, **extra})


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您没有执行此操作的权限"))


@login_required
def enterprise_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_get(user=request.user, pk=pk, write=True)
    _refuse_unless(policy.may_edit_enterprise(request.user, enterprise))
    form = EnterpriseEditForm(
        request.POST or None,
        initial=model_to_dict(enterprise, fields=ENTERPRISE_EDITABLE),
        streets=region_streets(user=request.user, write=True),
        parks=region_list(user=request.user, kind=Region.Kind.PARK, write=True),
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        reason = fields.pop("reason")
        try:
            enterprise_edit(enterprise=enterprise, by=request.user, reason=reason, **fields)
            messages.success(request, _("企业信息已修改"))
            return redirect("orgs:enterprise_detail", enterprise.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    title = _("修改企业信息：%(name)s") % {"name": enterprise.name}
    return _form_page(request, form, title=title, enterprise=enterprise)


def _organization_form(request: HttpRequest, organization: PartyOrganization | None) -> OrganizationForm:
    initial = {}
    if organization is not None:
        initial = model_to_dict(organization, fields=ORGANIZATION_WRITABLE)
        initial["enterprise_codes"] = "\n".join(organization.enterprises.values_list("credit_code", flat=True))
    parents = organization_list(user=request.user).filter(dissolved_on__isnull=True)
    if organization is not None:
        parents = parents.exclude(pk=organization.pk)
    return OrganizationForm(
        request.POST or None,
        initial=initial,
        streets=region_streets(user=request.user, write=True),
        parks=region_list(user=request.user, kind=Region.Kind.PARK, write=True),
        parents=parents.order_by("name"),
    )


def _save_organization(request: HttpRequest, form: OrganizationForm, organization: PartyOrganization | None):
    fields = dict(form.cleaned_data)
    codes = fields.pop("enterprise_codes")
    reason = fields.pop("reason")
    enterprises, unknown = enterprises_by_credit_codes(user=request.user, codes=codes)
    if unknown:
        raise ValidationError({"enterprise_codes": _("未找到企业：%(codes)s") % {"codes": "、".join(unknown)}})
    if organization is None:
        return organization_create(by=request.user, enterprises=enterprises, reason=reason, **fields)
    return organization_update(
        organization=organization, by=request.user, enterprises=enterprises, reason=reason, **fields
    )


@login_required
def organization_create_view(request: HttpRequest) -> HttpResponse:
    _refuse_unless(policy.may_edit_organizations(request.user))
    form = _organization_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = _save_organization(request, form, None)
            messages.success(request, _("党组织已登记"))
            return redirect("orgs:organization_detail", organization.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    return _form_page(request, form, title=_("登记党组织"))


def _organization_for_edit(request: HttpRequest, pk: int) -> PartyOrganization:
    organization = organization_get(user=request.user, pk=pk, write=True)
    _refuse_unless(policy.may_edit_organization(request.user, organization))
    return organization


@login_required
def organization_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization_for_edit(request, pk)
    form = _organization_form(request, organization)
    if request.method == "POST" and form.is_valid():
        try:
            _save_organization(request, form, organization)
            messages.success(request, _("党组织信息已修改"))
            return redirect("orgs:organization_detail", organization.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    title = _("修改党组织：%(name)s") % {"name": organization.name}
    return _form_page(request, form, title=title, organization=organization)


@login_required
def organization_dissolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization_for_edit(request, pk)
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization_dissolve(organization=organization, by=request.user, **form.cleaned_data)
            messages.success(request, _("党组织已撤销"))
            return redirect("orgs:organization_detail", organization.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    title = _("撤销党组织：%(name)s") % {"name": organization.name}
    return _form_page(request, form, title=title, organization=organization, danger=True)


@login_required
def organization_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization_for_edit(request, pk)
    form = MergeForm(request.POST or None, targets=organization_write_list(user=request.user).exclude(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            target = organization_merge(
                source=organization,
                target=form.cleaned_data["target"],
                by=request.user,
                merged_on=form.cleaned_data["merged_on"],
            )
            messages.success(request, _("已并入%(name)s") % {"name": target.name})
            return redirect("orgs:organization_detail", target.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    title = _("合并党组织：%(name)s") % {"name": organization.name}
    return _form_page(request, form, title=title, organization=organization, danger=True)


@login_required
def organization_election_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization_for_edit(request, pk)
    roster = roster_names(organization=organization)
    form = ElectionForm(request.POST or None, default_years=organization.default_term_years)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election_record(
                organization=organization,
                by=request.user,
                held_on=data["held_on"],
                term_years=data["term_years"],
                secretary=data["secretary"],
                deputies=names(data["deputies"]),
                committee=names(data["committee"]),
                account=form.account(),
            )
            messages.success(request, _("换届选举已登记，新一届任期已开始"))
            if form.account() is not None:
                messages.success(
                    request, _("已为新书记开通账号“%(u)s”，首次登录须修改密码") % {"u": data["account_username"]}
                )
            return redirect("orgs:organization_detail", organization.pk)
        except ValidationError as exc:
            form_errors_from(form, exc)
    title = _("登记换届选举：%(name)s") % {"name": organization.name}
    return _form_page(request, form, title=title, organization=organization, roster=sorted(set(roster.values())))

"""Pages for users and roles, and for instructor assignments. Thin: a
selector fetches (404 outside reach), the policy decides the buttons, a
service writes; a refusal of the service is shown on the form that caused it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.db_router import replica_reads
from core.pages import error_text, form_errors_from, paginate
from core.xlsx import xlsx_response

from . import policy
from .account_forms import (
    AssignmentEndForm,
    AssignmentForm,
    DisplayNameForm,
    GrantForm,
    PasswordResetForm,
    UserCreateForm,
)
from .account_selectors import (
    USER_FILTERS,
    grant_get,
    grantable_regions,
    instructor_assignments,
    instructor_candidates,
    instructor_visits,
    user_get,
    user_list,
)
from .accounts import (
    GrantSpec,
    user_create,
    user_grant_role,
    user_reset_password,
    user_revoke_role,
    user_set_active,
    user_update,
)
from .assignments import assignment_create, assignment_end
from .models import PartyOrganization, Role
from .policy import require_permission
from .selectors import assignment_get, assignment_list, enterprise_list, organization_list


def _require_browse(user) -> None:
    # A page the user has no business with is a 404, like a record outside their reach.
    if not policy.may_browse_users(user):
        raise Http404(_("记录不存在或不在您的管辖范围内"))


def _grant_choices(user) -> dict:
    return {
        "regions": grantable_regions(user=user),
        "organizations": organization_list(user=user).select_related(None).only("pk", "name").order_by("name")
        if policy.may_manage_users(user)
        else PartyOrganization.objects.none(),
    }


def _spec(data: dict) -> GrantSpec:
    return GrantSpec(role=data["role"], region=data.get("region"), organization=data.get("organization"))


def _filters(request) -> dict:
    return {k: request.GET.get(k, "") for k in USER_FILTERS}


@login_required
def user_list_view(request):
    _require_browse(request.user)
    filters = _filters(request)
    return render(
        request,
        "orgs/users/user_list.html",
        {
            "page": paginate(request, user_list(user=request.user, filters=filters)),
            "filters": filters,
            "roles": Role.choices,
            "can_manage": policy.may_manage_users(request.user),
        },
    )


def _grant_text(grant) -> str:
    place = grant.organization or grant.region
    return f"{grant.get_role_display()}（{place}）" if place else str(grant.get_role_display())


@login_required
@replica_reads
def user_export_view(request):
    _require_browse(request.user)
    users = user_list(user=request.user, filters=_filters(request))
    rows = (
        (
            u.username,
            u.display_name,
            "；".join(_grant_text(g) for g in u.role_grants.all()),
            _("启用") if u.is_active else _("停用"),
            _("是") if u.must_change_password else _("否"),
            timezone.localtime(u.last_login).strftime("%Y-%m-%d %H:%M") if u.last_login else "",
            timezone.localtime(u.date_joined).strftime("%Y-%m-%d"),
        )
        for u in users
    )
    return xlsx_response(
        filename=_("用户列表.xlsx"),
        title=_("用户"),
        headers=[_("用户名"), _("姓名"), _("角色"), _("状态"), _("须修改密码"), _("最近登录"), _("创建日期")],
        rows=rows,
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_create_view(request):
    _require_browse(request.user)
    require_permission(policy.may_manage_users(request.user), _("仅区两新工委工作人员可管理用户"))
    form = UserCreateForm(request.POST or None, **_grant_choices(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = user_create(
                by=request.user,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password"],
                grants=[_spec(data)],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("账号 %(u)s 已创建，用户首次登录后须修改密码") % {"u": account.username})
            return redirect("orgs:user_detail", account.pk)
    return render(request, "orgs/users/user_form.html", {"form": form})


def _detail_context(request, account, **forms) -> dict:
    can_manage = policy.may_manage_account(request.user, account)
    is_instructor = policy.is_instructor(account)
    context = {
        "account": account,
        "grants": account.role_grants.select_related("region", "organization").order_by("role", "pk"),
        "can_manage": can_manage,
        "is_self": account.pk == request.user.pk,
        "is_instructor": is_instructor,
    }
    if can_manage:
        context["grant_form"] = forms.get("grant_form") or GrantForm(**_grant_choices(request.user))
        context["password_form"] = forms.get("password_form") or PasswordResetForm()
        context["name_form"] = forms.get("name_form") or DisplayNameForm(initial={"display_name": account.display_name})
    if is_instructor:
        context["assignments"] = instructor_assignments(account=account)
        context["visits"] = paginate(request, instructor_visits(account=account), per_page=20)
    return context


@login_required
def user_detail_view(request, pk):
    _require_browse(request.user)
    account = user_get(user=request.user, pk=pk)
    return render(request, "orgs/users/user_detail.html", _detail_context(request, account))


def _account_for_write(request, pk):
    """The account (404 outside reach), and 403 unless the user may manage it."""
    _require_browse(request.user)
    account = user_get(user=request.user, pk=pk)
    require_permission(
        policy.may_manage_account(request.user, account), _("该账号的角色超出您的管辖范围，您不能管理此账号")
    )
    return account


def _account_form_post(request, account, form_name: str, form, write, success: str):
    """One of the forms on the account page, posted: when it is valid, `write`
    gets its cleaned data and the page is shown again with `success`; a refusal
    of the service is shown on the form, which the page shows again in its place.
    The services behind these forms check the same policy as `_account_for_write`."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, success)
            return redirect("orgs:user_detail", account.pk)
    return render(request, "orgs/users/user_detail.html", _detail_context(request, account, **{form_name: form}))


@login_required
@require_POST
def user_grant_view(request, pk):
    account = _account_for_write(request, pk)
    return _account_form_post(
        request,
        account,
        "grant_form",
        GrantForm(request.POST, **_grant_choices(request.user)),
        lambda data: user_grant_role(by=request.user, account=account, spec=_spec(data)),
        _("角色已授予"),
    )


@login_required
@require_POST
def user_revoke_view(request, pk, grant_id):
    account = _account_for_write(request, pk)
    grant = grant_get(user=request.user, account=account, pk=grant_id)
    try:
        user_revoke_role(by=request.user, grant=grant)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("角色已撤销"))
    return redirect("orgs:user_detail", account.pk)


@login_required
@require_POST
def user_password_view(request, pk):
    account = _account_for_write(request, pk)
    return _account_form_post(
        request,
        account,
        "password_form",
        PasswordResetForm(request.POST),
        lambda data: user_reset_password(by=request.user, account=account, password=data["password"]),
        _("密码已重置，用户下次登录时须修改"),
    )


@login_required
@require_POST
def user_name_view(request, pk):
    account = _account_for_write(request, pk)
    return _account_form_post(
        request,
        account,
        "name_form",
        DisplayNameForm(request.POST),
        lambda data: user_update(by=request.user, account=account, display_name=data["display_name"]),
        _("姓名已保存"),
    )


@login_required
@require_POST
def user_active_view(request, pk):
    account = _account_for_write(request, pk)
    active = request.POST.get("active") == "1"
    try:
        user_set_active(by=request.user, account=account, is_active=active)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("账号已启用") if active else _("账号已停用"))
    return redirect("orgs:user_detail", account.pk)


# --- instructor assignments ------------------------------------------------------------------


def _require_assigner(user) -> None:
    if not policy.may_assign_instructors(user):
        raise Http404(_("记录不存在或不在您的管辖范围内"))


@login_required
@require_http_methods(["GET", "POST"])
def assignment_list_view(request):
    """Assignments in the user's reach, current first, with a form to assign an instructor."""
    _require_assigner(request.user)
    form = AssignmentForm(
        request.POST or None,
        enterprises=enterprise_list(user=request.user),
        instructors=instructor_candidates(),
        initial={"enterprise": request.GET.get("enterprise", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment_create(
                by=request.user,
                enterprise=data["enterprise"],
                instructor=data["instructor"],
                start_on=data["start_on"],
                end_on=data["end_on"],
            )
        except PermissionDenied as exc:
            form.add_error("enterprise", str(exc))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已选派党建指导员"))
            return redirect("orgs:assignment_list")
    current = request.GET.get("current", "1")
    assignments = assignment_list(user=request.user)
    if current == "1":
        assignments = assignments.filter(end_on__isnull=True)
    text = request.GET.get("q", "").strip()
    if text:
        assignments = assignments.filter(enterprise__name__icontains=text)
    return render(
        request,
        "orgs/users/assignment_list.html",
        {
            "form": form,
            "page": paginate(request, assignments.order_by("-start_on", "-pk")),
            "filters": {"current": current, "q": text},
            "can_browse_users": policy.may_browse_users(request.user),
        },
    )


@login_required
@require_POST
def assignment_end_view(request, pk):
    assignment = assignment_get(user=request.user, pk=pk, write=True)
    form = AssignmentEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("结束日期：请填写正确的日期"))
    else:
        try:
            assignment_end(by=request.user, assignment=assignment, end_on=form.cleaned_data["end_on"])
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("选派已结束"))
    return redirect("orgs:assignment_list")

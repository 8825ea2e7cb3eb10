"""Pages of the security layer: two-factor enrolment and verification, and
the read-only audit log with its .xlsx export."""

import re

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.db_router import replica_reads
from core.errors import ApplicationError
from core.pages import paginate
from exports.views import export_response
from orgs import policy
from orgs.accounts import user_change_own_password
from orgs.audit import audit_event

from .filters import AuditFilter, event_label
from .selectors import audit_entry_list
from .services import (
    otp_check,
    otp_confirmed_device,
    otp_disable,
    otp_enrol_begin,
    otp_enrol_confirm,
)

EXPORT_LIMIT = 50_000


class TokenForm(forms.Form):
    token = forms.RegexField(
        regex=r"^\d{6}$",
        label=gettext_lazy("6位验证码"),
        error_messages={"invalid": gettext_lazy("请输入身份验证器上显示的6位数字")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _form_error(form: forms.Form, exc: ApplicationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup_view(request):
    if not policy.may_enrol_two_factor(request.user):
        raise PermissionDenied(_("仅区两新工委工作人员可启用双因素认证"))
    device = otp_confirmed_device(request.user)
    form = TokenForm(request.POST or None)
    pending = None
    if device is None:
        pending = otp_enrol_begin(user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                confirmed = otp_enrol_confirm(user=request.user, token=form.cleaned_data["token"], request=request)
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                django_otp.login(request, confirmed)
                messages.success(request, _("双因素认证已启用，今后登录时需输入验证码"))
                return redirect("security:otp_setup")
    return render(
        request,
        "security/otp_setup.html",
        {
            "device": device,
            "pending": pending,
            "secret": _b32_secret(pending) if pending else "",
            "form": form,
            "disable_form": TokenForm(prefix="disable"),
        },
    )


def _b32_secret(device) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_POST
def otp_disable_view(request):
    form = TokenForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            otp_disable(user=request.user, token=form.cleaned_data["token"], request=request)
        except ApplicationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("双因素认证已停用"))
    else:
        messages.error(request, _("请输入身份验证器上显示的6位数字"))
    return redirect("security:otp_setup")


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if otp_confirmed_device(request.user) is None or request.user.is_verified():
        return redirect(next_url or "home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp_check(user=request.user, token=form.cleaned_data["token"], request=request)
        if device is not None:
            django_otp.login(request, device)
            return redirect(next_url or "home")
        form.add_error("token", _("验证码不正确或已过期；多次错误后需等待片刻再试"))
    return render(request, "security/otp_verify.html", {"form": form, "next": next_url})


# --- the password -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    """The owner changes their password; an account whose password staff
    set is held here until it does (security.middleware)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_change_own_password(user=request.user, password=form.cleaned_data["new_password1"])
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改"))
            return redirect(next_url or "home")
    return render(
        request,
        "security/password_change.html",
        {"form": form, "next": next_url, "required": request.user.must_change_password},
    )


# --- the audit log -----------------------------------------------------------


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name


def _value(value) -> str:
    text = "" if value is None else str(value)
    if text in ("", "None"):
        return "—"
    return {"True": str(_("是")), "False": str(_("否"))}.get(text, text)


# A to-many relation has no value of its own; the log writes it as "app.Model.None".
_RELATION_PLACEHOLDER = re.compile(r"^\w+\.\w+\.None$")


def _describe(entry) -> dict:
    event = (entry.additional_data or {}).get("event") if entry.additional_data else None
    if not event:
        event = {0: "create", 1: "update", 2: "delete"}.get(entry.action, "access")
    changes = entry.changes_dict if entry.action != entry.Action.ACCESS else {}
    model = entry.content_type.model_class()
    return {
        "entry": entry,
        "event": event,
        "event_label": event_label(event),
        "model": model._meta.verbose_name if model else "",
        "changes": [
            (_field_label(model, field), _value(values[0]), _value(values[1] if len(values) > 1 else None))
            for field, values in changes.items()
            if isinstance(values, list | tuple)
            and values
            and not any(_RELATION_PLACEHOLDER.match(str(v)) for v in values)
        ],
        "actor": str(entry.actor) if entry.actor else "",
    }


@login_required
def audit_log_view(request):
    entries = audit_entry_list(user=request.user, filters=request.GET)
    page = paginate(request, entries)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "security/audit_log.html",
        {
            "page": page,
            "rows": [_describe(e) for e in page.object_list],
            "filter": AuditFilter(request.GET or None),
            "query": query.urlencode(),
        },
    )


@login_required
@replica_reads
def audit_export_view(request):
    if not policy.may_read_audit(request.user):
        raise PermissionDenied(_("仅区两新工委工作人员可查看审计日志"))
    # Recorded when asked for, whether the file is sent now or by an export job.
    audit_event(
        actor=request.user,
        instance=request.user,
        event="audit_export",
        detail={"filters": request.GET.dict()},
        request=request,
    )
    return export_response(request, kind="audit_log", params=request.GET.dict())

"""The second step of a login for users who enabled two-factor.

The password login stays Django's own view; a user with a confirmed TOTP
device is then held at the verification page (or, on the API with a session,
refused) until django-otp marks the session verified. Whether the user has a
device is remembered in the session so ordinary users pay no query per request.
"""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .services import otp_confirmed_device

SESSION_KEY = "otp_checked_for"
EXEMPT_PREFIXES = ("/static/", "/i18n/", "/accounts/logout/", "/security/otp/verify/", "/favicon")


class OTPVerificationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request.path):
            if request.session.get(SESSION_KEY) != user.pk:
                if otp_confirmed_device(user) is None:
                    request.session[SESSION_KEY] = user.pk
                elif not user.is_verified():
                    return self._hold(request)
                else:
                    request.session[SESSION_KEY] = user.pk
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        return path.startswith(EXEMPT_PREFIXES)

    @staticmethod
    def _hold(request):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("请先完成双因素验证")}, status=403)
        return redirect(f"{reverse('security:otp_verify')}?next={request.get_full_path()}")


PASSWORD_EXEMPT_PREFIXES = (*EXEMPT_PREFIXES, "/security/password/")


class PasswordChangeRequiredMiddleware:
    """An account whose password was set by staff (created or reset) goes
    to the password change page, whatever it asks for, until its owner has
    chosen their own; the API refuses it meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(PASSWORD_EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("请先修改密码：您的密码由工作人员设置，须在网页上修改后才能继续")}, status=403
                )
            return redirect(f"{reverse('security:password_change')}?next={request.get_full_path()}")
        return self.get_response(request)

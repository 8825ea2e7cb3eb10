"""What a locked-out client hears: the page for people, JSON for scripts."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("连续登录失败次数过多，账号已锁定 %(m)d 分钟") % {"m": minutes}},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)

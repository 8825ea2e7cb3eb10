"""DRF hooks named in settings (pagination, exception handler). Kept apart
from core.api because DRF imports them while its own generics load."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# What drf-spectacular hands a preprocessing hook: (path, path_regex, method, view).
Endpoint = tuple[str, str, str, Callable[..., Any]]


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # Lazy, so the message follows the language of each request.
    invalid_page_message = gettext_lazy("页码无效")  # type: ignore[assignment]


def _django_error_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"detail": [str(m) for m in exc.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a service's ValidationError/ApplicationError is a
    400 with its Chinese messages, a parse error says so in Chinese, and an
    integrity error (a race past a service's check) is a 400, not a 500.
    The request's transaction, if any, is rolled back by DRF for all of them."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_error_detail(exc))
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("请求体不是合法的 JSON：%(error)s") % {"error": exc.detail})
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError({"detail": [_("数据与已有记录冲突，未保存任何内容")]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("记录不存在或不在您的管辖范围内"))
    elif isinstance(exc, PermissionDenied) and not exc.args:
        exc = exceptions.PermissionDenied(_("您没有执行此操作的权限"))
    return drf_exception_handler(exc, context)


def only_api_v1(endpoints: list[Endpoint]) -> list[Endpoint]:
    """The schema describes the versioned API, not the schema view itself."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]

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
from django_filters import CharFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# What drf-spectacular hands a preprocessing hook: (path, path_regex, method, view).
Endpoint = tuple[str, str, str, Callable[..., Any]]


class Pagination(PageNumberPagination):
    """`page` from 1 (a page past the end, or not a number, is a 404);
    `page_size` a whole number from 1, more than 200 giving 200. A
    `page_size` that is not such a number (`null`, `0`, empty) is a 400
    rather than quietly the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # Lazy, so the message follows the language of each request.
    invalid_page_message = gettext_lazy("页码无效")  # type: ignore[assignment]

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("每页条数应为不小于 1 的整数")]},
            )
        return min(int(raw), self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        # DRF reads an empty `page=` as page 1; here it is an invalid page (404) like `page=0`.
        return request.query_params.get(self.page_query_param, 1)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                cap = self.max_page_size
                parameter["description"] = f"每页条数，默认 {self.page_size}，超过 {cap} 按 {cap}"
            else:
                parameter["description"] = "页码，从 1 起；超出末页为 404"
        return parameters


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a typed filter given with no
    value (`?date_from=`, `?organization=`) is a 400 naming it: the client
    meant something, and it must not get the unfiltered list instead. Text
    filters take an empty value as "any"."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            blank = [
                name
                for name, field in filterset_class.base_filters.items()
                if request.query_params.get(name) == ""
                and not isinstance(field, CharFilter)
                and "" not in dict(field.extra.get("choices") or [])
            ]
            if blank:
                raise exceptions.ValidationError({name: [_("不能为空；不按此项筛选请省略该参数")] for name in blank})
        return super().filter_queryset(request, queryset, view)


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


_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "说明（中文）"}},
    "required": ["detail"],
}
_INVALID = {
    "type": "object",
    "description": "字段名（或 `detail`）对应错误说明的列表；嵌套的字段按其结构给出",
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {}}, {"type": "object"}, {"type": "string"}],
    },
}
_ANSWERS = {
    "400": ("输入不合法或业务规则不允许（说明指出字段），未写入任何内容", "ValidationFailure"),
    "401": ("未登录，或令牌无效、已过期", "Error"),
    "403": ("无权执行此操作；签发令牌时为用户名或密码不正确", "Error"),
    "404": ("记录不存在或不在您的管辖范围内；列表的页码超出末页", "Error"),
    "415": ("请求体的媒体类型不受支持或无法解析（请发送 JSON）", "Error"),
    "429": ("连续登录失败次数过多，账号暂时锁定", "Error"),
}


def _answers_of(operation: dict[str, Any], method: str) -> list[str]:
    parameters = operation.get("parameters", [])
    anonymous = operation.get("security") == [{}]
    codes = []
    if method != "get" or any(p["in"] == "query" for p in parameters):
        codes.append("400")
    if "requestBody" in operation:
        codes.append("415")
    # Without an authenticator to name in WWW-Authenticate, DRF answers
    # wrong credentials with 403; the token's issue has none.
    codes += ["403", "429"] if anonymous else ["401", "403"]
    if any(p["in"] == "path" for p in parameters) or any(p["name"] == "page" for p in parameters):
        codes.append("404")
    return codes


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: every operation lists the error answers it can
    give, each a JSON object. A 400 names the fields (or `detail`); 401,
    403, 404, 415 and 429 carry `detail`. Anonymous operations (the token's
    issue) answer 403 for wrong credentials and 429 when locked."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = _ERROR
    schemas["ValidationFailure"] = _INVALID
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            # An operation may name an error answer itself (with its own description).
            for code in {*_answers_of(operation, method), *(code for code in responses if code in _ANSWERS)}:
                description, component = _ANSWERS[code]
                answer = responses.setdefault(code, {"description": description})
                answer.setdefault(
                    "content", {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}
                )
    return result


def document_text_parameters(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: a text query parameter may hold anything but a
    NUL character, which Django's form fields refuse (400); say so."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query" or schema.get("type") != "string":
                    continue
                if not ({"enum", "format", "pattern"} & schema.keys()):
                    schema["pattern"] = "^[^\\x00]*$"
    return result

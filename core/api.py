"""What every endpoint under /api/v1/ shares: pagination, strict input,
Chinese error bodies, and viewsets that read through the scoped selectors.

Each app's `apis.py` builds on these so an endpoint is a few declarations:
which selector lists, which fetches one, which serializer shows it.
"""

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

import django_filters
from auditlog.context import auditlog_value
from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request

from .money import MONEY_LIMIT, MONEY_PATTERN, TEXT_MAX_LENGTH, parse_money

P = ParamSpec("P")
R = TypeVar("R")


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know or may not write, instead of silently
    dropping them: a client that thinks it changed `status` must hear it did not."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("未知或不可写入的字段")] for name in unknown},
                )
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": MONEY_PATTERN,
        "maxLength": TEXT_MAX_LENGTH,
        "example": "1234.50",
        "description": f"金额（元），最多两位小数，绝对值不超过 {MONEY_LIMIT:,}；逗号只作千位分隔符",
    }
)
class MoneySerializerField(serializers.Field):
    """An amount written to the API: `core.money.parse_money`'s rules and
    messages, the same as the pages'. Send it as a string ("1234.50"); a
    JSON integer is exact and accepted too, a JSON fraction (a float) is not.
    Read back as a string with two decimals."""

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            return parse_money(data, field_label=str(self.label or self.field_name))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def to_representation(self, value: Any) -> str:
        return f"{Decimal(value):.2f}"


def bind_audit_actor(user: AbstractBaseUser | AnonymousUser | None) -> None:
    """django-auditlog's middleware takes the actor from the session before
    DRF has read the token; name the token's user for this request's writes."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None and user is not None and user.is_authenticated:
        context["actor"] = user
        context["actor_email"] = getattr(user, "email", None)


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and detail through an app's selectors.

    `list_selector(user=)` returns the caller's scoped queryset; filtering and
    ordering run on top of it. `get_selector(user=, pk=, write=)` fetches one
    record through `scoped_get`: 404 outside scope, 403 for a write without
    the right.
    """

    list_selector: Callable[..., Any]
    get_selector: Callable[..., Any]
    # An id too long for a database key is no record at all: the URL does not match (404).
    lookup_value_regex = "[0-9]{1,18}"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        bind_audit_actor(request.user)

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            # Schema generation has no user; the selector's model is enough.
            return self.list_selector(user=None)
        return self.list_selector(user=self.request.user)

    def get_object(self) -> Any:
        write = self.request.method not in ("GET", "HEAD", "OPTIONS")
        obj = self.get_selector(user=self.request.user, pk=self.kwargs["pk"], write=write)
        self.check_object_permissions(self.request, obj)
        return obj


def atomic_write(func: Callable[P, R]) -> Callable[P, R]:
    """Every API write is all or nothing, whatever the service does inside."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


ID_MAX = 2**63 - 1
# What the schema says of every record id a client sends (path, query or body).
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


class _IdField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """A record id in a query string: a whole number a database key can hold,
    so `?organization=1e99` is a 400, not an overflow deep in the driver. An
    id that names no record (or none in the caller's scope) filters to an
    empty list; it is not refused as an unknown choice."""

    field_class = _IdField


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 32767})
class SmallNumberFilter(django_filters.NumberFilter):
    """Years and the like: a whole number in the range of a small integer column."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 32767)
        super().__init__(*args, **kwargs)


BOOLEAN_WORDS = {"true": True, "false": False}


def parse_boolean(raw: str, *, field: str) -> bool:
    """A yes/no in a query string, spelt as JSON spells it: `true` or `false`.
    Anything else (`null`, `1`, `yes`, an empty value) is a 400 naming the
    field, not a filter silently left off."""
    try:
        return BOOLEAN_WORDS[raw]
    except KeyError:
        raise serializers.ValidationError({field: [_("应为 true 或 false")]}) from None


def parse_id(raw: str, *, field: str) -> int:
    """A record id in a query string (see IdFilter): a whole number from 1
    that a database key can hold, else a 400 naming the field."""
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= ID_MAX:
        return int(raw)
    raise serializers.ValidationError({field: [_("应为记录ID（不小于 1 的整数）")]})


class _StrictBooleanField(forms.Field):
    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value not in BOOLEAN_WORDS:
            raise DjangoValidationError(_("应为 true 或 false"), code="invalid")
        return BOOLEAN_WORDS[value]


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter that takes only `true` or `false` (see parse_boolean)."""

    field_class = _StrictBooleanField


def api_aware_not_found(request: HttpRequest, exception: Exception) -> HttpResponseBase:
    """The project's 404 page (config.urls.handler404): under /api/ a URL that
    matches nothing (an id that is not a number, a misspelt path) answers in
    JSON like every other API error; elsewhere it is Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("记录不存在或不在您的管辖范围内")}, status=404)
    return page_not_found(request, exception)

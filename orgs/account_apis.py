"""/api/v1/users/: district staff manage accounts and their roles. The
same services as the pages (orgs.accounts); a grant beyond the caller's
reach is a 403 and nothing is written. Passwords are write-only."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.api import ScopedViewSet, StrictSerializer, atomic_write

from . import policy
from .account_selectors import user_get, user_list
from .accounts import GrantSpec, user_create, user_update
from .models import PartyOrganization, Region, Role, User


class GrantSerializer(StrictSerializer):
    # A plain string, so an unknown role gets the service's message naming the field.
    role = serializers.CharField(help_text="角色代码：" + "、".join(f"{v}（{label}）" for v, label in Role.choices))
    role_display = serializers.SerializerMethodField()
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True, help_text="区或街道ID（区、街道、领导角色）"
    )
    region_name = serializers.SerializerMethodField()
    organization = serializers.PrimaryKeyRelatedField(
        queryset=PartyOrganization.objects.all(), required=False, allow_null=True, help_text="党组织ID（书记角色）"
    )
    organization_name = serializers.SerializerMethodField()

    def get_role_display(self, grant: Any) -> str:
        return str(dict(Role.choices).get(grant.role, grant.role))

    def get_region_name(self, grant: Any) -> str | None:
        return grant.region.name if grant.region_id else None

    def get_organization_name(self, grant: Any) -> str | None:
        return grant.organization.name if grant.organization_id else None


class UserSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(max_length=150)
    display_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    is_active = serializers.BooleanField(required=False, default=True)
    must_change_password = serializers.BooleanField(read_only=True)
    last_login = serializers.DateTimeField(read_only=True, allow_null=True)
    grants = GrantSerializer(many=True, source="role_grants")

    class Meta:
        model = User


class UserUpdateSerializer(UserSerializer):
    username = serializers.CharField(read_only=True)
    password = serializers.CharField(
        write_only=True, required=False, trim_whitespace=False, help_text="重置密码：用户下次登录须修改"
    )
    is_active = serializers.BooleanField(required=False)
    grants = GrantSerializer(many=True, source="role_grants", required=False, help_text="替换该账号的全部角色")


def _specs(grants: list[dict[str, Any]]) -> list[GrantSpec]:
    return [GrantSpec(role=g["role"], region=g.get("region"), organization=g.get("organization")) for g in grants]


@extend_schema_view(
    list=extend_schema(
        summary="用户列表（区工作人员与区领导）",
        tags=["用户"],
        parameters=[
            OpenApiParameter("q", str, description="用户名或姓名（包含）"),
            OpenApiParameter("role", str, enum=list(Role.values), description="持有该角色的账号"),
            OpenApiParameter("active", str, enum=["1", "0"], description="1 启用，0 停用"),
        ],
    ),
    retrieve=extend_schema(summary="用户详情", tags=["用户"]),
    create=extend_schema(summary="新建用户并授予角色（区工作人员）", tags=["用户"]),
    partial_update=extend_schema(
        summary="修改用户：姓名、启用/停用、重置密码、替换角色（区工作人员）",
        tags=["用户"],
        request=UserUpdateSerializer,
        responses=UserSerializer,
    ),
)
class UserViewSet(ScopedViewSet):
    """A grant outside the caller's reach, or above their level, answers 403
    and writes nothing; a weak password, a taken username or an unknown role
    answers 400 naming the field."""

    serializer_class = UserSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    # JSON only: in a form body DRF drops a nested list it cannot read
    # (`grants`) instead of refusing it, so a form would be half-applied.
    parser_classes = [JSONParser]
    write_policy = {"*": policy.may_manage_users}
    ordering = ["username"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return UserUpdateSerializer if self.action == "partial_update" else UserSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = self.request.query_params if not getattr(self, "swagger_fake_view", False) else {}
        user = None if getattr(self, "swagger_fake_view", False) else self.request.user
        # The documented choices, held to: an unknown value is a 400 naming it, not a silent "any".
        for name, allowed in (("role", set(Role.values)), ("active", {"1", "0"})):
            value = filters.get(name)
            if value is not None and value not in allowed:
                raise serializers.ValidationError({name: [_("“%(v)s”不是有效的选项") % {"v": value[:20]}]})
        return user_list(user=user, filters=filters)

    @staticmethod
    def get_selector(*, user: Any, pk: Any, write: bool = False) -> User:
        return user_get(user=user, pk=pk)

    @atomic_write
    def create(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        account = user_create(
            by=request.user,
            username=data["username"],
            password=data["password"],
            display_name=data.get("display_name", ""),
            is_active=data.get("is_active", True),
            grants=_specs(data["role_grants"]),
        )
        return Response(UserSerializer(user_get(user=request.user, pk=account.pk)).data, status=status.HTTP_201_CREATED)

    @atomic_write
    def partial_update(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        account = self.get_object()
        serializer = self.get_serializer(account, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user_update(
            by=request.user,
            account=account,
            display_name=data.get("display_name"),
            is_active=data.get("is_active"),
            password=data.get("password"),
            grants=_specs(data["role_grants"]) if "role_grants" in data else None,
        )
        return Response(UserSerializer(user_get(user=request.user, pk=account.pk)).data)

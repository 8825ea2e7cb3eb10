"""/api/v1/members/: the roster, scoped, masked; creation through
members.services.member_create; an audited reveal of the whole numbers."""

import django_filters as filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSet, atomic_write
from orgs.models import Role
from orgs.scoping import scope_for

from .models import Member, Stage
from .selectors import member_get, member_list, member_may_reveal
from .serializers import MemberRevealSerializer, MemberSerializer
from .services import member_create, member_reveal


class MemberFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")
    organization = IdFilter(field_name="organization_id", label="党组织ID")
    enterprise = IdFilter(field_name="enterprise_id", label="企业ID")
    stage = filters.ChoiceFilter(choices=Stage.choices, label="发展阶段")
    status = filters.ChoiceFilter(choices=Member.Status.choices, label="党籍状态")
    mobility = filters.ChoiceFilter(choices=Member.Mobility.choices, label="流动情况")
    gender = filters.ChoiceFilter(choices=Member.Gender.choices, label="性别")

    class Meta:
        model = Member
        fields = ["q", "organization", "enterprise", "stage", "status", "mobility", "gender"]


def _may_file_members(user, organization) -> bool:
    """District staff, or a secretary of the organization (or of its parent)."""
    scope = scope_for(user, write=True)
    if scope.has_role(Role.DISTRICT):
        return True
    return Role.SECRETARY in scope.roles and (
        organization.pk in scope.organization_ids or organization.parent_id in scope.organization_ids
    )


@extend_schema_view(
    list=extend_schema(summary="党员列表（身份证号、手机号已脱敏）", tags=["党员"]),
    retrieve=extend_schema(summary="党员详情（身份证号、手机号已脱敏）", tags=["党员"]),
    create=extend_schema(summary="登记党员（本组织书记或区工作人员）", tags=["党员"]),
)
class MemberViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["id", "name", "stage", "formal_on", "created_at"]
    # Newest last by id: an index order, cheap at district scale.
    ordering = ["id"]

    @staticmethod
    def list_selector(*, user):
        return member_list(user=user)

    get_selector = staticmethod(member_get)

    @atomic_write
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = data.pop("organization")
        if not _may_file_members(request.user, organization):
            raise PermissionDenied(_("仅本组织书记或区两新工委工作人员可登记党员"))
        member = member_create(organization=organization, id_number=data.pop("id_number"), by=request.user, **data)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="查看完整身份证号和手机号（记入审计日志）",
        tags=["党员"],
        request=None,
        responses={200: MemberRevealSerializer},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        member = member_get(user=request.user, pk=pk)
        if not member_may_reveal(user=request.user, member=member):
            raise PermissionDenied(_("仅区两新工委工作人员和本组织书记可查看完整身份证号"))
        values = {
            field: member_reveal(member=member, by=request.user, field=field, request=request)
            for field in ("id_number", "phone")
        }
        return Response({"id": member.pk, **values})

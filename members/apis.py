"""/api/v1/members/: the roster, scoped, masked; creation through
members.services.member_create; an audited reveal of the whole numbers."""

import django_filters as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSet, atomic_write
from orgs import policy

from .models import Member, Stage
from .selectors import member_get, member_list
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
    # Filing needs a roster of one's own; the service checks the organization itself.
    write_policy = {"create": policy.may_keep_rosters}

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
        values = {
            field: member_reveal(member=member, by=request.user, field=field, request=request)
            for field in ("id_number", "phone")
        }
        return Response({"id": member.pk, **values})

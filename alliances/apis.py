"""/api/v1/alliances/ and /api/v1/alliance-problems/ (CONTRACT.md): every
write through alliances.services, the same as the pages."""

import django_filters as filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet
from orgs import policy
from orgs.models import Industry, Region

from . import selectors as sel
from .models import Alliance, AllianceProblem
from .serializers import (
    AllianceDetailSerializer,
    AllianceMemberSerializer,
    AllianceSerializer,
    AllianceWriteSerializer,
    MemberWriteSerializer,
    ProblemSerializer,
    ProblemWriteSerializer,
    ResolveSerializer,
)
from .services import alliance_create, member_add, problem_raise, problem_resolve

TAGS = ["产业链党建联盟"]


class AllianceFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Alliance.Status.choices, label="状态")
    chain = filters.CharFilter(label="产业链")

    class Meta:
        model = Alliance
        fields = ["status", "chain"]


def _list(*, user):
    return sel.alliance_list(user=user)


def _get(*, user, pk, write=False):
    return sel.alliance_get(user=user, pk=pk)


def _detail(alliance: Alliance) -> Response:
    alliance = (
        Alliance.objects.prefetch_related(
            "members__organization", "members__enterprise", "joint_activities__organizations"
        )
        .select_related("region", "lead_organization", "lead_enterprise", "lead_park")
        .get(pk=alliance.pk)
    )
    return Response(AllianceDetailSerializer(sel.alliance_with_figures(alliance=alliance)).data)


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(summary="产业链党建联盟列表", tags=TAGS),
    retrieve=extend_schema(
        summary="联盟详情（成员、问题化解率、联合活动）", tags=TAGS, responses=AllianceDetailSerializer
    ),
    create=extend_schema(
        summary="建立联盟（所属街道或区的工作人员）",
        tags=TAGS,
        request=AllianceWriteSerializer,
        responses={201: AllianceDetailSerializer},
    ),
)
class AllianceViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = AllianceSerializer
    filterset_class = AllianceFilter
    write_policy = {
        "create": policy.may_create_alliances,
        "members": policy.may_create_alliances,
        "problems": policy.may_keep_any_alliance_records,
    }
    ordering_fields = ["name", "founded_on"]
    ordering = ["name", "id"]
    list_selector = staticmethod(_list)
    get_selector = staticmethod(_get)

    def get_serializer_class(self):
        return AllianceWriteSerializer if self.action == "create" else super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        return _detail(self.get_object())

    def create(self, request, *args, **kwargs):
        data = dict(_input(AllianceWriteSerializer, request))
        user = request.user
        regions = Region.objects.filter(kind__in=[Region.Kind.STREET, Region.Kind.DISTRICT])
        from orgs.scoping import scope_for

        data["region"] = sel.reference_get(
            queryset=regions.filter(scope_for(user).regions_q()), pk=data["region"], field="region", label=_("所属区域")
        )
        data["lead_organization"] = sel.reference_get(
            queryset=sel.organizations_in_reach(user=user),
            pk=data["lead_organization"],
            field="lead_organization",
            label=_("牵头党组织"),
        )
        data["lead_enterprise"] = sel.reference_get(
            queryset=sel.enterprises_in_reach(user=user),
            pk=data.get("lead_enterprise"),
            field="lead_enterprise",
            label=_("牵头企业"),
        )
        data["lead_park"] = sel.reference_get(
            queryset=sel.parks_in_reach(user=user), pk=data.get("lead_park"), field="lead_park", label=_("牵头园区")
        )
        code = (data.pop("industry", "") or "").strip().upper()
        data["industry"] = sel.reference_get(
            queryset=Industry.objects.all(), pk=code or None, field="industry", label=_("行业门类")
        )
        alliance = alliance_create(by=user, **data)
        response = _detail(alliance)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        summary="加入成员（X：党组织；N：无党组织的企业）",
        tags=TAGS,
        request=MemberWriteSerializer,
        responses={201: AllianceMemberSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="members",
        filterset_class=None,
        ordering_fields=[],
        serializer_class=MemberWriteSerializer,
    )
    def members(self, request, pk=None):
        alliance = self.get_object()
        data = _input(MemberWriteSerializer, request)
        member = member_add(
            by=request.user,
            alliance=alliance,
            joined_on=data["joined_on"],
            left_on=data.get("left_on"),
            organization=sel.reference_get(
                queryset=sel.organizations_in_reach(user=request.user),
                pk=data.get("organization"),
                field="organization",
                label=_("成员党组织"),
            ),
            enterprise=sel.reference_get(
                queryset=sel.enterprises_in_reach(user=request.user),
                pk=data.get("enterprise"),
                field="enterprise",
                label=_("成员企业"),
            ),
        )
        return Response(AllianceMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="登记问题（牵头党组织书记或工作人员）",
        tags=TAGS,
        request=ProblemWriteSerializer,
        responses={201: ProblemSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="problems",
        filterset_class=None,
        ordering_fields=[],
        serializer_class=ProblemWriteSerializer,
    )
    def problems(self, request, pk=None):
        alliance = self.get_object()
        data = dict(_input(ProblemWriteSerializer, request))
        data["enterprise"] = sel.reference_get(
            queryset=sel.problem_enterprise_choices(user=request.user, alliance=alliance),
            pk=data["enterprise"],
            field="enterprise",
            label=_("提出企业"),
        )
        problem = problem_raise(by=request.user, alliance=alliance, **data)
        return Response(ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)


def _problem_get(*, user, pk, write=False):
    return sel.problem_get(user=user, pk=pk)


@extend_schema_view(
    list=extend_schema(summary="联盟问题清单", tags=TAGS),
    retrieve=extend_schema(summary="联盟问题详情", tags=TAGS),
)
class AllianceProblemViewSet(ScopedViewSet):
    serializer_class = ProblemSerializer
    filterset_class = None
    write_policy = {"resolve": policy.may_keep_any_alliance_records}
    ordering_fields = ["raised_on", "resolved_on"]
    ordering = ["-raised_on", "-id"]
    list_selector = staticmethod(sel.problem_list_in_reach)
    get_selector = staticmethod(_problem_get)

    @extend_schema(summary="化解问题", tags=TAGS, request=ResolveSerializer, responses={200: ProblemSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="resolve",
        filterset_class=None,
        ordering_fields=[],
        serializer_class=ResolveSerializer,
    )
    def resolve(self, request, pk=None):
        problem: AllianceProblem = self.get_object()
        data = _input(ResolveSerializer, request)
        problem = problem_resolve(by=request.user, problem=problem, **data)
        return Response(ProblemSerializer(problem).data)

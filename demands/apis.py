"""/api/v1/demands/: the demand library (CONTRACT.md). Every write calls
demands.services, the same functions the pages call."""

import django_filters as filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import ScopedViewSet, atomic_write
from orgs import policy

from .models import DemandProject
from .selectors import claim_members, claim_organizations, demand_get, demand_list
from .serializers import (
    CheckSerializer,
    ClaimSerializer,
    CompleteSerializer,
    DemandDetailSerializer,
    DemandProjectSerializer,
    DemandReasonSerializer,
    DemandWriteSerializer,
    RectifiedSerializer,
)
from .services import (
    demand_check,
    demand_claim,
    demand_complete,
    demand_exit,
    demand_rectified,
    demand_send_back,
    demand_set_up,
)

TAG = ["党建需求库"]
REFUSED = gettext_lazy("您没有对此需求项目执行此操作的权限")
OWNER_FIELD = {"A": "district", "B": "street", "C": "organization"}


class DemandFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=DemandProject.Level.choices, label="类别")
    state = filters.ChoiceFilter(choices=DemandProject.State.choices, label="状态")
    title = filters.CharFilter(lookup_expr="icontains", label="项目名称（包含）")
    target_date = filters.DateFilter(label="计划完成日期")
    target_date_before = filters.DateFilter(field_name="target_date", lookup_expr="lte", label="计划完成日期不晚于")
    target_date_after = filters.DateFilter(field_name="target_date", lookup_expr="gte", label="计划完成日期不早于")

    class Meta:
        model = DemandProject
        fields = ["level", "state", "title", "target_date", "target_date_before", "target_date_after"]


def _answer(project: DemandProject, code: int = status.HTTP_200_OK) -> Response:
    project = DemandProject.objects.select_related("district", "street", "organization", "enterprise").get(
        pk=project.pk
    )
    return Response(DemandDetailSerializer(project).data, status=code)


def _detail_action(url_path: str, serializer_class, summary: str):
    def wrap(func):
        func = atomic_write(func)
        func = action(
            detail=True,
            methods=["post"],
            url_path=url_path,
            url_name=url_path,
            filterset_class=None,
            ordering_fields=[],
            serializer_class=serializer_class,
        )(func)
        return extend_schema(
            summary=summary, tags=TAG, request=serializer_class, responses={200: DemandDetailSerializer}
        )(func)

    return wrap


@extend_schema_view(
    list=extend_schema(summary="党建需求项目列表", tags=TAG),
    retrieve=extend_schema(
        summary="需求项目详情（含认领和跟单检查）", tags=TAG, responses={200: DemandDetailSerializer}
    ),
    create=extend_schema(
        summary="建单（A类区两新工委、B类街道、C类党组织书记）",
        tags=TAG,
        request=DemandWriteSerializer,
        responses={201: DemandDetailSerializer},
    ),
)
class DemandViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = DemandProjectSerializer
    filterset_class = DemandFilter
    write_policy = {"*": policy.may_write_demands}
    ordering_fields = ["id", "target_date", "set_up_on"]
    ordering = ["-id"]
    list_selector = staticmethod(demand_list)
    get_selector = staticmethod(lambda *, user, pk, write=False: demand_get(user=user, pk=pk))

    def get_serializer_class(self):
        if self.action == "create":
            return DemandWriteSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        return _answer(self.get_object())

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @atomic_write
    def create(self, request, *args, **kwargs):
        data = self._input(DemandWriteSerializer)
        level = data.pop("level")
        owner_field = OWNER_FIELD[level]
        owner = data.get(owner_field)
        if owner is None:
            raise ValidationError(
                {owner_field: [_("%(level)s类项目须给出 %(field)s") % {"level": level, "field": owner_field}]}
            )
        for name in OWNER_FIELD.values():
            data.pop(name, None)
        project = demand_set_up(by=request.user, level=level, owner=owner, **data)
        return _answer(project, status.HTTP_201_CREATED)

    @_detail_action("claim", ClaimSerializer, "认领（点单）：{organization} 集体认领，或 {members: [...]} 党员认领")
    def claim(self, request, pk=None):
        project = self.get_object()
        policy.require_permission(policy.may_claim_demand(request.user, project), REFUSED)
        data = self._input(ClaimSerializer)
        organization = None
        if data.get("organization") is not None:
            organization = (
                claim_organizations(user=request.user, project=project).filter(pk=data["organization"]).first()
            )
            if organization is None:
                raise ValidationError(
                    {"organization": [_("集体认领的党组织：不存在、不在本项目范围内或您不能为其登记")]}
                )
        wanted = list(dict.fromkeys(data.get("members") or []))
        members = list(claim_members(user=request.user, project=project).filter(pk__in=wanted))
        missing = sorted(set(wanted) - {m.pk for m in members})
        if missing:
            raise ValidationError(
                {"members": [_("认领党员：ID %(ids)s 不存在、不在本项目范围内或您不能为其登记") % {"ids": missing}]}
            )
        demand_claim(
            project=project,
            by=request.user,
            organization=organization,
            members=members,
            claimed_on=data.get("claimed_on"),
        )
        return _answer(project)

    @_detail_action("check", CheckSerializer, "跟单检查（A、B类区两新工委季度检查，C类抽查）")
    def check(self, request, pk=None):
        project = self.get_object()
        policy.require_permission(policy.may_check_demand(request.user, project), REFUSED)
        data = self._input(CheckSerializer)
        demand_check(project=project, by=request.user, **data)
        return _answer(project)

    @_detail_action("complete", CompleteSerializer, "完成并登记需求提出方满意度（1–5）")
    def complete(self, request, pk=None):
        project = self.get_object()
        policy.require_permission(policy.may_manage_demand(request.user, project), REFUSED)
        data = self._input(CompleteSerializer)
        demand_complete(project=project, by=request.user, **data)
        return _answer(project)

    @_detail_action("send-back", DemandReasonSerializer, "退回整改（须填写原因）")
    def send_back(self, request, pk=None):
        project = self.get_object()
        policy.require_permission(policy.may_manage_demand(request.user, project), REFUSED)
        data = self._input(DemandReasonSerializer)
        demand_send_back(project=project, by=request.user, reason=data["reason"])
        return _answer(project)

    @_detail_action("rectified", RectifiedSerializer, "确认整改完成，回到已认领")
    def rectified(self, request, pk=None):
        project = self.get_object()
        policy.require_permission(policy.may_manage_demand(request.user, project), REFUSED)
        data = self._input(RectifiedSerializer)
        demand_rectified(project=project, by=request.user, note=data["note"])
        return _answer(project)

    @_detail_action("exit", DemandReasonSerializer, "退出（须填写原因）")
    def exit(self, request, pk=None):
        project = self.get_object()
        policy.require_permission(policy.may_manage_demand(request.user, project), REFUSED)
        data = self._input(DemandReasonSerializer)
        demand_exit(project=project, by=request.user, reason=data["reason"])
        return _answer(project)

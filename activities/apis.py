"""/api/v1/activities/: activity records. Filing, correcting and the review
workflow call activities.services, the same functions the pages call."""

import django_filters as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSet, atomic_write

from .models import Activity, ActivityType
from .selectors import activity_get, activity_list
from .serializers import ActivitySerializer, ActivityUpdateSerializer, ActivityWriteSerializer, ReturnReasonSerializer
from .services import (
    AttendancePick,
    activity_approve,
    activity_create,
    activity_return,
    activity_submit,
    activity_update,
)


class ActivityFilter(filters.FilterSet):
    organization = IdFilter(field_name="organization_id", label="党组织ID")
    type = filters.ChoiceFilter(field_name="activity_type", choices=ActivityType.choices, label="类型")
    status = filters.ChoiceFilter(choices=Activity.Status.choices, label="审核状态")
    date_from = filters.DateFilter(field_name="held_on", lookup_expr="gte", label="起始日期（含）")
    date_to = filters.DateFilter(field_name="held_on", lookup_expr="lte", label="截止日期（含）")

    class Meta:
        model = Activity
        fields = ["organization", "type", "status", "date_from", "date_to"]


@extend_schema_view(
    list=extend_schema(summary="组织生活记录列表", tags=["组织生活"]),
    retrieve=extend_schema(summary="组织生活记录详情", tags=["组织生活"]),
    create=extend_schema(
        summary="填报组织生活记录（草稿，含出席登记）",
        tags=["组织生活"],
        request=ActivityWriteSerializer,
        responses={201: ActivitySerializer},
    ),
    update=extend_schema(
        summary="修改草稿或被退回的记录",
        tags=["组织生活"],
        request=ActivityUpdateSerializer,
        responses={200: ActivitySerializer},
    ),
    partial_update=extend_schema(
        summary="部分修改草稿或被退回的记录（未给出席登记则保留原登记）",
        tags=["组织生活"],
        request=ActivityUpdateSerializer,
        responses={200: ActivitySerializer},
    ),
)
class ActivityViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["id", "held_on", "created_at"]
    # Most recently filed first (an index order); ?ordering=-held_on sorts by date.
    ordering = ["-id"]
    list_selector = staticmethod(activity_list)
    get_selector = staticmethod(activity_get)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return ActivityWriteSerializer
        if self.action in ("update", "partial_update"):
            return ActivityUpdateSerializer
        return super().get_serializer_class()

    @atomic_write
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        picks = _picks(data.pop("attendance", []))
        activity = activity_create(organization=data.pop("organization"), by=request.user, attendance=picks, **data)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @atomic_write
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        activity = self.get_object()
        serializer = self.get_serializer(activity, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "attendance" in data:
            picks = _picks(data.pop("attendance"))
        else:
            # The service rewrites attendance on every save: keep what is recorded.
            picks = [
                AttendancePick(a.member_id, a.attended, a.absence_reason)
                for a in activity.attendance.all().order_by("pk")
            ]
        activity = activity_update(activity=activity, by=request.user, attendance=picks, **data)
        return Response(ActivitySerializer(activity).data)

    @extend_schema(summary="提交审核", tags=["组织生活"], request=None, responses={200: ActivitySerializer})
    @action(detail=True, methods=["post"], filterset_class=None, ordering_fields=[])
    @atomic_write
    def submit(self, request, pk=None):
        activity = activity_submit(activity=self.get_object(), by=request.user)
        return Response(ActivitySerializer(activity).data)

    @extend_schema(
        summary="审核通过（街道或区工作人员）", tags=["组织生活"], request=None, responses={200: ActivitySerializer}
    )
    @action(detail=True, methods=["post"], filterset_class=None, ordering_fields=[])
    @atomic_write
    def approve(self, request, pk=None):
        activity = activity_approve(activity=self.get_object(), by=request.user)
        return Response(ActivitySerializer(activity).data)

    @extend_schema(
        summary="退回修改（须填写理由）",
        tags=["组织生活"],
        request=ReturnReasonSerializer,
        responses={200: ActivitySerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        filterset_class=None,
        ordering_fields=[],
        serializer_class=ReturnReasonSerializer,
    )
    @atomic_write
    def return_(self, request, pk=None):
        activity = self.get_object()
        serializer = ReturnReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = activity_return(activity=activity, by=request.user, reason=serializer.validated_data["reason"])
        return Response(ActivitySerializer(activity).data)


def _picks(rows: list[dict]) -> list[AttendancePick]:
    return [AttendancePick(row["member"], row["attended"], row.get("absence_reason", "")) for row in rows]

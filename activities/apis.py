"""/api/v1/activities/: activity records, read only here. Filing and review
go through activities.services once those exist; the API will call the same."""

import django_filters as filters
from drf_spectacular.utils import extend_schema, extend_schema_view

from core.api import IdFilter, ScopedViewSet

from .models import Activity, ActivityType
from .selectors import activity_get, activity_list
from .serializers import ActivitySerializer


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
)
class ActivityViewSet(ScopedViewSet):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    ordering_fields = ["id", "held_on", "created_at"]
    # Most recently filed first (an index order); ?ordering=-held_on sorts by date.
    ordering = ["-id"]
    list_selector = staticmethod(activity_list)
    get_selector = staticmethod(activity_get)

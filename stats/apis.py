"""/api/v1/stats/: the coverage figures the nightly run stored (CONTRACT.md)."""

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from .coverage import coverage_by_street, coverage_snapshot


class CoverageSerializer(serializers.Serializer):
    date = serializers.DateField()
    enterprises = serializers.IntegerField()
    org_covered = serializers.IntegerField()
    work_covered = serializers.IntegerField()
    org_coverage_rate = serializers.FloatField(allow_null=True)
    work_coverage_rate = serializers.FloatField(allow_null=True)
    own_org_eligible = serializers.IntegerField()
    own_org = serializers.IntegerField()
    own_org_rate = serializers.FloatField(allow_null=True)
    should_form_not_formed = serializers.IntegerField()
    organizations = serializers.IntegerField()
    members_formal = serializers.IntegerField()
    members_probationary = serializers.IntegerField()
    employees = serializers.IntegerField()
    enterprises_without_member = serializers.IntegerField()
    details = serializers.JSONField()


class StreetCoverageSerializer(CoverageSerializer):
    street = serializers.IntegerField(source="street_id")
    street_name = serializers.CharField()


def _query(request) -> tuple[date | None, bool]:
    raw = request.query_params.get("date")
    on = None
    if raw:
        try:
            on = date.fromisoformat(raw)
        except ValueError:
            raise ValidationError({"date": [_("日期格式应为YYYY-MM-DD")]}) from None
    above = request.query_params.get("above_scale", "").lower() in ("1", "true", "yes")
    return on, above


DATE_PARAMS = [
    OpenApiParameter("date", OpenApiTypes.DATE, description="统计日期，默认最新；取该日或之前最近一次统计"),
    OpenApiParameter("above_scale", OpenApiTypes.BOOL, description="仅规上企业"),
]


class CoverageView(APIView):
    """Coverage figures of the district or one street, from the nightly snapshots."""

    @extend_schema(
        parameters=[*DATE_PARAMS, OpenApiParameter("street", OpenApiTypes.INT, description="街道ID")],
        responses=CoverageSerializer,
    )
    def get(self, request):
        on, above = _query(request)
        snapshot = coverage_snapshot(
            user=request.user, street_id=request.query_params.get("street"), on=on, above_scale=above
        )
        return Response(CoverageSerializer(snapshot).data)


class StreetCoveragePageSerializer(serializers.Serializer):
    """The paginated envelope every list of CONTRACT.md carries."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StreetCoverageSerializer(many=True)


class StreetCoverageView(APIView):
    """The same figures per street the caller may read (paginated)."""

    @extend_schema(parameters=DATE_PARAMS, responses=StreetCoveragePageSerializer)
    def get(self, request):
        on, above = _query(request)
        answer, rows = coverage_by_street(user=request.user, on=on, above_scale=above)
        items = []
        for street, snapshot in rows:
            if snapshot is None:
                continue
            snapshot.street_id, snapshot.street_name = street.pk, street.name
            items.append(snapshot)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(StreetCoverageSerializer(page, many=True).data)

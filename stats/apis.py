"""/api/v1/stats/: the coverage figures the nightly run stored (CONTRACT.md)."""

import re
from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ID_SCHEMA, parse_boolean, parse_id
from core.drf import Pagination

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
    """`date` (YYYY-MM-DD) and `above_scale` (`true`/`false`), each optional;
    given empty or otherwise, a 400 naming it rather than the default."""
    raw = request.query_params.get("date")
    on = None
    if raw is not None:
        try:
            on = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
        except ValueError:
            on = None
        if on is None:
            raise ValidationError({"date": [_("日期格式应为YYYY-MM-DD")]})
    raw = request.query_params.get("above_scale")
    above = False if raw is None else parse_boolean(raw, field="above_scale")
    return on, above


DATE_PARAMS = [
    OpenApiParameter("date", OpenApiTypes.DATE, description="统计日期，默认最新；取该日或之前最近一次统计"),
    OpenApiParameter("above_scale", OpenApiTypes.BOOL, description="仅规上企业（true 或 false）"),
]


class CoverageView(APIView):
    """Coverage figures of the district or one street, from the nightly snapshots."""

    @extend_schema(
        parameters=[*DATE_PARAMS, OpenApiParameter("street", ID_SCHEMA, description="街道ID")],
        responses={
            200: CoverageSerializer,
            404: OpenApiResponse(description="该日期尚无统计结果，或街道不在您的管辖范围内（多街道用户须指定街道）"),
        },
    )
    def get(self, request):
        on, above = _query(request)
        street = request.query_params.get("street")
        street_id = None if street is None else parse_id(street, field="street")
        snapshot = coverage_snapshot(user=request.user, street_id=street_id, on=on, above_scale=above)
        return Response(CoverageSerializer(snapshot).data)


class StreetCoveragePageSerializer(serializers.Serializer):
    """The paginated envelope every list of CONTRACT.md carries."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StreetCoverageSerializer(many=True)


class StreetCoverageView(APIView):
    """The same figures per street the caller may read (paginated)."""

    @extend_schema(
        parameters=[
            *DATE_PARAMS,
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="页码，从 1 起；超出末页为 404"),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1}, description="每页条数，默认 50，最多 200"),
        ],
        responses=StreetCoveragePageSerializer,
    )
    def get(self, request):
        on, above = _query(request)
        answer, rows = coverage_by_street(user=request.user, on=on, above_scale=above)
        items = []
        for street, snapshot in rows:
            if snapshot is None:
                continue
            snapshot.street_id, snapshot.street_name = street.pk, street.name
            items.append(snapshot)
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(StreetCoverageSerializer(page, many=True).data)

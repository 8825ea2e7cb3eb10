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

from .coverage_reads import coverage_by_street
from .nodes import CHANGE_COUNTS, CHANGE_RATES, change, node_children, node_snapshot


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
    union_enterprises = serializers.IntegerField(help_text="已建工会的在营企业数")
    union_members = serializers.IntegerField(help_text="工会会员数（建会且填报了会员数的企业）")
    union_member_base = serializers.IntegerField(help_text="建会且填报了会员数的企业的从业人员数")
    union_rate = serializers.FloatField(
        allow_null=True, help_text="工会建会率：已建工会企业 / 在营企业；无企业时为 null"
    )
    union_membership_rate = serializers.FloatField(
        allow_null=True,
        help_text="职工入会率：工会会员数 / 建会企业从业人员数（仅计填报了会员数的企业）；无数据时为 null",
    )
    league_enterprises = serializers.IntegerField(help_text="已建团组织的在营企业数")
    league_members = serializers.IntegerField(help_text="团员数（填报了团员数的企业）")
    league_rate = serializers.FloatField(
        allow_null=True, help_text="团组织建立率：已建团组织企业 / 在营企业；无企业时为 null"
    )
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


def _region_param(request) -> int | None:
    """`region` (any region the caller reaches), or `street`, its older alias."""
    for name in ("region", "street"):
        raw = request.query_params.get(name)
        if raw is not None:
            return parse_id(raw, field=name)
    return None


REGION_PARAM = OpenApiParameter(
    "region", ID_SCHEMA, description="区域ID（省、市、区县、街道、园区），须在您的管辖范围内；默认为您的最高一级区域"
)


class CoverageView(APIView):
    """Coverage figures of any region the caller reaches, from the nightly snapshots."""

    @extend_schema(
        parameters=[
            *DATE_PARAMS,
            REGION_PARAM,
            OpenApiParameter("street", ID_SCHEMA, description="街道ID（region 的旧名，仍可使用）"),
        ],
        responses={
            200: CoverageSerializer,
            404: OpenApiResponse(description="该日期尚无统计结果，或区域不在您的管辖范围内（多街道用户须指定区域）"),
        },
    )
    def get(self, request):
        on, above = _query(request)
        snapshot = node_snapshot(user=request.user, region_id=_region_param(request), on=on, above_scale=above)
        return Response(CoverageSerializer(snapshot).data)


class CoverageChangeSerializer(serializers.Serializer):
    """Each figure minus that of the last snapshot before this month (`since`)."""

    since = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        for name in CHANGE_COUNTS:
            fields[name] = serializers.IntegerField()
        for name in CHANGE_RATES:
            fields[name] = serializers.FloatField(allow_null=True)
        return fields


class ChildCoverageSerializer(CoverageSerializer):
    region = serializers.IntegerField(source="region_id")
    region_name = serializers.CharField()
    region_kind = serializers.CharField()
    change = CoverageChangeSerializer(allow_null=True, help_text="较上月（上月末快照）的变化；上月无快照时为 null")


class ChildCoveragePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ChildCoverageSerializer(many=True)


PAGE_PARAMS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="页码，从 1 起；超出末页为 404"),
    OpenApiParameter("page_size", {"type": "integer", "minimum": 1}, description="每页条数，默认 50，最多 200"),
]


class ChildCoverageView(APIView):
    """The same figures for each child of a region (a city's districts, a
    district's streets and parks, a street's parks), with the change since
    the previous month; paginated."""

    @extend_schema(
        parameters=[*DATE_PARAMS, REGION_PARAM, *PAGE_PARAMS],
        responses={
            200: ChildCoveragePageSerializer,
            404: OpenApiResponse(description="该日期尚无统计结果，或区域不在您的管辖范围内"),
        },
    )
    def get(self, request):
        on, above = _query(request)
        region = request.query_params.get("region")
        region_id = None if region is None else parse_id(region, field="region")
        items = []
        for child in node_children(user=request.user, region_id=region_id, on=on, above_scale=above):
            snapshot = child.snapshot
            snapshot.region_id, snapshot.region_name, snapshot.region_kind = (
                child.region.pk,
                child.region.name,
                child.region.kind,
            )
            snapshot.change = change(snapshot, child.previous)
            items.append(snapshot)
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(ChildCoverageSerializer(page, many=True).data)


class StreetCoveragePageSerializer(serializers.Serializer):
    """The paginated envelope every list of CONTRACT.md carries."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StreetCoverageSerializer(many=True)


class StreetCoverageView(APIView):
    """The same figures per street the caller may read (paginated)."""

    @extend_schema(
        parameters=[*DATE_PARAMS, *PAGE_PARAMS],
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

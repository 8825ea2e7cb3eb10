"""/api/v1/ endpoints of the ground floor: enterprises, organizations,
instructor assignments, ratings and warnings. Thin: selectors read, services write."""

import django_filters as filters
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSet, SmallNumberFilter, StrictBooleanFilter, atomic_write
from core.errors import ApplicationError

from . import policy
from .alerts import alert_assign, alert_close, alert_reopen, alert_respond
from .filters import AlertFilter, EnterpriseFilter, OrganizationFilter
from .models import (
    Alert,
    BusinessStatus,
    EnterpriseSurvey,
    InstructorAssignment,
    OrgSetup,
    PartyOrganization,
    Rating,
    Region,
    User,
)
from .organization_services import election_record, organization_update
from .rating_inputs import venue_check_record
from .selectors import (
    alert_get,
    alert_list,
    assignment_get,
    assignment_list,
    enterprise_get,
    enterprise_list,
    organization_get,
    organization_list,
    rating_get,
    rating_list,
    region_get,
    region_list,
    survey_get,
    survey_list,
)
from .serializers import (
    AlertAssignSerializer,
    AlertNoteSerializer,
    AlertRespondSerializer,
    AlertSerializer,
    ElectionCreateSerializer,
    ElectionSerializer,
    EnterprisePhoneSerializer,
    EnterpriseSerializer,
    EnterpriseSurveySerializer,
    EnterpriseUpdateSerializer,
    InstructorAssignmentSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
    RatingSerializer,
    RegionSerializer,
    VenueChecklistSerializer,
    VenueCheckSerializer,
)
from .services import enterprise_change, enterprise_create, enterprise_phone_reveal


class EnterpriseApiFilter(EnterpriseFilter):
    """The pages' parameters, read as strictly as the rest of the API: a
    region is an id (one that names no street or park gives an empty list,
    not a 400), a yes/no is `true` or `false`, a count a whole number."""

    street = IdFilter(field_name="street_id", label="街道ID")
    park = IdFilter(field_name="park_id", label="园区ID")
    above_scale = StrictBooleanFilter(label="规上企业")
    covered = StrictBooleanFilter(method="filter_covered", label="有党组织覆盖")
    min_formal = SmallNumberFilter(field_name="members_formal", lookup_expr="gte", label="正式党员不少于")


class OrganizationApiFilter(OrganizationFilter):
    """As EnterpriseApiFilter: regions by id, yes/no as `true` or `false`."""

    street = IdFilter(field_name="street_id", label="街道ID")
    park = IdFilter(field_name="park_id", label="园区ID")
    needs_completion = StrictBooleanFilter(label="待完善")


@extend_schema_view(
    list=extend_schema(summary="企业列表（联系电话已脱敏）", tags=["企业"]),
    retrieve=extend_schema(summary="企业详情（联系电话已脱敏）", tags=["企业"]),
    create=extend_schema(summary="登记企业（区、街道工作人员）", tags=["企业"]),
    update=extend_schema(
        summary="修改企业（区、街道工作人员）",
        tags=["企业"],
        request=EnterpriseUpdateSerializer,
        responses={200: EnterpriseSerializer},
    ),
    partial_update=extend_schema(
        summary="部分修改企业（区、街道工作人员）",
        tags=["企业"],
        request=EnterpriseUpdateSerializer,
        responses={200: EnterpriseSerializer},
    ),
)
class EnterpriseViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseApiFilter
    ordering_fields = ["credit_code", "name", "employees", "members_total", "updated_at"]
    ordering = ["credit_code"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    write_policy = {"*": policy.may_edit_enterprises}

    @staticmethod
    def list_selector(*, user):
        return enterprise_list(user=user).select_related("community")

    @staticmethod
    def get_selector(*, user, pk, write=False):
        return enterprise_get(user=user, pk=pk, write=write)

    @atomic_write
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        enterprise = enterprise_create(by=request.user, **data)
        return Response(self.get_serializer(enterprise).data, status=status.HTTP_201_CREATED)

    @atomic_write
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        enterprise = self.get_object()
        serializer = EnterpriseUpdateSerializer(
            enterprise, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        enterprise = enterprise_change(enterprise=enterprise, by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(enterprise).data)

    @extend_schema(
        summary="查看企业完整联系电话（区工作人员、本街道工作人员；记入审计日志）",
        tags=["企业"],
        request=None,
        responses={200: EnterprisePhoneSerializer},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        enterprise = enterprise_get(user=request.user, pk=pk)
        phone = enterprise_phone_reveal(enterprise=enterprise, by=request.user, request=request)
        return Response({"id": enterprise.pk, "phone": phone})


@extend_schema_view(
    list=extend_schema(summary="党组织列表", tags=["党组织"]),
    retrieve=extend_schema(summary="党组织详情", tags=["党组织"]),
)
class OrganizationViewSet(ScopedViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationApiFilter
    ordering_fields = ["name", "founded_on", "term_end", "created_at"]
    ordering = ["street_id", "name"]  # the (street, name) unique index
    http_method_names = ["get", "post", "patch", "head", "options"]
    write_policy = {"*": policy.may_edit_organizations}

    @extend_schema(
        summary="修改党组织（区、街道工作人员，本辖区）",
        description="可改：名称、类别、组建方式、上级党组织、街道、园区、书记、任期等；reason 记入修改历史。"
        "任期届满早于开始、上级为自身或下级、同街道重名等均以 400 拒绝，并指明字段。",
        tags=["党组织"],
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationSerializer},
    )
    @atomic_write
    def partial_update(self, request, *args, **kwargs):
        organization = self.get_object()
        serializer = OrganizationUpdateSerializer(data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        organization = organization_update(organization=organization, by=request.user, reason=reason, **data)
        return Response(OrganizationSerializer(organization).data)

    @extend_schema(
        summary="登记换届选举（区、街道工作人员，本辖区）",
        description="记录选举日期和新一届委员会，新任期自选举日期起算（缺省党委5年，党总支、党支部3年），"
        "并更新党组织的书记和任期，次日预警计算后任期届满预警解除。"
        "选举日期晚于今天、不晚于上一次换届、任期届满不晚于开始等均以 400 拒绝，并指明字段。",
        tags=["党组织"],
        request=ElectionCreateSerializer,
        responses={201: ElectionSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        filterset_class=None,
        ordering_fields=[],
        serializer_class=ElectionCreateSerializer,
    )
    @atomic_write
    def elections(self, request, pk=None):
        organization = self.get_object()
        serializer = ElectionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        election = election_record(organization=organization, by=request.user, **serializer.validated_data)
        return Response(ElectionSerializer(election).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def list_selector(*, user):
        # A correlated count per row of the page, so the list's COUNT(*) and
        # the page itself never group the district's organizations.
        links = PartyOrganization.enterprises.through.objects.filter(partyorganization_id=OuterRef("pk"))
        counted = links.order_by().values("partyorganization_id").annotate(n=Count("*")).values("n")
        return organization_list(user=user).annotate(enterprise_count=Coalesce(Subquery(counted), 0))

    get_selector = staticmethod(organization_get)
    write_policy = {"venue_checks": policy.may_enter_venue_checks}

    @extend_schema(
        summary="录入阵地六有检查（本街道的街道工作人员）",
        description="每项为 true 或 false；同一年度再次录入则更正该年度的检查。范围外的党组织答 404，"
        "可见但无权录入答 403，均不写入。",
        tags=["党组织"],
        request=VenueCheckSerializer,
        responses={201: VenueChecklistSerializer},
    )
    @action(detail=True, methods=["post"], url_path="venue-checks")
    @atomic_write
    def venue_checks(self, request, pk=None):
        organization = self.get_object()
        serializer = VenueCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        checklist = venue_check_record(
            organization=organization,
            by=request.user,
            items=serializer.checklist_items(),
            checked_on=serializer.validated_data.get("checked_on"),
        )
        return Response(VenueChecklistSerializer(checklist).data, status=status.HTTP_201_CREATED)


class AssignmentFilter(filters.FilterSet):
    enterprise = IdFilter(field_name="enterprise_id", label="企业ID")
    instructor = IdFilter(field_name="instructor_id", label="指导员用户ID")
    active_on = filters.DateFilter(method="filter_active_on", label="在该日期有效")

    class Meta:
        model = InstructorAssignment
        fields = ["enterprise", "instructor", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(start_on__lte=value).exclude(end_on__lt=value)


@extend_schema_view(
    list=extend_schema(summary="党建指导员选派列表", tags=["党建指导员"]),
    retrieve=extend_schema(summary="党建指导员选派详情", tags=["党建指导员"]),
)
class InstructorAssignmentViewSet(ScopedViewSet):
    serializer_class = InstructorAssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["start_on", "end_on"]
    ordering = ["-start_on", "-id"]
    list_selector = staticmethod(assignment_list)
    get_selector = staticmethod(assignment_get)


class RegionFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Region.Kind.choices, label="区域类别")
    parent = IdFilter(field_name="parent_id", label="上级区域ID")

    class Meta:
        model = Region
        fields = ["kind", "parent"]


@extend_schema_view(
    list=extend_schema(summary="区域列表（省、市、区县、街道、社区、园区）", tags=["区域"]),
    retrieve=extend_schema(summary="区域详情", tags=["区域"]),
)
class RegionViewSet(ScopedViewSet):
    """The regions the caller reaches: the subtrees of their grants (DESIGN.md §8)."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    ordering_fields = ["name", "kind"]
    ordering = ["kind", "name", "id"]
    list_selector = staticmethod(region_list)
    get_selector = staticmethod(region_get)


class RatingFilter(filters.FilterSet):
    organization = IdFilter(field_name="organization_id", label="党组织ID")
    year = SmallNumberFilter(label="评定年度")
    published = StrictBooleanFilter(field_name="published_on", lookup_expr="isnull", exclude=True, label="已发布")

    class Meta:
        model = Rating
        fields = ["organization", "year", "published"]


@extend_schema_view(
    list=extend_schema(summary="星级评定结果列表", tags=["星级评定"]),
    retrieve=extend_schema(summary="星级评定结果详情（含得分依据）", tags=["星级评定"]),
)
class RatingViewSet(ScopedViewSet):
    serializer_class = RatingSerializer
    filterset_class = RatingFilter
    ordering_fields = ["computed_on", "published_on", "score"]
    ordering = ["-computed_on", "-id"]
    list_selector = staticmethod(rating_list)
    get_selector = staticmethod(rating_get)


@extend_schema_view(
    list=extend_schema(summary="预警列表", tags=["预警"]),
    retrieve=extend_schema(summary="预警详情", tags=["预警"]),
)
class AlertViewSet(ScopedViewSet):
    """Warnings and their work (DESIGN.md §10): staff assign (督办), close and
    send back; the assignee responds. The services decide; this only parses."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["opened_on", "last_seen_on", "level", "deadline"]
    ordering = ["closed_on", "level", "-opened_on", "-id"]
    write_policy = {
        "assign": policy.may_work_alerts,
        "close": policy.may_work_alerts,
        "reopen": policy.may_work_alerts,
        "respond": policy.may_answer_alerts,
    }

    @staticmethod
    def list_selector(*, user):
        return alert_list(user=user)

    get_selector = staticmethod(alert_get)

    def _answer(self, alert: Alert) -> Response:
        return Response(AlertSerializer(alert_get(user=self.request.user, pk=alert.pk)).data)

    @extend_schema(
        summary="督办：指定责任人和办理期限（区、街道工作人员）",
        tags=["预警"],
        request=AlertAssignSerializer,
        responses={200: AlertSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None, ordering_fields=[])
    @atomic_write
    def assign(self, request, pk=None):
        alert = self.get_object()
        serializer = AlertAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignee = User.objects.filter(pk=data["assignee"]).first() if data["assignee"] else None
        if data["assignee"] and assignee is None:
            raise ApplicationError({"assignee": _("责任人：用户不存在")})
        alert = alert_assign(
            alert=alert, by=request.user, assignee=assignee, deadline=data["deadline"], note=data["note"]
        )
        return self._answer(alert)

    @extend_schema(
        summary="反馈办理情况（责任人）",
        tags=["预警"],
        request=AlertRespondSerializer,
        responses={200: AlertSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None, ordering_fields=[])
    @atomic_write
    def respond(self, request, pk=None):
        alert = self.get_object()
        serializer = AlertRespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(alert_respond(alert=alert, by=request.user, text=serializer.validated_data["text"]))

    @extend_schema(
        summary="审核后解除（区、街道工作人员）",
        tags=["预警"],
        request=AlertNoteSerializer,
        responses={200: AlertSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None, ordering_fields=[])
    @atomic_write
    def close(self, request, pk=None):
        alert = self.get_object()
        serializer = AlertNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(alert_close(alert=alert, by=request.user, note=serializer.validated_data["note"]))

    @extend_schema(
        summary="退回重办（须填写说明，区、街道工作人员）",
        tags=["预警"],
        request=AlertNoteSerializer,
        responses={200: AlertSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None, ordering_fields=[])
    @atomic_write
    def reopen(self, request, pk=None):
        alert = self.get_object()
        serializer = AlertNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(alert_reopen(alert=alert, by=request.user, note=serializer.validated_data["note"]))


class SurveyFilter(filters.FilterSet):
    year = SmallNumberFilter(label="排查年度")
    enterprise = IdFilter(field_name="enterprise_id", label="企业ID")
    street = IdFilter(field_name="street_id", label="街道ID")
    status = filters.ChoiceFilter(choices=BusinessStatus.choices, label="经营状态")
    org_setup = filters.ChoiceFilter(choices=OrgSetup.choices, label="党组织设置情况")
    above_scale = StrictBooleanFilter(label="规上企业")

    class Meta:
        model = EnterpriseSurvey
        fields = ["year", "enterprise", "street", "status", "org_setup", "above_scale"]


@extend_schema_view(
    list=extend_schema(summary="年度排查记录列表（联系电话已脱敏）", tags=["年度排查"]),
    retrieve=extend_schema(summary="年度排查记录详情（联系电话已脱敏）", tags=["年度排查"]),
)
class SurveyViewSet(ScopedViewSet):
    """Read only: surveys are written by the import (orgs survey import service)."""

    serializer_class = EnterpriseSurveySerializer
    filterset_class = SurveyFilter
    ordering_fields = ["id", "year", "employees"]
    ordering = ["id"]
    list_selector = staticmethod(survey_list)
    get_selector = staticmethod(survey_get)

"""/api/v1/fund-accounts/: balances and the journal, read only.
/api/v1/fund-applications/: withdrawal applications (项目书) and their
workflow, every write through funds.services, the same as the pages."""

import json

import django_filters as filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSet
from orgs import policy

from .models import Application, FundAccount
from .selectors import account_get, account_list, application_get, application_list, entry_list
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    ApplicationWriteSerializer,
    ApproveSerializer,
    DistrictApproveSerializer,
    FundAccountSerializer,
    FundEntrySerializer,
    ObjectionWriteSerializer,
    ReasonSerializer,
    SettleSerializer,
)
from .services import (
    Level,
    application_approve,
    application_create,
    application_disburse,
    application_return,
    application_settle,
    objection_raise,
    settlement_approve,
    settlement_return,
)


class FundAccountFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=FundAccount.Kind.choices, label="账户类别")
    organization = IdFilter(field_name="organization_id", label="党组织ID")

    class Meta:
        model = FundAccount
        fields = ["kind", "organization"]


@extend_schema_view(
    list=extend_schema(summary="公积金账户列表（含余额）", tags=["党建公积金"]),
    retrieve=extend_schema(summary="公积金账户详情", tags=["党建公积金"]),
)
class FundAccountViewSet(ScopedViewSet):
    serializer_class = FundAccountSerializer
    filterset_class = FundAccountFilter
    ordering_fields = ["name", "balance", "opened_on"]
    ordering = ["kind", "name", "id"]
    list_selector = staticmethod(account_list)
    get_selector = staticmethod(account_get)

    @extend_schema(
        summary="账户流水（分录，按序号倒序）",
        tags=["党建公积金"],
        responses={200: FundEntrySerializer(many=True)},
        filters=False,
    )
    @action(
        detail=True, methods=["get"], filterset_class=None, ordering_fields=[], serializer_class=FundEntrySerializer
    )
    def journal(self, request, pk=None):
        account = account_get(user=request.user, pk=pk)
        page = self.paginate_queryset(entry_list(account=account))
        return self.get_paginated_response(FundEntrySerializer(page, many=True).data)


class ApplicationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Application.Status.choices, label="状态")
    organization = IdFilter(field_name="organization_id", label="党组织ID")
    street = IdFilter(field_name="organization__street_id", label="街道ID")
    q = filters.CharFilter(method="filter_q", label="活动名称或党组织名称")

    class Meta:
        model = Application
        fields = ["status", "organization", "street", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(activity__icontains=value) | Q(organization__name__icontains=value))


def _answer(application: Application) -> Response:
    application = Application.objects.prefetch_related(
        "budget_lines",
        "steps__by",
        "objections__by",
        "objections__resolved_by",
        "settlements__submitted_by",
        "settlements__decided_by",
        "settlements__lines__receipt",
    ).get(pk=application.pk)
    return Response(ApplicationDetailSerializer(application).data)


def _action_schema(summary: str, request=None):
    return extend_schema(
        summary=summary, tags=["党建公积金"], request=request, responses={200: ApplicationDetailSerializer}
    )


def _detail_action(url_path: str, serializer_class=None):
    extra = {"serializer_class": serializer_class} if serializer_class else {}
    return action(
        detail=True,
        methods=["post"],
        url_path=url_path,
        url_name=url_path,
        filterset_class=None,
        ordering_fields=[],
        **extra,
    )


@extend_schema_view(
    list=extend_schema(summary="提取申请（项目书）列表", tags=["党建公积金"]),
    retrieve=extend_schema(
        summary="提取申请详情（含预算明细、流转记录和公示异议）",
        tags=["党建公积金"],
        responses={200: ApplicationDetailSerializer},
    ),
    create=extend_schema(
        summary="提交项目书（本组织书记）",
        tags=["党建公积金"],
        request=ApplicationWriteSerializer,
        responses={201: ApplicationDetailSerializer},
    ),
)
class ApplicationViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """The workflow: street approval, district approval (opens 公示), objections
    during 公示, disbursement, settlement; a return at either level goes back
    to the secretary. Each write is exactly one call into funds.services,
    whose own transaction is all or nothing and retries a serialization
    conflict; an outer atomic_write would turn that retry into a savepoint."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    write_policy = {"object_": policy.may_object_to_withdrawal}
    ordering_fields = ["id", "amount", "activity_date", "waiting_since"]
    ordering = ["-id"]
    list_selector = staticmethod(application_list)
    get_selector = staticmethod(application_get)

    def get_serializer_class(self):
        if self.action == "create":
            return ApplicationWriteSerializer
        if self.action == "retrieve":
            return ApplicationDetailSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        return _answer(self.get_object())

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        application = application_create(
            by=request.user,
            budget_lines=[dict(line) for line in data.pop("budget_lines")],
            request=request,
            **data,
        )
        response = _answer(application)
        response.status_code = status.HTTP_201_CREATED
        return response

    @_action_schema("街道审批通过（本街道工作人员）", ApproveSerializer)
    @_detail_action("street-approve", ApproveSerializer)
    def street_approve(self, request, pk=None):
        application = self.get_object()
        data = self._input(ApproveSerializer)
        return _answer(
            application_approve(
                application=application, by=request.user, level=Level.STREET, opinion=data["opinion"], request=request
            )
        )

    @_action_schema("区级审批通过，进入公示（区工作人员）", DistrictApproveSerializer)
    @_detail_action("district-approve", DistrictApproveSerializer)
    def district_approve(self, request, pk=None):
        application = self.get_object()
        data = self._input(DistrictApproveSerializer)
        return _answer(
            application_approve(
                application=application,
                by=request.user,
                level=Level.DISTRICT,
                opinion=data["opinion"],
                publicity_days=data.get("publicity_days"),
                request=request,
            )
        )

    @_action_schema("退回书记修改（须填写理由；待街道审批时由街道退回，其后由区退回）", ReasonSerializer)
    @_detail_action("return", ReasonSerializer)
    def return_(self, request, pk=None):
        application = self.get_object()
        data = self._input(ReasonSerializer)
        # The level follows the step the application is at; the service
        # refuses a caller who does not act at that level.
        level = Level.STREET if application.status == Application.Status.STREET_REVIEW else Level.DISTRICT
        return _answer(
            application_return(
                application=application, by=request.user, level=level, reason=data["reason"], request=request
            )
        )

    @_action_schema("公示期间提出异议（管辖范围内工作人员）", ObjectionWriteSerializer)
    @_detail_action("object", ObjectionWriteSerializer)
    def object_(self, request, pk=None):
        # Objecting is not editing: whoever may read the application may try
        # (the page does the same), and the policy answers a leader, who only reads, with a 403.
        application = application_get(user=request.user, pk=pk)
        self.check_object_permissions(request, application)
        data = self._input(ObjectionWriteSerializer)
        objection_raise(application=application, by=request.user, text=data["text"], request=request)
        return _answer(application)

    @_action_schema("公示期满后拨付（区工作人员）")
    @_detail_action("disburse")
    def disburse(self, request, pk=None):
        application = self.get_object()
        return _answer(application_disburse(application=application, by=request.user, request=request))

    @_action_schema(
        "提交报账（本组织书记）：逐项填写实际金额并附票据"
        "（multipart：lines 为 JSON 文本，第n项票据为文件 receipt_<n>），"
        "进入街道审核；仍接受只填 spent 合计的旧写法",
        SettleSerializer,
    )
    @_detail_action("settle", SettleSerializer)
    def settle(self, request, pk=None):
        application = self.get_object()
        # Files are matched to lines by name; the rest is what the serializer reads.
        data = request.data
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in request.FILES}
        if isinstance(data, dict) and isinstance(data.get("lines"), str):
            try:
                data["lines"] = json.loads(data["lines"])
            except ValueError:
                data["lines"] = None
        serializer = SettleSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        if "lines" in values:
            lines = [
                {**line, "receipt": request.FILES.get(f"receipt_{n}")}
                for n, line in enumerate(values["lines"], start=1)
            ]
            settled = application_settle(
                application=application, by=request.user, lines=lines, note=values["note"], request=request
            )
        else:
            settled = application_settle(
                application=application, by=request.user, spent=values["spent"], note=values["note"], request=request
            )
        return _answer(settled)

    @_action_schema("报账审核通过（本街道工作人员，提交人本人除外）：结余退回，报账完成", ApproveSerializer)
    @_detail_action("settlement-approve", ApproveSerializer)
    def settlement_approve(self, request, pk=None):
        application = self.get_object()
        data = self._input(ApproveSerializer)
        return _answer(
            settlement_approve(application=application, by=request.user, opinion=data["opinion"], request=request)
        )

    @_action_schema("退回报账（本街道工作人员，须填写理由）", ReasonSerializer)
    @_detail_action("settlement-return", ReasonSerializer)
    def settlement_return(self, request, pk=None):
        application = self.get_object()
        data = self._input(ReasonSerializer)
        return _answer(
            settlement_return(application=application, by=request.user, reason=data["reason"], request=request)
        )

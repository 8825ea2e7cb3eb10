"""/api/v1/change-proposals/: a secretary proposes a change to their
organization or an enterprise it covers; street and district staff confirm
or reject it. Thin: the selectors read, orgs.proposals writes and decides."""

import django_filters as filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSet, StrictSerializer, atomic_write
from core.errors import ApplicationError

from . import policy
from .models import ChangeProposal
from .proposals import (
    proposal_confirm,
    proposal_create,
    proposal_reject,
    proposal_rows,
    proposer_organization,
    values_from_json,
)
from .selectors import enterprise_get, organization_get, proposal_get, proposal_list


class ProposalChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(help_text="提出时的原值")
    now = serializers.CharField(help_text="现值")
    new = serializers.CharField(help_text="建议修改为")
    stale = serializers.BooleanField(help_text="提出后该项已被修改（确认时将被拒绝）")


class ChangeProposalSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    proposed_by_name = serializers.CharField(source="proposed_by.__str__", read_only=True)
    decided_by_name = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = ChangeProposal
        fields = [
            "id",
            "organization",
            "organization_name",
            "enterprise",
            "enterprise_name",
            "changes",
            "reason",
            "proposed_by",
            "proposed_by_name",
            "proposed_at",
            "status",
            "status_display",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    def get_decided_by_name(self, obj: ChangeProposal) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None

    @extend_schema_field(ProposalChangeSerializer(many=True))
    def get_changes(self, obj: ChangeProposal) -> list[dict]:
        """Each proposed field: its value when proposed, now and proposed (phone numbers masked)."""
        return proposal_rows(obj)


class ChangeProposalCreateSerializer(StrictSerializer):
    enterprise = serializers.IntegerField(required=False, min_value=1, label="企业ID（对企业提出时）")
    organization = serializers.IntegerField(
        required=False, min_value=1, label="党组织ID（对本组织提出时；对企业提出时为代表的本组织，可省略）"
    )
    values = serializers.DictField(label="要修改的字段及新值（与工作人员修改页面的字段相同）")
    reason = serializers.CharField(label="修改原因", allow_blank=True)


class ProposalNoteSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", label="处理说明（退回时必填）")


class ProposalFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ChangeProposal.Status.choices, label="状态")
    organization = IdFilter(field_name="organization_id", label="党组织ID")
    enterprise = IdFilter(field_name="enterprise_id", label="企业ID")

    class Meta:
        model = ChangeProposal
        fields = ["status", "organization", "enterprise"]


@extend_schema_view(
    list=extend_schema(summary="修改建议列表（书记看本组织的，工作人员看辖区的）", tags=["修改建议"]),
    retrieve=extend_schema(summary="修改建议详情（原值、现值与建议值对照）", tags=["修改建议"]),
)
class ChangeProposalViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = ChangeProposalSerializer
    filterset_class = ProposalFilter
    ordering_fields = ["proposed_at", "decided_at"]
    ordering = ["proposed_at", "id"]
    http_method_names = ["get", "post", "head", "options"]
    write_policy = {"*": policy.may_browse_proposals}

    @staticmethod
    def list_selector(*, user):
        return proposal_list(user=user)

    get_selector = staticmethod(proposal_get)

    def _answer(self, proposal: ChangeProposal, code: int = status.HTTP_200_OK) -> Response:
        return Response(ChangeProposalSerializer(proposal_get(user=self.request.user, pk=proposal.pk)).data, code)

    @extend_schema(
        summary="提出修改建议（本组织书记）",
        description="对本组织或其覆盖的企业提出修改，values 只含要改的字段（字段与工作人员修改页面相同）；"
        "提交后不改动记录，待街道或区工作人员采纳。未知字段、取值无效（如电话号码格式）均以 400 拒绝并指明字段。",
        tags=["修改建议"],
        request=ChangeProposalCreateSerializer,
        responses={201: ChangeProposalSerializer},
    )
    @atomic_write
    def create(self, request, *args, **kwargs):
        serializer = ChangeProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("enterprise"):
            record = enterprise_get(user=request.user, pk=data["enterprise"])
            organization = (
                organization_get(user=request.user, pk=data["organization"])
                if data.get("organization")
                else proposer_organization(by=request.user, record=record)
            )
        elif data.get("organization"):
            record = organization = organization_get(user=request.user, pk=data["organization"])
        else:
            raise ApplicationError({"enterprise": _("请指明企业或党组织")})
        if organization is None:
            raise PermissionDenied(_("只有本组织的书记可以对本组织及其覆盖的企业提出修改建议"))
        fields = values_from_json(record=record, data=data["values"])
        proposal = proposal_create(
            by=request.user, organization=organization, record=record, reason=data["reason"], **fields
        )
        return self._answer(proposal, status.HTTP_201_CREATED)

    @extend_schema(
        summary="采纳修改建议（本街道或区工作人员；提出人不能处理自己的建议）",
        description="按建议修改记录（与工作人员修改同一服务，记入修改历史并注明提出人）；"
        "提出后记录已被修改的，以 400 拒绝。",
        tags=["修改建议"],
        request=ProposalNoteSerializer,
        responses={200: ChangeProposalSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None, ordering_fields=[])
    @atomic_write
    def confirm(self, request, pk=None):
        proposal = self.get_object()
        serializer = ProposalNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data["note"]
        return self._answer(proposal_confirm(proposal=proposal, by=request.user, note=note))

    @extend_schema(
        summary="退回修改建议（须填写处理说明）",
        tags=["修改建议"],
        request=ProposalNoteSerializer,
        responses={200: ChangeProposalSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None, ordering_fields=[])
    @atomic_write
    def reject(self, request, pk=None):
        proposal = self.get_object()
        serializer = ProposalNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data["note"]
        return self._answer(proposal_reject(proposal=proposal, by=request.user, note=note))

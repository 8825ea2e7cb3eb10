"""API shapes of the demand library: the read shape, and what each write takes."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictSerializer
from orgs.selectors import enterprise_list, organization_list, region_list

from .models import DemandCheck, DemandClaim, DemandProject

SATISFACTION_MESSAGE = "满意度：应为 1 到 5 之间的整数"


class DemandClaimSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True)

    class Meta:
        model = DemandClaim
        fields = ["id", "claimed_on", "member", "member_name", "organization", "organization_name"]
        read_only_fields = fields


class DemandCheckSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    by_name = serializers.CharField(source="by", read_only=True, allow_null=True)

    class Meta:
        model = DemandCheck
        fields = ["id", "checked_on", "kind", "kind_display", "finding", "result", "result_display", "by_name"]
        read_only_fields = fields


class DemandProjectSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    proposer_kind_display = serializers.CharField(source="get_proposer_kind_display", read_only=True)
    collected_by_display = serializers.CharField(source="get_collected_by_display", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True, allow_null=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = DemandProject
        fields = [
            "id",
            "level",
            "level_display",
            "title",
            "description",
            "district",
            "district_name",
            "street",
            "street_name",
            "organization",
            "organization_name",
            "proposer_kind",
            "proposer_kind_display",
            "enterprise",
            "enterprise_name",
            "collected_by",
            "collected_by_display",
            "set_up_on",
            "target_date",
            "state",
            "state_display",
            "overdue",
            "completed_on",
            "satisfaction",
            "rectification_reason",
            "exited_on",
            "exit_reason",
            "created_at",
        ]
        read_only_fields = fields


class DemandDetailSerializer(DemandProjectSerializer):
    claims = DemandClaimSerializer(many=True, read_only=True)
    checks = DemandCheckSerializer(many=True, read_only=True)

    class Meta(DemandProjectSerializer.Meta):
        fields = [*DemandProjectSerializer.Meta.fields, "claims", "checks"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _ScopedField(serializers.PrimaryKeyRelatedField):
    """A record the caller reaches; any other id reads as "does not exist"."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(user=getattr(request, "user", None))


class DemandWriteSerializer(StrictSerializer):
    """建单: the owner is `district` for A, `street` for B, `organization` for C."""

    level = serializers.ChoiceField(choices=DemandProject.Level.choices, label="类别")
    title = serializers.CharField(max_length=200, label="项目名称")
    description = serializers.CharField(required=False, allow_blank=True, default="", label="需求说明")
    district = _ScopedField(lambda user: region_list(user=user, kind="district"), required=False, label="区县ID")
    street = _ScopedField(lambda user: region_list(user=user, kind="street"), required=False, label="街道ID")
    organization = _ScopedField(organization_list, required=False, label="党组织ID")
    proposer_kind = serializers.ChoiceField(choices=DemandProject.Proposer.choices, label="需求提出方")
    enterprise = _ScopedField(enterprise_list, required=False, allow_null=True, label="企业ID")
    collected_by = serializers.ChoiceField(choices=DemandProject.Collection.choices, label="征集方式")
    target_date = serializers.DateField(label="计划完成日期")


class ClaimSerializer(StrictSerializer):
    organization = serializers.IntegerField(required=False, min_value=1, label="集体认领的党组织ID")
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, label="认领党员ID列表"
    )
    claimed_on = serializers.DateField(required=False, label="认领日期（默认今天）")


class CheckSerializer(StrictSerializer):
    checked_on = serializers.DateField(label="检查日期")
    finding = serializers.CharField(label="检查情况")
    result = serializers.ChoiceField(
        choices=DemandCheck.Result.choices, required=False, default=DemandCheck.Result.OK, label="检查结论"
    )


class CompleteSerializer(StrictSerializer):
    satisfaction = serializers.IntegerField(
        label="满意度（1–5）",
        error_messages={
            "invalid": SATISFACTION_MESSAGE,
            "required": SATISFACTION_MESSAGE,
            "null": SATISFACTION_MESSAGE,
            "max_string_length": SATISFACTION_MESSAGE,
        },
    )
    completed_on = serializers.DateField(required=False, label="完成日期（默认今天）")


class DemandReasonSerializer(StrictSerializer):
    reason = serializers.CharField(label="原因")


class RectifiedSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", label="整改情况")

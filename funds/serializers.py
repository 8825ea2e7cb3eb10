"""API shapes of fund accounts and their journal (read), and of withdrawal
applications: the read shape with budget and history, and what may be written."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import MoneySerializerField, StrictSerializer
from orgs.selectors import organization_list

from .models import (
    Application,
    ApplicationStep,
    BudgetLine,
    FundAccount,
    FundEntry,
    Objection,
    Settlement,
    SettlementLine,
)


class FundAccountSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True)
    entry_count = serializers.IntegerField(source="last_seq", read_only=True)

    class Meta:
        model = FundAccount
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "organization",
            "organization_name",
            "balance",
            "entry_count",
            "opened_on",
            "closed_on",
        ]
        read_only_fields = fields


class FundEntrySerializer(serializers.ModelSerializer):
    transaction_kind = serializers.CharField(source="transaction.kind", read_only=True)
    transaction_kind_display = serializers.CharField(source="transaction.get_kind_display", read_only=True)
    occurred_on = serializers.DateField(source="transaction.occurred_on", read_only=True)
    memo = serializers.CharField(source="transaction.memo", read_only=True)
    reverses = serializers.IntegerField(source="transaction.reverses_id", read_only=True, allow_null=True)

    class Meta:
        model = FundEntry
        fields = [
            "id",
            "seq",
            "transaction",
            "transaction_kind",
            "transaction_kind_display",
            "occurred_on",
            "memo",
            "reverses",
            "amount",
            "balance_after",
            "created_at",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _ReadableOrganizationField(serializers.PrimaryKeyRelatedField):
    """An organization the caller can see; any other id reads as "does not exist".
    Whether the caller may file for it is the service's check."""

    def get_queryset(self):
        request = self.context.get("request")
        return organization_list(user=getattr(request, "user", None))


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "item", "amount", "note"]
        read_only_fields = fields


class ApplicationStepSerializer(serializers.ModelSerializer):
    # Plain strings with a `_display`: these choice sets share field names with
    # other models, and a second `status` enum would collide in the schema.
    action = serializers.CharField(read_only=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    from_status = serializers.CharField(read_only=True)
    from_status_display = serializers.CharField(source="get_from_status_display", read_only=True)
    to_status = serializers.CharField(read_only=True)
    to_status_display = serializers.CharField(source="get_to_status_display", read_only=True)
    by_name = serializers.CharField(source="by", read_only=True)

    class Meta:
        model = ApplicationStep
        fields = [
            "id",
            "action",
            "action_display",
            "from_status",
            "from_status_display",
            "to_status",
            "to_status_display",
            "reason",
            "by",
            "by_name",
            "at",
        ]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by", read_only=True)
    resolved_by_name = serializers.CharField(source="resolved_by", read_only=True, allow_null=True)

    class Meta:
        model = Objection
        fields = ["id", "text", "by", "by_name", "at", "resolution", "resolved_by", "resolved_by_name", "resolved_at"]
        read_only_fields = fields


class SettlementLineSerializer(serializers.ModelSerializer):
    receipt_name = serializers.CharField(source="receipt", read_only=True, allow_null=True)

    class Meta:
        model = SettlementLine
        fields = ["id", "item", "amount", "receipt", "receipt_name"]
        read_only_fields = fields


class SettlementSerializer(serializers.ModelSerializer):
    # A plain string with a `_display`, as the steps' states (no second `status` enum in the schema).
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    submitted_by_name = serializers.CharField(source="submitted_by", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by", read_only=True, allow_null=True)
    lines = SettlementLineSerializer(many=True, read_only=True)

    class Meta:
        model = Settlement
        fields = [
            "id",
            "settled_on",
            "spent",
            "note",
            "status",
            "status_display",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "opinion",
            "lines",
        ]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by_name = serializers.CharField(source="created_by", read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "organization",
            "organization_name",
            "account",
            "activity",
            "activity_date",
            "participants",
            "description",
            "amount",
            "status",
            "status_display",
            "waiting_since",
            "publicity_days",
            "publicity_start",
            "publicity_end",
            "approved_on",
            "stars",
            "match_rate",
            "subsidy_cap",
            "own_amount",
            "pool_amount",
            "pool_returned",
            "spent_amount",
            "settlement_note",
            "created_by",
            "created_by_name",
        ]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    """The detail adds the budget, the history of every step, any objections
    and the 报账 submissions (newest first) with their lines."""

    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    steps = ApplicationStepSerializer(many=True, read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)
    settlements = SettlementSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "budget_lines", "steps", "objections", "settlements"]
        read_only_fields = fields


class BudgetLineWriteSerializer(StrictSerializer):
    item = serializers.CharField(max_length=100, label="支出项目")
    amount = MoneySerializerField(label="金额")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label="测算说明")


class ApplicationWriteSerializer(StrictSerializer):
    """A project (项目书) as the secretary files it; the service checks the
    sums, the credit line and that the caller is the organization's secretary."""

    organization = _ReadableOrganizationField(label="党组织ID")
    activity = serializers.CharField(max_length=200, label="活动名称")
    activity_date = serializers.DateField(label="活动日期")
    participants = serializers.IntegerField(min_value=1, max_value=100000, label="参加人数")
    description = serializers.CharField(required=False, allow_blank=True, default="", label="活动内容")
    amount = MoneySerializerField(label="申请金额")
    budget_lines = BudgetLineWriteSerializer(many=True, label="预算明细")


class ApproveSerializer(StrictSerializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="", label="审批意见")


class DistrictApproveSerializer(ApproveSerializer):
    publicity_days = serializers.IntegerField(required=False, min_value=1, max_value=30, label="公示天数")


class ReasonSerializer(StrictSerializer):
    # Blank reaches the service, which refuses it with the message the page shows too.
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="退回理由")


class ObjectionWriteSerializer(StrictSerializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", label="异议内容")


class SettleLineWriteSerializer(StrictSerializer):
    item = serializers.CharField(max_length=100, label="支出项目")
    amount = MoneySerializerField(label="实际金额")


class SettleSerializer(StrictSerializer):
    """报账, line by line (`lines`), or as before one total (`spent`). Each
    line needs its receipt: send multipart/form-data with `lines` as JSON
    text and line n's receipt as the file `receipt_<n>` (n from 1). It goes
    to the street for review; the street's approval makes it final."""

    spent = MoneySerializerField(required=False, label="实际支出")
    lines = SettleLineWriteSerializer(many=True, required=False, label="报账明细")
    note = serializers.CharField(required=False, allow_blank=True, default="", label="报账说明")

    def validate(self, attrs):
        if "spent" not in attrs and "lines" not in attrs:
            raise serializers.ValidationError({"lines": ["请填写报账明细（或实际支出）"]})
        return attrs

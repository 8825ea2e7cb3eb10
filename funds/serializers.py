"""API shapes of fund accounts and their journal (read)."""

from rest_framework import serializers

from .models import FundAccount, FundEntry


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

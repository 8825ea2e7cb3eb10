"""DRF views over the same selectors as the pages (CONTRACT.md: /api/v1/fund-accounts/)."""

from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import FundAccount, FundEntry
from .selectors import account_get, account_list


class FundAccountSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, default=None)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, read_only=True)

    class Meta:
        model = FundAccount
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "organization",
            "organization_name",
            "balance",
            "last_seq",
            "opened_on",
            "closed_on",
        ]


class FundEntrySerializer(serializers.ModelSerializer):
    transaction_kind = serializers.CharField(source="transaction.kind", read_only=True)
    transaction_kind_display = serializers.CharField(source="transaction.get_kind_display", read_only=True)
    occurred_on = serializers.DateField(source="transaction.occurred_on", read_only=True)
    memo = serializers.CharField(source="transaction.memo", read_only=True)
    reverses = serializers.IntegerField(source="transaction.reverses_id", read_only=True, default=None)

    class Meta:
        model = FundEntry
        fields = [
            "seq",
            "transaction",
            "transaction_kind",
            "transaction_kind_display",
            "occurred_on",
            "memo",
            "amount",
            "balance_after",
            "reverses",
            "prev_hash",
            "hash",
            "created_at",
        ]


class FundAccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts in the caller's scope with their balance; `/journal/` lists an account's entries in order."""

    serializer_class = FundAccountSerializer
    filterset_fields = ["kind", "organization"]

    def get_queryset(self):
        return account_list(user=self.request.user)

    def get_object(self):
        return account_get(user=self.request.user, pk=self.kwargs["pk"])

    @action(detail=True, serializer_class=FundEntrySerializer)
    def journal(self, request, pk=None):
        account = self.get_object()
        entries = FundEntry.objects.filter(account=account).select_related("transaction").order_by("seq")
        page = self.paginate_queryset(entries)
        return (
            self.get_paginated_response(FundEntrySerializer(page, many=True).data)
            if page is not None
            else Response(FundEntrySerializer(entries, many=True).data)
        )

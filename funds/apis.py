"""/api/v1/fund-accounts/: balances and the journal, read only. Withdrawal
applications are written through the fund services once those exist."""

import django_filters as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from core.api import IdFilter, ScopedViewSet

from .models import FundAccount
from .selectors import account_get, account_list, entry_list
from .serializers import FundAccountSerializer, FundEntrySerializer


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

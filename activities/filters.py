"""Filters for activity lists, shared by the pages and the API."""

import django_filters as filters
from django.db.models import Q

from orgs.models import PartyOrganization, Region

from .models import Activity, ActivityType


class ActivityFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="主题或党组织名称")
    organization = filters.ModelChoiceFilter(queryset=PartyOrganization.objects.all(), label="党组织")
    street = filters.ModelChoiceFilter(
        field_name="organization__street", queryset=Region.objects.filter(kind=Region.Kind.STREET), label="街道"
    )
    type = filters.ChoiceFilter(field_name="activity_type", choices=ActivityType.choices, label="类型")
    status = filters.ChoiceFilter(choices=Activity.Status.choices, label="审核状态")
    date_from = filters.DateFilter(field_name="held_on", lookup_expr="gte", label="开始日期")
    date_to = filters.DateFilter(field_name="held_on", lookup_expr="lte", label="结束日期")

    class Meta:
        model = Activity
        fields = ["q", "organization", "street", "type", "status", "date_from", "date_to"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(topic__icontains=value) | Q(organization__name__icontains=value)) if value else queryset
        )

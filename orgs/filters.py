"""Filters shared by pages and the API, so both accept the same parameters.
Values that do not parse are dropped rather than turned into a server error."""

import django_filters as filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.api import IdFilter, StrictBooleanFilter

from .models import Alert, BusinessStatus, Enterprise, FormationMode, OrgSetup, PartyOrganization, Region


class EnterpriseFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="企业名称")
    credit_code = filters.CharFilter(method="filter_credit_code", label="统一社会信用代码")
    street = filters.ModelChoiceFilter(queryset=Region.objects.filter(kind=Region.Kind.STREET), label="街道")
    park = filters.ModelChoiceFilter(queryset=Region.objects.filter(kind=Region.Kind.PARK), label="园区")
    status = filters.ChoiceFilter(choices=BusinessStatus.choices, label="经营状态")
    org_setup = filters.ChoiceFilter(choices=OrgSetup.choices, label="党组织设置情况")
    above_scale = filters.BooleanFilter(label="规上企业")
    industry = filters.CharFilter(field_name="industry_id", label="行业门类")
    min_formal = filters.NumberFilter(
        field_name="members_formal", lookup_expr="gte", min_value=0, label="正式党员不少于"
    )
    covered = filters.BooleanFilter(method="filter_covered", label="有党组织覆盖")

    class Meta:
        model = Enterprise
        fields = [
            "q",
            "credit_code",
            "street",
            "park",
            "status",
            "org_setup",
            "above_scale",
            "industry",
            "min_formal",
            "covered",
        ]

    def filter_credit_code(self, queryset, name, value):
        return queryset.filter(credit_code=value.strip().upper())

    def filter_covered(self, queryset, name, value):
        # Recorded organizations decide coverage (DESIGN §3), whatever the survey said.
        if value is None:
            return queryset
        live = PartyOrganization.objects.filter(enterprises=OuterRef("pk"), dissolved_on__isnull=True)
        return queryset.filter(Exists(live)) if value else queryset.exclude(Exists(live))


class OrganizationFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="党组织名称")
    street = filters.ModelChoiceFilter(queryset=Region.objects.filter(kind=Region.Kind.STREET), label="街道")
    park = filters.ModelChoiceFilter(queryset=Region.objects.filter(kind=Region.Kind.PARK), label="园区")
    org_type = filters.ChoiceFilter(choices=PartyOrganization.Type.choices, label="组织类别")
    formation_mode = filters.ChoiceFilter(choices=FormationMode.choices, label="组建方式")
    needs_completion = filters.BooleanFilter(label="待完善")

    class Meta:
        model = PartyOrganization
        fields = ["q", "street", "park", "org_type", "formation_mode", "needs_completion"]


class AlertFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Alert.Kind.choices, label="类别")
    level = filters.ChoiceFilter(choices=Alert.Level.choices, label="级别")
    street = IdFilter(field_name="street_id", label="街道ID")
    organization = IdFilter(field_name="organization_id", label="党组织ID")
    open = StrictBooleanFilter(field_name="closed_on", lookup_expr="isnull", label="未解除")
    state = filters.ChoiceFilter(choices=Alert.State.choices, label="办理状态")
    assignee = IdFilter(field_name="assignee_id", label="责任人用户ID")
    overdue = StrictBooleanFilter(method="filter_overdue", label="已逾期")

    class Meta:
        model = Alert
        fields = ["kind", "level", "street", "organization", "open", "state", "assignee", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(deadline__lt=timezone.localdate()) & ~Q(state=Alert.State.CLOSED)
        return queryset.filter(late) if value else queryset.exclude(late)


def apply_filters(filterset_class, data, queryset):
    """Filter by every valid parameter; invalid ones are ignored on pages."""
    if not data:
        return queryset
    filterset = filterset_class(data, queryset=queryset)
    if filterset.is_valid():
        return filterset.filter_queryset(queryset)
    for name, value in filterset.form.cleaned_data.items():
        if name not in filterset.form.errors:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset

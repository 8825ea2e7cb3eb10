"""Shapes of /api/v1/pairings/ (CONTRACT.md): a choice carries its code with
the Chinese label in `<field>_display`; a foreign key its id with `<field>_name`."""

from django.utils import timezone
from rest_framework import serializers

from core.api import StrictSerializer
from members.models import Member
from orgs.models import Enterprise, PartyOrganization, Region, User

from .models import Pairing, PairingKind, SideKind, Visit


class PairingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    side_kind_display = serializers.CharField(source="get_side_kind_display", read_only=True)
    side = serializers.CharField(source="side_label", read_only=True)
    target = serializers.CharField(source="target_label", read_only=True)
    target_kind = serializers.CharField(read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True, default=None)
    street_name = serializers.CharField(source="street.name", read_only=True)
    visits_this_quarter = serializers.IntegerField(read_only=True)
    visits_last_quarter = serializers.IntegerField(read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "kind",
            "kind_display",
            "side_kind",
            "side_kind_display",
            "side",
            "side_name",
            "side_user",
            "side_member",
            "side_organization",
            "target_kind",
            "target",
            "enterprise",
            "enterprise_name",
            "target_name",
            "target_member",
            "street",
            "street_name",
            "starts_on",
            "ends_on",
            "quota_per_quarter",
            "visits_this_quarter",
            "visits_last_quarter",
            "active",
        ]
        read_only_fields = fields


class PairingWriteSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=PairingKind.choices, label="结对类型")
    side_kind = serializers.ChoiceField(choices=SideKind.choices, label="联系方类别")
    side_name = serializers.CharField(required=False, allow_blank=True, max_length=100, label="部门或服务站名称")
    side_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    side_member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), required=False, allow_null=True)
    side_organization = serializers.PrimaryKeyRelatedField(
        queryset=PartyOrganization.objects.all(), required=False, allow_null=True
    )
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), required=False, allow_null=True)
    target_name = serializers.CharField(required=False, allow_blank=True, max_length=50, label="联系对象姓名")
    target_member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), required=False, allow_null=True)
    street = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, allow_null=True)
    starts_on = serializers.DateField(label="开始日期")
    ends_on = serializers.DateField(required=False, allow_null=True, label="结束日期")
    # Below 0 is the service's refusal, in its words.
    quota_per_quarter = serializers.IntegerField(required=False, label="每季度联系次数")


class VisitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    created_by_name = serializers.CharField(source="created_by", read_only=True, allow_null=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "pairing",
            "visited_on",
            "kind",
            "kind_display",
            "findings",
            "follow_up",
            "problem_found",
            "settled_on",
            "created_by",
            "created_by_name",
            "created_at",
        ]
        read_only_fields = fields


class VisitWriteSerializer(StrictSerializer):
    visited_on = serializers.DateField(label="联系日期", default=timezone.localdate)
    kind = serializers.ChoiceField(choices=Visit.Kind.choices, label="联系方式", default=Visit.Kind.VISIT)
    findings = serializers.CharField(label="了解情况", allow_blank=True)
    follow_up = serializers.CharField(label="后续跟进", required=False, allow_blank=True, default="")
    problem_found = serializers.BooleanField(label="发现问题", required=False, default=False)
    settled_on = serializers.DateField(label="问题解决日期", required=False, allow_null=True, default=None)

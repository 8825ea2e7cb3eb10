"""The API's shapes for 产业链党建联盟 (CONTRACT.md)."""

from rest_framework import serializers

from core.api import StrictSerializer

from .models import Alliance, AllianceMember, AllianceProblem, JointActivity, ProblemCategory


class AllianceSerializer(serializers.ModelSerializer):
    lead_kind_display = serializers.CharField(source="get_lead_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lead_organization_name = serializers.CharField(source="lead_organization.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    lead_unit_name = serializers.CharField(read_only=True)

    class Meta:
        model = Alliance
        fields = [
            "id",
            "name",
            "chain",
            "industry",
            "region",
            "region_name",
            "lead_kind",
            "lead_kind_display",
            "lead_enterprise",
            "lead_association",
            "lead_park",
            "lead_unit_name",
            "lead_organization",
            "lead_organization_name",
            "first_secretary",
            "first_secretary_post",
            "secretary_general",
            "secretary_general_post",
            "founded_on",
            "status",
            "status_display",
            "dissolved_on",
        ]
        read_only_fields = fields


class AllianceMemberSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, allow_null=True)

    class Meta:
        model = AllianceMember
        fields = [
            "id",
            "kind",
            "organization",
            "organization_name",
            "enterprise",
            "enterprise_name",
            "joined_on",
            "left_on",
        ]
        read_only_fields = fields

    def get_kind(self, obj: AllianceMember) -> str:
        return "X" if obj.organization_id else "N"


class ProblemSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    resolved = serializers.BooleanField(source="is_resolved", read_only=True)

    class Meta:
        model = AllianceProblem
        fields = [
            "id",
            "alliance",
            "enterprise",
            "enterprise_name",
            "title",
            "category",
            "category_display",
            "raised_on",
            "handler",
            "resolved",
            "resolved_on",
            "resolution",
        ]
        read_only_fields = fields


class JointActivitySerializer(serializers.ModelSerializer):
    activity_type_display = serializers.CharField(source="get_activity_type_display", read_only=True)

    class Meta:
        model = JointActivity
        fields = ["id", "held_on", "title", "activity_type", "activity_type_display", "content", "organizations"]
        read_only_fields = fields


class AllianceDetailSerializer(AllianceSerializer):
    members = AllianceMemberSerializer(many=True, read_only=True)
    problems_raised = serializers.IntegerField(read_only=True)
    problems_resolved = serializers.IntegerField(read_only=True)
    resolution_rate = serializers.FloatField(read_only=True, allow_null=True)
    joint_activities = JointActivitySerializer(many=True, read_only=True)

    class Meta(AllianceSerializer.Meta):
        fields = [
            *AllianceSerializer.Meta.fields,
            "members",
            "problems_raised",
            "problems_resolved",
            "resolution_rate",
            "joint_activities",
        ]
        read_only_fields = fields


class AllianceWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    chain = serializers.CharField(max_length=100)
    industry = serializers.CharField(max_length=1, required=False, allow_blank=True)
    region = serializers.IntegerField(min_value=1)
    lead_kind = serializers.ChoiceField(choices=Alliance.LeadKind.choices)
    lead_enterprise = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    lead_association = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lead_park = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    lead_organization = serializers.IntegerField(min_value=1)
    first_secretary = serializers.CharField(max_length=50)
    first_secretary_post = serializers.CharField(max_length=100, required=False, allow_blank=True)
    secretary_general = serializers.CharField(max_length=50)
    secretary_general_post = serializers.CharField(max_length=100, required=False, allow_blank=True)
    founded_on = serializers.DateField()


class MemberWriteSerializer(StrictSerializer):
    organization = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    enterprise = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    joined_on = serializers.DateField()
    left_on = serializers.DateField(required=False, allow_null=True)


class ProblemWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=ProblemCategory.choices)
    enterprise = serializers.IntegerField(min_value=1)
    raised_on = serializers.DateField()
    handler = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ResolveSerializer(StrictSerializer):
    resolved_on = serializers.DateField()
    resolution = serializers.CharField()
    handler = serializers.CharField(max_length=100, required=False, allow_blank=True)

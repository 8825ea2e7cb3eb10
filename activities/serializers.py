"""API shapes of activity records (read)."""

from rest_framework import serializers

from .models import Activity


class ActivitySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    type = serializers.CharField(source="activity_type", read_only=True)
    type_display = serializers.CharField(source="get_activity_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by_name = serializers.CharField(source="created_by", read_only=True, allow_null=True)
    reviewed_by_name = serializers.CharField(source="reviewed_by", read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "organization",
            "organization_name",
            "type",
            "type_display",
            "held_on",
            "place",
            "topic",
            "host",
            "recorder",
            "minutes",
            "decisions",
            "due_count",
            "attended_count",
            "absent_count",
            "status",
            "status_display",
            "return_reason",
            "created_by",
            "created_by_name",
            "created_at",
            "submitted_at",
            "reviewed_by",
            "reviewed_by_name",
            "reviewed_at",
        ]
        read_only_fields = fields

"""API shapes of activity records: the read shape, and what a filing may write."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictSerializer

from .models import Activity, ActivityType
from .selectors import organizations_for_filing


class ActivitySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    type = serializers.CharField(source="activity_type", read_only=True)
    type_display = serializers.CharField(source="get_activity_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    venue_name = serializers.CharField(source="venue.name", read_only=True, allow_null=True, default=None)
    created_by_name = serializers.CharField(source="created_by", read_only=True, allow_null=True)
    submitted_by_name = serializers.CharField(source="submitted_by", read_only=True, allow_null=True)
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
            "venue",
            "venue_name",
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
            "submitted_by",
            "submitted_by_name",
            "reviewed_by",
            "reviewed_by_name",
            "reviewed_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _FilingOrganizationField(serializers.PrimaryKeyRelatedField):
    """An organization the caller may file records for; any other id reads as "does not exist"."""

    def get_queryset(self):
        request = self.context.get("request")
        return organizations_for_filing(user=getattr(request, "user", None))


@extend_schema_field(OpenApiTypes.INT)
class _VenueField(serializers.PrimaryKeyRelatedField):
    """A venue by id (the venues app's model, reached through the record's
    field: this floor does not import it). Whether the organization may use
    it on the day is the service's refusal, naming the field."""

    def get_queryset(self):
        return Activity._meta.get_field("venue").related_model.objects.filter(active=True)


class AttendancePickSerializer(StrictSerializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label="党员ID")
    attended = serializers.BooleanField(label="是否出席")
    absence_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ActivityWriteSerializer(StrictSerializer):
    """What a secretary files: the record's facts and who attended. Status,
    counts and reviewers are the workflow's, never the client's."""

    organization = _FilingOrganizationField(label="党组织ID")
    type = serializers.ChoiceField(source="activity_type", choices=ActivityType.choices, label="类型")
    held_on = serializers.DateField(label="日期")
    topic = serializers.CharField(max_length=200, label="主题")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    venue = _VenueField(required=False, allow_null=True, label="阵地ID")
    host = serializers.CharField(max_length=50, required=False, allow_blank=True)
    recorder = serializers.CharField(max_length=50, required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    decisions = serializers.CharField(required=False, allow_blank=True)
    attendance = AttendancePickSerializer(many=True, required=False, label="出席登记")


class ActivityUpdateSerializer(ActivityWriteSerializer):
    """A correction (PUT/PATCH): the same facts, but a record stays with the
    organization it was filed for, so `organization` is not among the fields
    a client may send (StrictSerializer refuses it by name)."""

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("organization")
        return fields


class ReturnReasonSerializer(StrictSerializer):
    # Blank reaches the service, which refuses it with the one message the page also shows.
    reason = serializers.CharField(required=False, allow_blank=True, default="", label="退回理由")

"""The API's shapes for party workers and training (CONTRACT.md). Phones
leave the server masked."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictSerializer

from .models import PartyWorker, Training, TrainingAttendance


class PartyWorkerSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    employment_display = serializers.CharField(source="get_employment_display", read_only=True)
    post_display = serializers.CharField(source="get_post_display", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = PartyWorker
        fields = [
            "id",
            "name",
            "source",
            "source_display",
            "employment",
            "employment_display",
            "post",
            "post_display",
            "organization",
            "organization_name",
            "region",
            "region_name",
            "phone_masked",
            "member",
            "user",
            "in_pool",
            "note",
        ]
        read_only_fields = fields


class PartyWorkerWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=50)
    source = serializers.ChoiceField(choices=PartyWorker.Source.choices)
    employment = serializers.ChoiceField(choices=PartyWorker.Employment.choices)
    post = serializers.ChoiceField(choices=PartyWorker.Post.choices, required=False)
    organization = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    region = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, help_text="联系电话（仅写入）")
    member = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    in_pool = serializers.BooleanField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TrainingAttendeeSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    post_display = serializers.CharField(source="worker.get_post_display", read_only=True)
    organization_name = serializers.CharField(source="worker.organization.name", read_only=True, allow_null=True)

    class Meta:
        model = TrainingAttendance
        fields = ["id", "worker", "worker_name", "post_display", "organization_name"]
        read_only_fields = fields


class TrainingSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "title",
            "level",
            "level_display",
            "starts_on",
            "ends_on",
            "hours",
            "organizer",
            "region",
            "region_name",
        ]
        read_only_fields = fields


class TrainingDetailSerializer(TrainingSerializer):
    attendees = serializers.SerializerMethodField()

    class Meta(TrainingSerializer.Meta):
        fields = [*TrainingSerializer.Meta.fields, "attendees"]
        read_only_fields = fields

    @extend_schema_field(TrainingAttendeeSerializer(many=True))
    def get_attendees(self, obj: Training) -> list[dict]:
        rows = self.context.get("attendances")
        if rows is None:
            rows = obj.attendances.select_related("worker", "worker__organization")
        return TrainingAttendeeSerializer(rows, many=True).data  # type: ignore[return-value]


class TrainingWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=Training.Level.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0)
    organizer = serializers.CharField(max_length=100)
    region = serializers.IntegerField(min_value=1)
    attendees = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=500)


class AttendeesWriteSerializer(StrictSerializer):
    workers = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)

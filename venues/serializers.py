"""The API's shapes for 党建阵地 (CONTRACT.md)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import ID_MAX, StrictSerializer

from .models import Booking, Venue, VenueShare


class VenueSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    owner_name = serializers.SerializerMethodField()
    hours_display = serializers.CharField(read_only=True)

    class Meta:
        model = Venue
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "owner_region",
            "owner_organization",
            "owner_enterprise",
            "owner_name",
            "region",
            "region_name",
            "address",
            "area",
            "opens_at",
            "closes_at",
            "open_days",
            "hours_display",
            "active",
        ]
        read_only_fields = fields

    def get_owner_name(self, obj: Venue) -> str:
        return str(obj.owner)


class VenueShareSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = VenueShare
        fields = ["id", "venue", "organization", "organization_name", "starts_on", "ends_on", "note"]
        read_only_fields = fields


class VenueBookingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "venue",
            "organization",
            "organization_name",
            "booked_on",
            "starts_at",
            "ends_at",
            "purpose",
            "activity",
            "status",
            "status_display",
        ]
        read_only_fields = fields


class VenueDetailSerializer(VenueSerializer):
    shares = VenueShareSerializer(many=True, read_only=True)
    bookings = serializers.SerializerMethodField()

    class Meta(VenueSerializer.Meta):
        fields = [*VenueSerializer.Meta.fields, "shares", "bookings"]
        read_only_fields = fields

    @extend_schema_field(VenueBookingSerializer(many=True))
    def get_bookings(self, obj: Venue) -> list[dict]:
        """The live bookings from today on (the booking calendar's)."""
        return VenueBookingSerializer(getattr(obj, "upcoming_bookings", []), many=True).data  # type: ignore[return-value]


def _id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


class VenueWriteSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Venue.Kind.choices)
    name = serializers.CharField(max_length=200)
    owner_region = _id(required=False, allow_null=True)
    owner_organization = _id(required=False, allow_null=True)
    owner_enterprise = _id(required=False, allow_null=True)
    address = serializers.CharField(max_length=200)
    area = serializers.DecimalField(max_digits=8, decimal_places=1, min_value=0)
    opens_at = serializers.TimeField()
    closes_at = serializers.TimeField()
    open_days = serializers.RegexField(r"^[1-7]{1,7}$", max_length=7, help_text="开放的星期几，如 12345 为周一至周五")


class ShareWriteSerializer(StrictSerializer):
    organization = _id()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BookingWriteSerializer(StrictSerializer):
    organization = _id()
    booked_on = serializers.DateField()
    starts_at = serializers.TimeField()
    ends_at = serializers.TimeField()
    purpose = serializers.CharField(max_length=200)
    activity = _id(required=False, allow_null=True)

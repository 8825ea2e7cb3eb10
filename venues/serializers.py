"""The API's shapes for 党建阵地 (CONTRACT.md)."""

import re
from datetime import time
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import ID_MAX, StrictSerializer

from .models import Booking, Venue, VenueShare

HOUR_MINUTE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@extend_schema_field(
    {"type": "string", "pattern": HOUR_MINUTE.pattern, "example": "09:30", "description": "时刻（24小时制 时:分）"}
)
class HourMinuteField(serializers.Field):
    """A time of day as a clock shows it, "09:30": OpenAPI's `format: time`
    asks for a UTC offset, which a venue's opening hours do not have."""

    def to_internal_value(self, data: Any) -> time:
        if not isinstance(data, str) or not HOUR_MINUTE.match(data):
            raise serializers.ValidationError(_("应为 时:分 格式的时刻，如 09:30"))
        hour, minute = data.split(":")
        return time(int(hour), int(minute))

    def to_representation(self, value: time) -> str:
        return f"{value:%H:%M}"


class VenueSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    owner_name = serializers.SerializerMethodField()
    hours_display = serializers.CharField(read_only=True)
    opens_at = HourMinuteField(read_only=True)
    closes_at = HourMinuteField(read_only=True)

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
    starts_at = HourMinuteField(read_only=True)
    ends_at = HourMinuteField(read_only=True)

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
    opens_at = HourMinuteField()
    closes_at = HourMinuteField()
    open_days = serializers.RegexField(r"^[1-7]{1,7}$", max_length=7, help_text="开放的星期几，如 12345 为周一至周五")


class ShareWriteSerializer(StrictSerializer):
    organization = _id()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BookingWriteSerializer(StrictSerializer):
    organization = _id()
    booked_on = serializers.DateField()
    starts_at = HourMinuteField()
    ends_at = HourMinuteField()
    purpose = serializers.CharField(max_length=200)
    activity = _id(required=False, allow_null=True)

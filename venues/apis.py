"""/api/v1/venues/ (CONTRACT.md): list, create and detail (with its
`bookings` and `shares`), and per venue POST …/bookings/ and …/shares/;
every write through venues.services, the same as the pages."""

import django_filters as filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet
from orgs import policy

from . import selectors as sel
from .models import Booking, Venue
from .serializers import (
    BookingWriteSerializer,
    ShareWriteSerializer,
    VenueBookingSerializer,
    VenueDetailSerializer,
    VenueSerializer,
    VenueShareSerializer,
    VenueWriteSerializer,
)
from .services import booking_create, share_add, venue_create

TAGS = ["党建阵地"]


class VenueFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Venue.Kind.choices, label="类别")

    class Meta:
        model = Venue
        fields = ["kind"]


def _list(*, user):
    return sel.venue_list(user=user)


def _get(*, user, pk, write=False):
    return sel.venue_get(user=user, pk=pk)


def _detail(venue: Venue, *, user) -> Response:
    venue = Venue.objects.prefetch_related("shares__organization").select_related("region").get(pk=venue.pk)
    venue.upcoming_bookings = list(  # type: ignore[attr-defined]
        sel.booking_list(user=user, venue=venue, start=timezone.localdate())[:100]
    )
    return Response(VenueDetailSerializer(venue).data)


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(summary="党建阵地列表", tags=TAGS),
    retrieve=extend_schema(summary="阵地详情（共享协议、近期预约）", tags=TAGS, responses=VenueDetailSerializer),
    create=extend_schema(
        summary="登记阵地（所属区域、党组织或企业，三者选一）",
        tags=TAGS,
        request=VenueWriteSerializer,
        responses={201: VenueDetailSerializer},
    ),
)
class VenueViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = VenueSerializer
    filterset_class = VenueFilter
    write_policy = {
        "create": policy.may_keep_venues,
        "bookings": policy.may_keep_venues,
        "shares": policy.may_keep_venues,
    }
    ordering_fields = ["name", "kind"]
    ordering = ["name", "id"]
    list_selector = staticmethod(_list)
    get_selector = staticmethod(_get)

    def get_serializer_class(self):
        return VenueWriteSerializer if self.action == "create" else super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        return _detail(self.get_object(), user=request.user)

    def create(self, request, *args, **kwargs):
        data = dict(_input(VenueWriteSerializer, request))
        user = request.user
        data["owner_region"] = sel.reference_get(
            queryset=sel.owner_regions(user=user),
            pk=data.get("owner_region"),
            field="owner_region",
            label=_("所属区域"),
        )
        data["owner_organization"] = sel.reference_get(
            queryset=sel.organizations_acting_for(user=user),
            pk=data.get("owner_organization"),
            field="owner_organization",
            label=_("所属党组织"),
        )
        data["owner_enterprise"] = sel.reference_get(
            queryset=sel.owner_enterprises(user=user),
            pk=data.get("owner_enterprise"),
            field="owner_enterprise",
            label=_("所属企业"),
        )
        venue = venue_create(by=user, **data)
        response = _detail(venue, user=user)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        summary="预约阵地（自有或共享的阵地，开放时间内，不得与已有预约冲突）",
        tags=TAGS,
        request=BookingWriteSerializer,
        responses={201: VenueBookingSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="bookings",
        filterset_class=None,
        ordering_fields=[],
        serializer_class=BookingWriteSerializer,
    )
    def bookings(self, request, pk=None):
        venue = self.get_object()
        data = dict(_input(BookingWriteSerializer, request))
        data["organization"] = sel.reference_get(
            queryset=sel.organizations_acting_for(user=request.user),
            pk=data["organization"],
            field="organization",
            label=_("使用党组织"),
        )
        data["activity"] = sel.reference_get(
            queryset=sel.activity_choices(user=request.user),
            pk=data.get("activity"),
            field="activity",
            label=_("组织生活记录"),
        )
        booking: Booking = booking_create(by=request.user, venue=venue, **data)
        return Response(VenueBookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="登记共建共享协议（阵地所属方）",
        tags=TAGS,
        request=ShareWriteSerializer,
        responses={201: VenueShareSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="shares",
        filterset_class=None,
        ordering_fields=[],
        serializer_class=ShareWriteSerializer,
    )
    def shares(self, request, pk=None):
        venue = self.get_object()
        data = dict(_input(ShareWriteSerializer, request))
        data["organization"] = sel.reference_get(
            queryset=sel.share_organization_choices(user=request.user, venue=venue),
            pk=data["organization"],
            field="organization",
            label=_("共享党组织"),
        )
        share = share_add(by=request.user, venue=venue, **data)
        return Response(VenueShareSerializer(share).data, status=status.HTTP_201_CREATED)

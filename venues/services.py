"""Writes on 党建阵地: register and edit a venue, agree shared use
(共建共享), book it and cancel a booking. Every write checks the policy
(orgs.policy.venues) and refuses bad input in Chinese, naming the field, with
nothing written.

A booking that meets another live booking of the same venue is refused. The
check runs under a lock on the venue's row, so two bookings racing for one
slot are decided one after the other (on SQLite too, where the whole
database is locked); on PostgreSQL an exclusion constraint
(migrations/0002) refuses an overlap even from a write that bypasses this
service, and its refusal reads as the same message."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from activities.models import Activity
from core.errors import ApplicationError
from orgs import policy
from orgs.audit import audit_event
from orgs.models import Enterprise, PartyOrganization, Region, User
from orgs.policy import require_permission

from .models import Booking, Venue, VenueShare

MAX_AREA = Decimal("100000")


def _region_of_owner(
    *, region: Region | None, organization: PartyOrganization | None, enterprise: Enterprise | None
) -> Region:
    """The street (or district) whose staff keep a venue: its owner's."""
    if organization is not None:
        return organization.street
    if enterprise is not None:
        return enterprise.street
    assert region is not None
    if region.kind in (Region.Kind.COMMUNITY, Region.Kind.PARK) and region.parent is not None:
        return region.parent
    return region


def _check_venue_fields(
    *, name: str, address: str, area: Decimal | None, opens_at: time, closes_at: time, open_days: str
) -> str:
    if not name.strip():
        raise ApplicationError({"name": _("名称：不能为空")})
    if not address.strip():
        raise ApplicationError({"address": _("地址：不能为空")})
    if area is None or area <= 0 or area >= MAX_AREA:
        raise ApplicationError({"area": _("面积：须为大于0、小于100000的平方米数")})
    if closes_at <= opens_at:
        raise ApplicationError({"closes_at": _("开放时间止：须晚于开放时间起")})
    days = "".join(sorted({d for d in open_days if d in "1234567"}))
    if not days or len(days) != len(set(open_days)) or any(d not in "1234567" for d in open_days):
        raise ApplicationError({"open_days": _("开放日：请至少选择一天（周一至周日）")})
    return days


@transaction.atomic
def venue_create(
    *,
    by: User,
    kind: str,
    name: str,
    address: str,
    area: Decimal,
    opens_at: time,
    closes_at: time,
    open_days: str,
    owner_region: Region | None = None,
    owner_organization: PartyOrganization | None = None,
    owner_enterprise: Enterprise | None = None,
    active: bool = True,
) -> Venue:
    owners = [o for o in (owner_region, owner_organization, owner_enterprise) if o is not None]
    if len(owners) != 1:
        raise ApplicationError({"owner": _("所属：区域、党组织、企业三者须选且只选一个")})
    if kind not in Venue.Kind.values:
        raise ApplicationError({"kind": _("类别：请选择党群服务中心、党员活动室、党群工作站或共享阵地")})
    if owner_region is not None and owner_region.kind in (Region.Kind.PROVINCE, Region.Kind.CITY):
        raise ApplicationError({"owner_region": _("所属区域：须为区、街道、社区或园区")})
    if owner_organization is not None and owner_organization.dissolved_on is not None:
        raise ApplicationError({"owner_organization": _("所属党组织：该党组织已撤销")})
    require_permission(
        policy.may_register_venue_for(
            by, region=owner_region, organization=owner_organization, enterprise=owner_enterprise
        ),
        _("您不能为该所属单位登记阵地"),
    )
    days = _check_venue_fields(
        name=name, address=address, area=area, opens_at=opens_at, closes_at=closes_at, open_days=open_days
    )
    with set_actor(by):
        venue = Venue.objects.create(
            kind=kind,
            name=name.strip(),
            address=address.strip(),
            area=area,
            opens_at=opens_at,
            closes_at=closes_at,
            open_days=days,
            owner_region=owner_region,
            owner_organization=owner_organization,
            owner_enterprise=owner_enterprise,
            region=_region_of_owner(region=owner_region, organization=owner_organization, enterprise=owner_enterprise),
            active=active,
        )
    audit_event(actor=by, instance=venue, event="venue_created", detail={"region": venue.region_id})
    return venue


VENUE_EDITABLE = ("kind", "name", "address", "area", "opens_at", "closes_at", "open_days", "active")


@transaction.atomic
def venue_update(*, by: User, venue: Venue, **fields: Any) -> Venue:
    """Correct a venue's facts or close it (`active`); its owner stays."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    require_permission(policy.may_manage_venue(by, venue), _("您不能管理该阵地"))
    unknown = set(fields) - set(VENUE_EDITABLE)
    if unknown:
        raise ApplicationError(_("不可写入的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    merged = {name: fields.get(name, getattr(venue, name)) for name in VENUE_EDITABLE}
    if merged["kind"] not in Venue.Kind.values:
        raise ApplicationError({"kind": _("类别：请选择党群服务中心、党员活动室、党群工作站或共享阵地")})
    merged["open_days"] = _check_venue_fields(
        name=merged["name"],
        address=merged["address"],
        area=merged["area"],
        opens_at=merged["opens_at"],
        closes_at=merged["closes_at"],
        open_days=merged["open_days"],
    )
    merged["name"], merged["address"] = merged["name"].strip(), merged["address"].strip()
    with set_actor(by):
        for name, value in merged.items():
            setattr(venue, name, value)
        venue.save(update_fields=list(VENUE_EDITABLE))
    return venue


@transaction.atomic
def share_add(
    *,
    by: User,
    venue: Venue,
    organization: PartyOrganization,
    starts_on: date,
    ends_on: date,
    note: str = "",
) -> VenueShare:
    """共建共享: the owner side agrees that another organization uses the venue."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    require_permission(policy.may_manage_venue(by, venue), _("您不能管理该阵地"))
    if organization.pk == venue.owner_organization_id:
        raise ApplicationError({"organization": _("共享党组织：本阵地就属于该党组织，无需共享")})
    if organization.dissolved_on is not None:
        raise ApplicationError({"organization": _("共享党组织：该党组织已撤销")})
    if ends_on < starts_on:
        raise ApplicationError({"ends_on": _("截止日期：不能早于起始日期")})
    overlapping = VenueShare.objects.filter(
        venue=venue, organization=organization, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if overlapping is not None:
        raise ApplicationError(
            {
                "starts_on": _("起始日期：与已有共享协议（%(s)s 至 %(e)s）重叠")
                % {"s": overlapping.starts_on, "e": overlapping.ends_on}
            }
        )
    with set_actor(by):
        share = VenueShare.objects.create(
            venue=venue,
            organization=organization,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip()[:200],
            agreed_by=by,
        )
    return share


def _clash_message(other: Booking | None) -> dict[str, str]:
    if other is None:
        return {"starts_at": _("时间：该时段已被预约，请另选时间")}
    return {
        "starts_at": _("时间：与%(org)s %(d)s %(s)s–%(e)s 的预约冲突，请另选时间")
        % {
            "org": other.organization.name,
            "d": other.booked_on,
            "s": f"{other.starts_at:%H:%M}",
            "e": f"{other.ends_at:%H:%M}",
        }
    }


def _clashing(*, venue: Venue, booked_on: date, starts_at: time, ends_at: time) -> Booking | None:
    return (
        Booking.objects.filter(
            venue=venue,
            booked_on=booked_on,
            status=Booking.Status.BOOKED,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .select_related("organization")
        .first()
    )


@transaction.atomic
def booking_create(
    *,
    by: User,
    venue: Venue,
    organization: PartyOrganization,
    booked_on: date,
    starts_at: time,
    ends_at: time,
    purpose: str,
    activity: Activity | None = None,
) -> Booking:
    """Book a venue for an organization that may use it on the day, inside
    its opening hours, in a slot no other live booking holds."""
    # The lock on the venue serializes bookings of one venue: the clash check
    # below and the insert are one step for every racer.
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    require_permission(policy.may_act_for_organization(by, organization), _("您不能代该党组织预约阵地"))
    if not venue.active:
        raise ApplicationError({"venue": _("阵地：该阵地已停用，不能预约")})
    if not Venue.objects.usable_by(organization_id=organization.pk, on=booked_on).filter(pk=venue.pk).exists():
        raise ApplicationError(
            {"organization": _("使用党组织：该党组织在当日无权使用此阵地（须为自有阵地或在共享协议期内）")}
        )
    if not purpose.strip():
        raise ApplicationError({"purpose": _("用途：不能为空")})
    if ends_at <= starts_at:
        raise ApplicationError({"ends_at": _("结束时间：须晚于开始时间")})
    if not venue.open_on(booked_on):
        raise ApplicationError(
            {"booked_on": _("使用日期：该阵地当日不开放（开放时间：%(h)s）") % {"h": venue.hours_display}}
        )
    if starts_at < venue.opens_at or ends_at > venue.closes_at:
        raise ApplicationError({"starts_at": _("时间：须在开放时间内（%(h)s）") % {"h": venue.hours_display}})
    if activity is not None and activity.organization_id != organization.pk:
        raise ApplicationError({"activity": _("组织生活记录：须为该党组织的记录")})
    other = _clashing(venue=venue, booked_on=booked_on, starts_at=starts_at, ends_at=ends_at)
    if other is not None:
        raise ApplicationError(_clash_message(other))
    try:
        with transaction.atomic(), set_actor(by):
            booking = Booking.objects.create(
                venue=venue,
                organization=organization,
                booked_on=booked_on,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=purpose.strip()[:200],
                activity=activity,
                booked_by=by,
            )
    except IntegrityError:
        # The exclusion constraint saw a booking this check did not (one
        # written around the service): the same refusal, nothing written.
        raise ApplicationError(_clash_message(None)) from None
    return booking


@transaction.atomic
def booking_cancel(*, by: User, booking: Booking) -> Booking:
    booking = Booking.objects.select_for_update().select_related("venue", "organization").get(pk=booking.pk)
    require_permission(policy.may_cancel_booking(by, booking), _("您不能取消该预约"))
    if booking.status == Booking.Status.CANCELLED:
        raise ApplicationError(_("该预约已取消"))
    with set_actor(by):
        booking.status = Booking.Status.CANCELLED
        booking.save(update_fields=["status"])
    return booking

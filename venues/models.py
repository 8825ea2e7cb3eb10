"""党建阵地 (DESIGN.md §9, places): 党群服务中心、党员活动室、党群工作站 and
shared venues, their 共建共享 agreements with other organizations, and the
bookings those organizations make. The 六有 checklist stays where the rating
reads it (orgs.VenueChecklist, per organization and year); a venue owned by
an organization shows that organization's checklist."""

from __future__ import annotations

from datetime import date, time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orgs.models import Enterprise, PartyOrganization, Region

WEEKDAY_NAMES = {1: _("周一"), 2: _("周二"), 3: _("周三"), 4: _("周四"), 5: _("周五"), 6: _("周六"), 7: _("周日")}


class VenueQuerySet(models.QuerySet):
    def usable_by(self, *, organization_id: int, on: date | None = None) -> VenueQuerySet:
        """Active venues an organization may use: its own, and those shared
        with it by an agreement in force on `on` (on any date with None).

        Activities reach this method through their `venue` foreign key's
        related model, never by importing this app: activities stand on a
        lower floor (DESIGN.md §7), and the rule of who may use a venue is
        this app's to keep."""
        shares = VenueShare.objects.filter(organization_id=organization_id)
        if on is not None:
            shares = shares.filter(starts_on__lte=on, ends_on__gte=on)
        return self.filter(active=True).filter(
            Q(owner_organization_id=organization_id) | Q(pk__in=shares.values("venue_id"))
        )


class Venue(models.Model):
    class Kind(models.TextChoices):
        SERVICE_CENTER = "service_center", _("党群服务中心")
        ACTIVITY_ROOM = "activity_room", _("党员活动室")
        WORK_STATION = "work_station", _("党群工作站")
        SHARED = "shared", _("共享阵地")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=200)
    # Exactly one owner: a region (a street's 党群服务中心), a party
    # organization (its 党员活动室) or an enterprise (a room it lends).
    owner_region = models.ForeignKey(
        Region, verbose_name=_("所属区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("所属党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="venues",
    )
    owner_enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("所属企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The street (or district) whose staff keep it: its owner's, set by the
    # service; the reach of its records (orgs.scoping).
    region = models.ForeignKey(Region, verbose_name=_("管理区域"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("地址"), max_length=200)
    area = models.DecimalField(_("面积（平方米）"), max_digits=8, decimal_places=1)
    opens_at = models.TimeField(_("开放时间起"), default=time(9, 0))
    closes_at = models.TimeField(_("开放时间止"), default=time(17, 30))
    # ISO weekdays it opens on, "12345" for Monday to Friday.
    open_days = models.CharField(_("开放日"), max_length=7, default="12345")
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("党建阵地")
        verbose_name_plural = _("党建阵地")
        ordering = ["region", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_region__isnull=False, owner_organization__isnull=True, owner_enterprise__isnull=True)
                    | Q(owner_region__isnull=True, owner_organization__isnull=False, owner_enterprise__isnull=True)
                    | Q(owner_region__isnull=True, owner_organization__isnull=True, owner_enterprise__isnull=False)
                ),
                name="venue_exactly_one_owner",
            ),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="venue_closes_after_opening"),
            models.CheckConstraint(condition=Q(area__gt=0), name="venue_area_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> Region | PartyOrganization | Enterprise:
        return self.owner_region or self.owner_organization or self.owner_enterprise  # type: ignore[return-value]

    @property
    def owner_kind_display(self) -> str:
        if self.owner_region_id:
            return str(_("区域"))
        if self.owner_organization_id:
            return str(_("党组织"))
        return str(_("企业"))

    @property
    def open_days_display(self) -> str:
        days = [int(d) for d in self.open_days if d.isdigit()]
        if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            return str(_("%(a)s至%(b)s") % {"a": WEEKDAY_NAMES[days[0]], "b": WEEKDAY_NAMES[days[-1]]})
        return str(_("、")).join(str(WEEKDAY_NAMES[d]) for d in days)

    @property
    def hours_display(self) -> str:
        return f"{self.open_days_display} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def open_on(self, on: date) -> bool:
        return str(on.isoweekday()) in self.open_days


class VenueShare(models.Model):
    """共建共享: the owner agrees that another organization uses the venue
    from `starts_on` to `ends_on` (both days included)."""

    venue = models.ForeignKey(Venue, verbose_name=_("阵地"), on_delete=models.CASCADE, related_name="shares")
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("共享党组织"), on_delete=models.PROTECT, related_name="venue_shares"
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共建共享协议")
        verbose_name_plural = _("共建共享协议")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="venue_share_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} → {self.organization}"

    def in_force_on(self, on: date) -> bool:
        return self.starts_on <= on <= self.ends_on


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")

    venue = models.ForeignKey(Venue, verbose_name=_("阵地"), on_delete=models.PROTECT, related_name="bookings")
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("使用党组织"), on_delete=models.PROTECT, related_name="venue_bookings"
    )
    booked_on = models.DateField(_("使用日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    purpose = models.CharField(_("用途"), max_length=200)
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("组织生活记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venue_bookings",
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("预约人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阵地预约")
        verbose_name_plural = _("阵地预约")
        ordering = ["booked_on", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"),
        ]
        indexes = [models.Index(fields=["venue", "booked_on"])]

    def __str__(self) -> str:
        return f"{self.venue} {self.booked_on} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

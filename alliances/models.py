"""产业链党建联盟 ("1+X+N", DESIGN.md §9): one lead unit, X chain enterprises'
party organizations, N chain enterprises without one; their problem list
(问题清单) and joint activities."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityType
from orgs.models import Enterprise, Industry, PartyOrganization, Region


class Alliance(models.Model):
    class LeadKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("龙头企业")
        ASSOCIATION = "association", _("行业协会")
        PARK = "park", _("园区党委")

    class Status(models.TextChoices):
        ACTIVE = "active", _("运行中")
        DISSOLVED = "dissolved", _("已撤销")

    name = models.CharField(_("联盟名称"), max_length=200)
    # The chain is named in the district's own words (装备制造, 港口物流); the
    # GB/T 4754 section, where given, only groups chains for reading.
    chain = models.CharField(_("产业链"), max_length=100)
    industry = models.ForeignKey(
        Industry, verbose_name=_("行业门类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_kind = models.CharField(_("牵头单位类别"), max_length=16, choices=LeadKind.choices)
    lead_enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("牵头企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_association = models.CharField(_("牵头协会"), max_length=200, blank=True)
    lead_park = models.ForeignKey(
        Region, verbose_name=_("牵头园区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("牵头党组织"), on_delete=models.PROTECT, related_name="+"
    )
    first_secretary = models.CharField(_("第一书记"), max_length=50)
    first_secretary_post = models.CharField(_("第一书记职务"), max_length=100, blank=True)
    secretary_general = models.CharField(_("秘书长"), max_length=50)
    secretary_general_post = models.CharField(_("秘书长职务"), max_length=100, blank=True)
    founded_on = models.DateField(_("成立日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    # The street or district whose staff keep it: the reach of its records.
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("产业链党建联盟")
        verbose_name_plural = _("产业链党建联盟")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=models.F("founded_on")),
                name="alliance_dissolved_after_founded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def active_on(self, on: date) -> bool:
        return self.founded_on <= on and (self.dissolved_on is None or self.dissolved_on > on)

    @property
    def lead_unit_name(self) -> str:
        if self.lead_kind == self.LeadKind.ENTERPRISE and self.lead_enterprise_id:
            return self.lead_enterprise.name  # type: ignore[union-attr]
        if self.lead_kind == self.LeadKind.PARK and self.lead_park_id:
            return self.lead_park.name  # type: ignore[union-attr]
        return self.lead_association


class AllianceMember(models.Model):
    """X (an organization) or N (an enterprise without one), from `joined_on`
    until the day before `left_on`."""

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="members")
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("成员党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliance_memberships",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("成员企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliance_memberships",
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("联盟成员")
        verbose_name_plural = _("联盟成员")
        ordering = ["joined_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(enterprise__isnull=True))
                | (Q(organization__isnull=True) & Q(enterprise__isnull=False)),
                name="alliance_member_organization_xor_enterprise",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="alliance_member_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization or self.enterprise)

    @property
    def is_x(self) -> bool:
        return self.organization_id is not None

    def active_on(self, on: date) -> bool:
        return self.joined_on <= on and (self.left_on is None or self.left_on > on)


class ProblemCategory(models.TextChoices):
    # The "九共" of the Wenzhou article.
    RESUMPTION = "resumption", _("复工")
    ORDERS = "orders", _("订单")
    LABOUR = "labour", _("用工")
    FINANCING = "financing", _("融资")
    MATERIALS = "materials", _("原料")
    PREVENTION = "prevention", _("防控")
    PURCHASING = "purchasing", _("采购")
    MARKET = "market", _("市场")
    OTHER = "other", _("其他")


class AllianceProblem(models.Model):
    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="problems")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("提出企业"), on_delete=models.PROTECT, related_name="alliance_problems"
    )
    title = models.CharField(_("问题"), max_length=200)
    category = models.CharField(_("类别"), max_length=16, choices=ProblemCategory.choices)
    raised_on = models.DateField(_("提出日期"))
    handler = models.CharField(_("承办人"), max_length=100, blank=True)
    resolved_on = models.DateField(_("化解日期"), null=True, blank=True)
    resolution = models.TextField(_("化解情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("联盟问题")
        verbose_name_plural = _("联盟问题")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("raised_on")),
                name="alliance_problem_resolved_after_raised",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.resolved_on is not None


class JointActivity(models.Model):
    """An activity the alliance hosts, attended by several member organizations
    (一名党员可以参加多个组织的组织生活): each attending organization's record shows it."""

    alliance = models.ForeignKey(
        Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE, related_name="joint_activities"
    )
    held_on = models.DateField(_("活动日期"))
    title = models.CharField(_("活动主题"), max_length=200)
    activity_type = models.CharField(_("类型"), max_length=24, choices=ActivityType.choices)
    content = models.TextField(_("活动内容"), blank=True)
    organizations = models.ManyToManyField(
        PartyOrganization, verbose_name=_("参加党组织"), related_name="joint_activities"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("联盟联合活动")
        verbose_name_plural = _("联盟联合活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

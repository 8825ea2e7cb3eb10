"""People (DESIGN.md §9; Shahekou, Wuxi, Yixing): the register of party
workers (党务工作者), the talent pool (人才库) and its recommendations,
training courses with their attendees, and 双向进入、交叉任职 (committee
members holding board, supervisory or management posts in the enterprise)
with the entered manager counts behind the share of managers who are members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.masking import mask_phone
from orgs.models import Enterprise, PartyOrganization, Region


class PartyWorker(models.Model):
    class Source(models.TextChoices):
        ELECTED = "elected", _("企业内部选举")
        HIRED = "hired", _("社会化招聘")
        RETIRED_CADRE = "retired_cadre", _("离退休干部")
        VETERAN = "veteran", _("转业军人")
        DISPATCHED = "dispatched", _("机关选派")

    class Employment(models.TextChoices):
        FULL_TIME = "full_time", _("专职")
        PART_TIME = "part_time", _("兼职")

    class Post(models.TextChoices):
        SECRETARY = "secretary", _("党组织书记")
        INSTRUCTOR = "instructor", _("党建指导员")
        FULL_TIME_WORKER = "full_time_worker", _("专职党务工作者")
        NONE = "none", _("暂无任职")

    name = models.CharField(_("姓名"), max_length=50)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    employment = models.CharField(_("专兼职"), max_length=12, choices=Employment.choices)
    post = models.CharField(_("现任职务"), max_length=20, choices=Post.choices, default=Post.NONE)
    # Where the post applies: the organization (a secretary's, a full-time
    # worker's) and the street or district whose staff keep the record.
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("任职党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_workers",
    )
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    phone = EncryptedTextField(_("联系电话"), blank=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("对应党员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("对应账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    in_pool = models.BooleanField(_("纳入人才库"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党务工作者")
        verbose_name_plural = _("党务工作者")
        ordering = ["name", "id"]
        constraints = [
            # The organization's secretary in the register is one person:
            # the training cycle reads it (people.training_cycle).
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(post="secretary"),
                name="party_worker_one_secretary_per_organization",
            ),
            models.CheckConstraint(
                condition=~Q(post="secretary") | Q(organization__isnull=False),
                name="party_worker_secretary_has_organization",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def post_place(self) -> str:
        """Where the post applies, for reading."""
        if self.organization_id:
            return self.organization.name  # type: ignore[union-attr]
        return self.region.name


class Recommendation(models.Model):
    """A worker of the talent pool recommended to an organization, and what came of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待定")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("未接受")

    worker = models.ForeignKey(
        PartyWorker, verbose_name=_("党务工作者"), on_delete=models.PROTECT, related_name="recommendations"
    )
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("推荐到党组织"), on_delete=models.PROTECT, related_name="recommendations"
    )
    recommended_on = models.DateField(_("推荐日期"))
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("推荐人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("人才推荐")
        verbose_name_plural = _("人才推荐")
        ordering = ["-recommended_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=F("recommended_on")),
                name="recommendation_outcome_after_recommended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} → {self.organization}"


class Training(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("市级")
        DISTRICT = "district", _("区级")
        STREET = "street", _("街道级")

    title = models.CharField(_("培训主题"), max_length=200)
    level = models.CharField(_("培训层级"), max_length=10, choices=Level.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    organizer = models.CharField(_("主办单位"), max_length=100)
    # The street or district whose staff keep the record (a city course's
    # attendance is recorded by the district that sent its people).
    region = models.ForeignKey(Region, verbose_name=_("登记区域"), on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(
        PartyWorker, verbose_name=_("参训人员"), through="TrainingAttendance", related_name="trainings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="training_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    training = models.ForeignKey(
        Training, verbose_name=_("培训班"), on_delete=models.CASCADE, related_name="attendances"
    )
    worker = models.ForeignKey(
        PartyWorker, verbose_name=_("参训人员"), on_delete=models.PROTECT, related_name="attendances"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")
        ordering = ["training", "worker__name"]
        constraints = [
            models.UniqueConstraint(fields=["training", "worker"], name="training_attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.training}"


class CrossAppointment(models.Model):
    """双向进入、交叉任职: a member of the organization's committee (its latest
    election, or its secretary) holding a post in one of the enterprises it covers."""

    class Body(models.TextChoices):
        BOARD = "board", _("董事会")
        SUPERVISORY = "supervisory", _("监事会")
        MANAGEMENT = "management", _("管理层")

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="cross_appointments"
    )
    person = models.CharField(_("委员姓名"), max_length=50)
    committee_role = models.CharField(_("党内职务"), max_length=20, blank=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("任职企业"), on_delete=models.PROTECT, related_name="cross_appointments"
    )
    body = models.CharField(_("企业任职机构"), max_length=12, choices=Body.choices)
    title = models.CharField(_("企业职务"), max_length=50)
    since = models.DateField(_("任职日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("交叉任职")
        verbose_name_plural = _("交叉任职")
        ordering = ["organization", "person", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "person", "enterprise", "body"], name="cross_appointment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_body_display()}{self.title}"


class ManagerCount(models.Model):
    """The organization's enterprises' managers and how many are party
    members, as entered (the survey's 管理人员数/其中党员数 where it has them
    is the fallback; people.selectors.manager_share adds both)."""

    organization = models.OneToOneField(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="manager_count"
    )
    managers = models.PositiveIntegerField(_("管理人员数"))
    party_members = models.PositiveIntegerField(_("其中党员数"))
    as_of = models.DateField(_("填报日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("管理人员党员数")
        verbose_name_plural = _("管理人员党员数")
        constraints = [
            models.CheckConstraint(
                condition=Q(party_members__lte=F("managers")), name="manager_count_members_within_managers"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.party_members}/{self.managers}"

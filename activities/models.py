"""组织生活纪实: activity records with attendance and attachments, and the
compliance rules (expected meetings per period) they are measured against."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import random_file_name
from core.models import WorkflowStep
from members.models import Member
from orgs.models import PartyOrganization, Region
from orgs.models.statistics import SCHEME_START


class ActivityType(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支部委员会会议")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")
    VOLUNTEER = "volunteer", _("志愿服务")
    PIONEER = "pioneer", _("党员先锋岗")
    TRAINING = "training", _("学习培训")
    OTHER = "other", _("其他")


# 三会一课
THREE_MEETINGS_ONE_LECTURE = (
    ActivityType.GENERAL_MEETING,
    ActivityType.COMMITTEE_MEETING,
    ActivityType.GROUP_MEETING,
    ActivityType.PARTY_LECTURE,
)
# What the rating counts as 作用发挥 (双强).
SERVICE_TYPES = (ActivityType.VOLUNTEER, ActivityType.PIONEER)


class Activity(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已通过")
        RETURNED = "returned", _("已退回")

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="activities"
    )
    activity_type = models.CharField(_("类型"), max_length=24, choices=ActivityType.choices)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    # The venue (阵地) it was held in, where it was one. A string reference:
    # the venues app stands on a floor above this one (DESIGN.md §7) and is
    # never imported here; which venues an organization may name is the
    # venue model's own rule (`usable_by`), reached through this field.
    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("阵地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    topic = models.CharField(_("主题"), max_length=200)
    host = models.CharField(_("主持人"), max_length=50, blank=True)
    recorder = models.CharField(_("记录人"), max_length=50, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    decisions = models.TextField(_("决议事项"), blank=True)
    due_count = models.PositiveIntegerField(_("应到人数"), default=0)
    attended_count = models.PositiveIntegerField(_("实到人数"), default=0)
    absent_count = models.PositiveIntegerField(_("缺席人数"), default=0)
    status = models.CharField(_("审核状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(_("退回理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织生活记录")
        verbose_name_plural = _("组织生活记录")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_count=F("attended_count") + F("absent_count")), name="activity_attendance_adds_up"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="activity_return_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "held_on"]),
            models.Index(fields=["status", "held_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_activity_type_display()} {self.topic}"

    @property
    def locked(self) -> bool:
        return self.status == self.Status.APPROVED

    def filer_ids(self) -> set[int]:
        """Everyone who filed, edited or submitted this record, at any time:
        none of them may approve it (separation of duties)."""
        ids = set(self.steps.filter(action__in=ActivityStep.FILING_ACTIONS).values_list("by_id", flat=True))
        return ids | {pk for pk in (self.created_by_id, self.submitted_by_id) if pk is not None}


class ActivityStep(WorkflowStep):
    """One line of a record's history: who did what, when. Written by the
    services at every step; never edited or deleted."""

    class Action(models.TextChoices):
        CREATED = "created", _("填报")
        UPDATED = "updated", _("修改")
        SUBMITTED = "submitted", _("提交")
        APPROVED = "approved", _("审核通过")
        RETURNED = "returned", _("退回")

    # The steps that make someone a filer of the record.
    FILING_ACTIONS = (Action.CREATED, Action.UPDATED, Action.SUBMITTED)

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    # A default, not auto_now_add: a step may be given its time (the demo seed dates its history).
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta(WorkflowStep.Meta):
        verbose_name = _("组织生活流程记录")
        verbose_name_plural = _("组织生活流程记录")
        indexes = [models.Index(fields=["activity", "at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.by}"


class Attendance(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(_("出席"), default=True)
    absence_reason = models.CharField(_("缺席原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="attendance_once_per_member"),
            models.CheckConstraint(
                condition=Q(attended=True) | ~Q(absence_reason=""), name="attendance_absence_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {'✓' if self.attended else '✗'}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Photos are stored re-encoded as JPEG, PDFs as they came.
    name = random_file_name(filename, extensions={"pdf", "jpg"})
    return f"activities/{instance.activity.organization_id}/{instance.activity_id}/{name}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("照片")
        PDF = "pdf", _("PDF文件")

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class ComplianceRule(models.Model):
    """How many activities of a type an organization is expected to hold per
    period. Editable data; the defaults come from a data migration."""

    class Period(models.TextChoices):
        MONTH = "month", _("每月")
        QUARTER = "quarter", _("每季度")
        YEAR = "year", _("每年")

    class Condition(models.TextChoices):
        ALWAYS = "always", _("所有党组织")
        HAS_COMMITTEE = "has_committee", _("设支部委员会的")
        HAS_GROUPS = "has_groups", _("设党小组的")

    activity_type = models.CharField(_("活动类型"), max_length=24, choices=ActivityType.choices)
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    minimum = models.PositiveSmallIntegerField(_("最少次数"), default=1)
    applies_to = models.CharField(_("适用范围"), max_length=16, choices=Condition.choices, default=Condition.ALWAYS)
    active = models.BooleanField(_("启用"), default=True)
    # From a date on, for a district (its own), a city (its default) or null (the installation's default).
    effective_from = models.DateField(_("生效日期"), default=SCHEME_START)
    region = models.ForeignKey(
        Region, verbose_name=_("适用区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("组织生活规则")
        verbose_name_plural = _("组织生活规则")
        constraints = [
            models.CheckConstraint(condition=Q(minimum__gte=1), name="rule_minimum_positive"),
            models.UniqueConstraint(
                fields=["activity_type", "effective_from"],
                condition=Q(region__isnull=True),
                name="rule_one_per_type_date",
            ),
            models.UniqueConstraint(
                fields=["activity_type", "effective_from", "region"],
                condition=Q(region__isnull=False),
                name="rule_one_per_region_type_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_type_display()} {self.get_period_display()}≥{self.minimum}"


class ComplianceExemption(models.Model):
    """A justified exemption that takes one period out of the compliance check."""

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="exemptions"
    )
    activity_type = models.CharField(_("活动类型"), max_length=24, choices=ActivityType.choices)
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))
    reason = models.TextField(_("理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织生活豁免")
        verbose_name_plural = _("组织生活豁免")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="exemption_period_in_order"),
            models.CheckConstraint(condition=~Q(reason=""), name="exemption_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_activity_type_display()} {self.period_start}"

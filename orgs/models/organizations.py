"""Party organizations and the work around them: the organization (type,
formation mode, term, the enterprises it covers), the party-building
instructors assigned to enterprises and their visits, and the yearly venue
checklist (阵地“六有”)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.files import random_file_name

from .enterprises import Enterprise, FormationMode
from .imports import ImportBatch
from .regions import Region


class PartyOrganization(models.Model):
    class Type(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        JOINT_BRANCH = "joint_branch", _("联合党支部")

    name = models.CharField(_("党组织名称"), max_length=200)
    org_type = models.CharField(_("组织类别"), max_length=20, choices=Type.choices, default=Type.BRANCH)
    formation_mode = models.CharField(
        _("组建方式"), max_length=16, choices=FormationMode.choices, default=FormationMode.OWN
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级党组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    street = models.ForeignKey(Region, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+")
    park = models.ForeignKey(
        Region, verbose_name=_("所属园区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("覆盖企业"), blank=True, related_name="organizations"
    )
    secretary_name = models.CharField(_("书记"), max_length=50, blank=True)
    has_committee = models.BooleanField(_("设支部委员会"), default=False)
    has_groups = models.BooleanField(_("设党小组"), default=False)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    term_start = models.DateField(_("本届任期开始"), null=True, blank=True)
    term_end = models.DateField(_("本届任期届满"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    needs_completion = models.BooleanField(
        _("待完善"), default=False, help_text=_("由排查导入自动创建的占位组织，需补充名称等信息")
    )
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("创建批次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["street", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="org_unique_name_in_street"),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_start__isnull=True) | Q(term_end__gt=F("term_start")),
                name="org_term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=F("founded_on")),
                name="org_dissolved_after_founded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def default_term_years(self) -> int:
        return 5 if self.org_type == self.Type.COMMITTEE else 3

    def clean(self) -> None:
        if self.term_start and self.term_end and self.term_end <= self.term_start:
            raise ValidationError({"term_end": _("任期届满日期应晚于任期开始日期")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("上级党组织不能是自身")})

    def get_additional_data(self) -> dict | None:
        """The reason an editor gave, stored with the audit entry of the save (django-auditlog asks)."""
        reason = getattr(self, "audit_reason", "")
        return {"reason": reason} if reason else None


class Election(models.Model):
    """A 换届选举: the committee elected and the term it starts. The
    organization's secretary and term are set from the latest one."""

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="elections"
    )
    held_on = models.DateField(_("选举日期"))
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期届满"))
    secretary_name = models.CharField(_("书记"), max_length=50)
    # [{"role": "secretary" | "deputy" | "member", "name": ..., "member_id": id or null}]:
    # people come from the roster where they are on it, by name otherwise.
    committee = models.JSONField(_("委员会组成"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("换届选举")
        verbose_name_plural = _("换届选举")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gt=F("term_start")), name="election_term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.held_on}"


class InstructorAssignment(models.Model):
    """A party-building instructor assigned to one enterprise for a period."""

    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指导员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructor_assignments",
        help_text=_("排查导入创建的选派记录可暂不指定人员"),
    )
    instructor_name = models.CharField(_("指导员姓名"), max_length=50, blank=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="instructor_assignments"
    )
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("创建批次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("党建指导员选派")
        verbose_name_plural = _("党建指导员选派")
        ordering = ["-start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")), name="assignment_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instructor or self.instructor_name or _('待指定')} → {self.enterprise}"


class InstructorVisit(models.Model):
    assignment = models.ForeignKey(
        InstructorAssignment, verbose_name=_("选派"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"))
    summary = models.TextField(_("工作内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指导员走访")
        verbose_name_plural = _("指导员走访")
        ordering = ["-visited_on"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.assignment.enterprise}"


class VenueChecklist(models.Model):
    """阵地“六有”, entered by street staff per organization and year."""

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="venue_checklists"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    has_place = models.BooleanField(_("有场所"), default=False)
    has_facilities = models.BooleanField(_("有设施"), default=False)
    has_sign = models.BooleanField(_("有标志"), default=False)
    has_flag = models.BooleanField(_("有党旗"), default=False)
    has_reading = models.BooleanField(_("有书报"), default=False)
    has_rules = models.BooleanField(_("有制度"), default=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(_("检查日期"))

    ITEMS = ("has_place", "has_facilities", "has_sign", "has_flag", "has_reading", "has_rules")

    class Meta:
        verbose_name = _("阵地六有检查")
        verbose_name_plural = _("阵地六有检查")
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="venue_one_per_org_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"

    @property
    def score(self) -> int:
        return sum(1 for item in self.ITEMS if getattr(self, item))


def venue_photo_path(instance: "VenuePhoto", filename: str) -> str:
    name = random_file_name(filename, extensions={"jpg", "png", "gif", "webp", "bmp"})
    return f"venues/{instance.checklist.organization_id}/{instance.checklist_id}/{name}"


class VenuePhoto(models.Model):
    """A photo street staff took as evidence of a 六有 check; sent only by a scoped view."""

    checklist = models.ForeignKey(
        VenueChecklist, verbose_name=_("六有检查"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("照片"), upload_to=venue_photo_path)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("六有检查照片")
        verbose_name_plural = _("六有检查照片")

    def __str__(self) -> str:
        return self.original_name

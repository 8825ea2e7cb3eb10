"""结对 and 两包三定 (DESIGN.md §9): a party side paired with a target, with
定人 (the party side), 定时 (the period) and 定量 (contacts per quarter), and
the visits logged against it.

The eighth kind, 党建指导员联系企业, is not stored here: it stays in
orgs.InstructorAssignment / InstructorVisit (see pairings.selectors), which
the coverage figures, the survey import and its rollback read and write.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.files import random_file_name


class PairingKind(models.TextChoices):
    DEPARTMENT_ENTERPRISE = "department_enterprise", _("部门联企")
    LEADER_AREA = "leader_area", _("领导包片")
    CADRE_POINT = "cadre_point", _("干部包点")
    COMMITTEE_OWNER = "committee_owner", _("委员联系业主")
    MEMBER_CANDIDATE = "member_candidate", _("党员联系发展对象")
    MEMBER_HARDSHIP = "member_hardship", _("党员帮扶困难职工")
    STATION_MOBILE = "station_mobile", _("服务站联系流动党员")
    INSTRUCTOR_ENTERPRISE = "instructor_enterprise", _("党建指导员联系企业")


class SideKind(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    LEADER = "leader", _("领导")
    CADRE = "cadre", _("干部")
    MEMBER = "member", _("党员")
    ORGANIZATION = "organization", _("党组织")
    STATION = "station", _("党群服务站")


class TargetKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    AREA = "area", _("片区")
    OWNER = "owner", _("企业业主")
    CANDIDATE = "candidate", _("发展对象")
    EMPLOYEE = "employee", _("困难职工")
    MOBILE_MEMBER = "mobile_member", _("流动党员")


# Per kind: the party sides it admits and the one target it has.
KIND_SHAPE: dict[str, tuple[frozenset[str], str]] = {
    PairingKind.DEPARTMENT_ENTERPRISE: (frozenset({SideKind.DEPARTMENT, SideKind.ORGANIZATION}), TargetKind.ENTERPRISE),
    PairingKind.LEADER_AREA: (frozenset({SideKind.LEADER}), TargetKind.AREA),
    PairingKind.CADRE_POINT: (frozenset({SideKind.CADRE}), TargetKind.ENTERPRISE),
    PairingKind.COMMITTEE_OWNER: (frozenset({SideKind.MEMBER}), TargetKind.OWNER),
    PairingKind.MEMBER_CANDIDATE: (frozenset({SideKind.MEMBER}), TargetKind.CANDIDATE),
    PairingKind.MEMBER_HARDSHIP: (frozenset({SideKind.MEMBER}), TargetKind.EMPLOYEE),
    PairingKind.STATION_MOBILE: (frozenset({SideKind.STATION}), TargetKind.MOBILE_MEMBER),
    PairingKind.INSTRUCTOR_ENTERPRISE: (frozenset(), TargetKind.ENTERPRISE),
}


class Pairing(models.Model):
    kind = models.CharField(_("结对类型"), max_length=32, choices=PairingKind.choices)
    side_kind = models.CharField(_("联系方类别"), max_length=16, choices=SideKind.choices)
    # The party side: a name (department, service station) or one of the records.
    side_name = models.CharField(_("联系方名称"), max_length=100, blank=True)
    side_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系领导/干部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    side_member = models.ForeignKey(
        "members.Member", verbose_name=_("联系党员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    side_organization = models.ForeignKey(
        "orgs.PartyOrganization",
        verbose_name=_("联系党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The target: an enterprise, a person of an enterprise (by name or on the roster), or the area (street).
    enterprise = models.ForeignKey(
        "orgs.Enterprise", verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_name = models.CharField(_("联系对象姓名"), max_length=50, blank=True)
    target_member = models.ForeignKey(
        "members.Member", verbose_name=_("联系对象"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey("orgs.Region", verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    quota_per_quarter = models.PositiveSmallIntegerField(_("每季度联系次数"), default=1)
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结对联系")
        verbose_name_plural = _("结对联系")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="pairing_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["street", "kind"], name="pairing_street_kind")]

    def __str__(self) -> str:
        return f"{self.side_label} → {self.target_label}"

    @property
    def target_kind(self) -> str:
        return KIND_SHAPE[self.kind][1]

    @property
    def side_label(self) -> str:
        for record in (self.side_user, self.side_member, self.side_organization):
            if record is not None:
                return getattr(record, "display_name", "") or str(record)
        return self.side_name

    @property
    def target_label(self) -> str:
        if self.target_kind == TargetKind.AREA:
            return str(self.street)
        if self.target_kind == TargetKind.ENTERPRISE:
            return str(self.enterprise)
        person = self.target_member.name if self.target_member_id else self.target_name  # type: ignore[union-attr]
        return f"{person}（{self.enterprise}）" if self.enterprise_id else person


class Visit(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("走访")
        PHONE = "phone", _("电话")
        MEETING = "meeting", _("座谈")
        HELP = "help", _("帮办")

    pairing = models.ForeignKey(Pairing, verbose_name=_("结对"), on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("联系日期"))
    kind = models.CharField(_("联系方式"), max_length=8, choices=Kind.choices, default=Kind.VISIT)
    findings = models.TextField(_("了解情况"))
    follow_up = models.TextField(_("后续跟进"), blank=True)
    problem_found = models.BooleanField(_("发现问题"), default=False)
    settled_on = models.DateField(_("问题解决日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("结对联系记录")
        verbose_name_plural = _("结对联系记录")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(settled_on__isnull=True) | (Q(problem_found=True) & Q(settled_on__gte=F("visited_on"))),
                name="visit_settled_after_visit",
            ),
        ]
        indexes = [models.Index(fields=["pairing", "visited_on"], name="visit_pairing_date")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_kind_display()}"


def visit_photo_path(instance: "VisitPhoto", filename: str) -> str:
    # Photos are stored re-encoded as JPEG (activities.services.attachment_prepare).
    name = random_file_name(filename, extensions={"jpg"})
    return f"pairings/{instance.visit.pairing_id}/{instance.visit_id}/{name}"


class VisitPhoto(models.Model):
    """A photo taken on a visit; sent only by a scoped view (core.files.file_response)."""

    visit = models.ForeignKey(Visit, verbose_name=_("联系记录"), on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=visit_photo_path)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联系照片")
        verbose_name_plural = _("联系照片")

    def __str__(self) -> str:
        return self.original_name

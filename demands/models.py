"""党建需求库 (Wenzhou): needs of enterprises, members and employees become
projects of class A (district), B (street) or C (one party organization);
members or organizations claim them (点单), staff check them (跟单), and the
proposer rates the result (满意度), or the project is sent back for 整改 or
exits (退出)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import WorkflowStep
from members.models import Member
from orgs.models import Enterprise, PartyOrganization, Region


class DemandProject(models.Model):
    class Level(models.TextChoices):
        A = "A", _("A类（区县）")
        B = "B", _("B类（街道）")
        C = "C", _("C类（党组织）")

    class State(models.TextChoices):
        OPEN = "open", _("建单")
        CLAIMED = "claimed", _("已认领")
        RECTIFYING = "rectifying", _("整改中")
        COMPLETED = "completed", _("已完成")
        EXITED = "exited", _("已退出")

    class Proposer(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        MEMBER = "member", _("党员")
        EMPLOYEE = "employee", _("职工")

    class Collection(models.TextChoices):
        SOLICITATION = "solicitation", _("征求意见")
        FORUM = "forum", _("座谈")
        POLL = "poll", _("民意测评")

    level = models.CharField(_("类别"), max_length=1, choices=Level.choices)
    # The district of every project; the street of B and C; the organization of C.
    district = models.ForeignKey(Region, verbose_name=_("所属区县"), on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(
        Region, verbose_name=_("所属街道"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demand_projects",
    )
    title = models.CharField(_("项目名称"), max_length=200)
    description = models.TextField(_("需求说明"), blank=True)
    proposer_kind = models.CharField(_("需求提出方"), max_length=12, choices=Proposer.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("提出需求的企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demand_projects",
    )
    collected_by = models.CharField(_("征集方式"), max_length=16, choices=Collection.choices)
    set_up_on = models.DateField(_("建单日期"), default=timezone.localdate)
    target_date = models.DateField(_("计划完成日期"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.OPEN)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rectification_reason = models.TextField(_("整改原因"), blank=True)
    exited_on = models.DateField(_("退出日期"), null=True, blank=True)
    exit_reason = models.TextField(_("退出原因"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("建单人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党建需求项目")
        verbose_name_plural = _("党建需求项目")
        ordering = ["-set_up_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="A") & Q(street__isnull=True) & Q(organization__isnull=True))
                | (Q(level="B") & Q(street__isnull=False) & Q(organization__isnull=True))
                | (Q(level="C") & Q(street__isnull=False) & Q(organization__isnull=False)),
                name="demand_owner_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="demand_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(target_date__gte=models.F("set_up_on")), name="demand_target_after_set_up"
            ),
            models.CheckConstraint(
                condition=~Q(state="completed") | Q(satisfaction__isnull=False, completed_on__isnull=False),
                name="demand_completed_is_rated",
            ),
            models.CheckConstraint(
                condition=~Q(state="exited") | (Q(exited_on__isnull=False) & ~Q(exit_reason="")),
                name="demand_exit_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "level", "state"]),
            models.Index(fields=["street", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.title}"

    @property
    def owner_name(self) -> str:
        if self.organization_id:
            return self.organization.name
        if self.street_id:
            return self.street.name
        return self.district.name

    @property
    def closed(self) -> bool:
        return self.state in (self.State.COMPLETED, self.State.EXITED)

    @property
    def overdue(self) -> bool:
        """Past the target date and neither completed nor exited."""
        return not self.closed and self.target_date < timezone.localdate()


class DemandClaim(models.Model):
    """点单: one member, or an organization collectively (a branch, a party
    group's organization). An alliance's collective claim is a later step."""

    project = models.ForeignKey(
        DemandProject, verbose_name=_("需求项目"), on_delete=models.CASCADE, related_name="claims"
    )
    claimed_on = models.DateField(_("认领日期"))
    member = models.ForeignKey(
        Member, verbose_name=_("认领党员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("集体认领的党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求认领")
        verbose_name_plural = _("需求认领")
        ordering = ["claimed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, organization__isnull=True)
                | Q(member__isnull=True, organization__isnull=False),
                name="demand_claim_one_claimant",
            ),
            models.UniqueConstraint(fields=["project", "member"], name="demand_claim_member_once"),
            models.UniqueConstraint(fields=["project", "organization"], name="demand_claim_organization_once"),
        ]

    def __str__(self) -> str:
        return self.claimant_name

    @property
    def claimant_name(self) -> str:
        return self.member.name if self.member_id else self.organization.name


class DemandCheck(models.Model):
    """跟单: the quarterly check of an A or B project by district staff, a spot check of a C project."""

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("季度跟单")
        SPOT = "spot", _("抽查")

    class Result(models.TextChoices):
        OK = "ok", _("进展正常")
        RECTIFY = "rectify", _("需整改")

    project = models.ForeignKey(
        DemandProject, verbose_name=_("需求项目"), on_delete=models.CASCADE, related_name="checks"
    )
    checked_on = models.DateField(_("检查日期"))
    kind = models.CharField(_("检查方式"), max_length=12, choices=Kind.choices)
    finding = models.TextField(_("检查情况"))
    result = models.CharField(_("检查结论"), max_length=12, choices=Result.choices, default=Result.OK)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求跟单检查")
        verbose_name_plural = _("需求跟单检查")
        ordering = ["-checked_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.get_kind_display()}"


class DemandStep(WorkflowStep):
    """One line of a project's history: who did what, when, with which note."""

    class Action(models.TextChoices):
        SET_UP = "set_up", _("建单")
        CLAIMED = "claimed", _("认领")
        CHECKED = "checked", _("跟单检查")
        SENT_BACK = "sent_back", _("退回整改")
        RECTIFIED = "rectified", _("整改完成")
        COMPLETED = "completed", _("完成评价")
        EXITED = "exited", _("退出")

    project = models.ForeignKey(
        DemandProject, verbose_name=_("需求项目"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta(WorkflowStep.Meta):
        verbose_name = _("需求项目流程记录")
        verbose_name_plural = _("需求项目流程记录")

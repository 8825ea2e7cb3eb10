"""Tables written by the nightly statistics (the stats app): coverage
snapshots, the star-rating scheme (criteria, thresholds, vetoes) with its
results, and warnings. They are declared in orgs, where their migrations
live; the stats app computes and shows them."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import say

from .enterprises import Enterprise
from .organizations import PartyOrganization
from .regions import Region


class CoverageSnapshot(models.Model):
    """Coverage figures for one scope on one date.

    Every node of the region tree has its own rows: the kind is the region's
    kind and the key its id (a province, a city, each district, street and
    park). Industry rows are per region above the streets, keyed
    "<region id>:<section code>" (industry_key). A key is text, as a street's
    always was, so one (kind, key) index serves every read and a row needs no
    column that is empty for most kinds.

    Before regions had levels the district's rows had the empty key and its
    industries the bare code. Those keys are still read for a district at the
    root of the tree (legacy_keys), and the nightly run still writes the empty
    key beside the id while an installation has exactly one district, for
    readers of the old row."""

    class ScopeKind(models.TextChoices):
        PROVINCE = "province", _("全省")
        CITY = "city", _("全市")
        DISTRICT = "district", _("全区")
        STREET = "street", _("街道")
        PARK = "park", _("园区")
        INDUSTRY = "industry", _("行业")

    # The empty key of the single district's rows before regions had levels.
    LEGACY_DISTRICT_KEY = ""

    date = models.DateField(_("日期"))
    scope_kind = models.CharField(_("范围类别"), max_length=16, choices=ScopeKind.choices)
    scope_key = models.CharField(_("范围标识"), max_length=32, help_text=_("区域ID；行业为“区域ID:门类代码”"))
    above_scale_only = models.BooleanField(_("仅规上"), default=False)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    org_covered = models.PositiveIntegerField(_("组织覆盖企业数"), default=0)
    work_covered = models.PositiveIntegerField(_("工作覆盖企业数"), default=0)
    own_org_eligible = models.PositiveIntegerField(_("正式党员≥3企业数"), default=0)
    own_org = models.PositiveIntegerField(_("单独组建企业数"), default=0)
    should_form_not_formed = models.PositiveIntegerField(_("应建未建数"), default=0)
    organizations = models.PositiveIntegerField(_("党组织数"), default=0)
    members_formal = models.PositiveIntegerField(_("正式党员"), default=0)
    members_probationary = models.PositiveIntegerField(_("预备党员"), default=0)
    employees = models.PositiveIntegerField(_("从业人员"), default=0)
    enterprises_without_member = models.PositiveIntegerField(_("无党员企业数"), default=0)
    # 群团 (DESIGN.md §9): enterprises with a union / a league organization;
    # union members and the employees of the union enterprises whose member
    # count the survey gives (the 职工入会率's two sides); league members given.
    union_enterprises = models.PositiveIntegerField(_("已建工会企业数"), default=0)
    union_members = models.PositiveIntegerField(_("工会会员数"), default=0)
    union_member_base = models.PositiveIntegerField(_("建会企业从业人员数（会员数已知）"), default=0)
    league_enterprises = models.PositiveIntegerField(_("已建团组织企业数"), default=0)
    league_members = models.PositiveIntegerField(_("团员数"), default=0)
    details = models.JSONField(_("分类明细"), default=dict, blank=True)

    class Meta:
        verbose_name = _("覆盖率快照")
        verbose_name_plural = _("覆盖率快照")
        constraints = [
            models.UniqueConstraint(
                fields=["date", "scope_kind", "scope_key", "above_scale_only"], name="coverage_one_per_scope_date"
            ),
        ]
        indexes = [models.Index(fields=["scope_kind", "scope_key", "above_scale_only", "-date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.get_scope_kind_display()} {self.scope_key}"

    @staticmethod
    def industry_key(region_id: int, code: str) -> str:
        return f"{region_id}:{code}"

    @staticmethod
    def legacy_keys(region: Region, code: str | None = None) -> list[str]:
        """The keys a district at the root of the tree had before regions had levels."""
        if region.kind != Region.Kind.DISTRICT or region.parent_id is not None:
            return []
        return [code] if code else [CoverageSnapshot.LEGACY_DISTRICT_KEY]

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def org_coverage_rate(self) -> float | None:
        return self._rate(self.org_covered, self.enterprises)

    @property
    def work_coverage_rate(self) -> float | None:
        return self._rate(self.work_covered, self.enterprises)

    @property
    def own_org_rate(self) -> float | None:
        return self._rate(self.own_org, self.own_org_eligible)

    @property
    def union_rate(self) -> float | None:
        """工会建会率: operating enterprises with a union / operating enterprises."""
        return self._rate(self.union_enterprises, self.enterprises)

    @property
    def union_membership_rate(self) -> float | None:
        """职工入会率: union members / employees of the union enterprises that gave their member count."""
        return self._rate(self.union_members, self.union_member_base)

    @property
    def league_rate(self) -> float | None:
        """团组织建立率: operating enterprises with a league organization / operating enterprises."""
        return self._rate(self.league_enterprises, self.enterprises)


# Rule rows loaded with the defaults are in force since this date; a change
# by district staff adds rows from a later date on and keeps the earlier ones.
SCHEME_START = date(2000, 1, 1)


class RatingCriterion(models.Model):
    """One line of the star-rating scheme, in force from `effective_from`
    until the next row of the same code; district staff add rows from a date on."""

    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("分值"))
    description = models.TextField(_("评分说明"), blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    manual = models.BooleanField(_("人工录入"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    effective_from = models.DateField(_("生效日期"), default=SCHEME_START)
    # Whose rule: a district's own, a city's default, or (null) the installation's default.
    region = models.ForeignKey(
        Region, verbose_name=_("适用区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("星级评定指标")
        verbose_name_plural = _("星级评定指标")
        ordering = ["order", "code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], condition=Q(region__isnull=True), name="criterion_one_per_code_date"
            ),
            models.UniqueConstraint(
                fields=["code", "effective_from", "region"],
                condition=Q(region__isnull=False),
                name="criterion_one_per_region_code_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class StarThreshold(models.Model):
    """The lowest score of a star, in force from `effective_from` on."""

    stars = models.PositiveSmallIntegerField(_("星级"))
    min_score = models.DecimalField(_("最低分"), max_digits=5, decimal_places=2)
    effective_from = models.DateField(_("生效日期"), default=SCHEME_START)
    region = models.ForeignKey(
        Region, verbose_name=_("适用区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("星级分数线")
        verbose_name_plural = _("星级分数线")
        ordering = ["-stars", "effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="threshold_stars_1_to_5"),
            models.UniqueConstraint(
                fields=["stars", "effective_from"],
                condition=Q(region__isnull=True),
                name="threshold_one_per_stars_date",
            ),
            models.UniqueConstraint(
                fields=["stars", "effective_from", "region"],
                condition=Q(region__isnull=False),
                name="threshold_one_per_region_stars_date",
            ),
        ]

    def __str__(self) -> str:
        return f"★{self.stars} ≥ {self.min_score}"


class RatingVeto(models.Model):
    """一票否决: a serious violation that caps the year's rating at one star."""

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="vetoes"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.TextField(_("事由"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        verbose_name = _("一票否决")
        verbose_name_plural = _("一票否决")

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class Rating(models.Model):
    """A computed star rating, kept as history; the one in force on a date is
    the latest published on or before it."""

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="ratings"
    )
    year = models.PositiveSmallIntegerField(_("评定年度"))
    computed_on = models.DateField(_("计算日期"))
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)
    computed_stars = models.PositiveSmallIntegerField(_("计算星级"))
    vetoed = models.BooleanField(_("一票否决"), default=False)
    override_stars = models.PositiveSmallIntegerField(_("调整后星级"), null=True, blank=True)
    override_reason = models.TextField(_("调整理由"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调整人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    evidence = models.JSONField(_("得分依据"), default=dict, blank=True)
    next_star_gap = models.JSONField(_("距下一星级差距"), default=list, blank=True)

    class Meta:
        verbose_name = _("星级评定结果")
        verbose_name_plural = _("星级评定结果")
        ordering = ["-computed_on"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "computed_on"], name="rating_one_per_org_date"),
            models.CheckConstraint(
                condition=Q(computed_stars__gte=1) & Q(computed_stars__lte=5), name="rating_stars_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(override_stars__isnull=True) | ~Q(override_reason=""),
                name="rating_override_needs_reason",
            ),
        ]
        # The rating in force is the first row of this index for an organization:
        # one index probe per organization, also when ratings pile up nightly.
        indexes = [models.Index(fields=["organization", "-published_on", "-computed_on"], name="rating_in_force_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.computed_on} ★{self.stars}"

    @property
    def stars(self) -> int:
        return self.override_stars or self.computed_stars


class Alert(models.Model):
    """A warning (预警) raised by the nightly run; named Alert so it never shadows Python's Warning."""

    class Kind(models.TextChoices):
        NO_ACTIVITY_90 = "no_activity_90", _("90天无已审核组织生活")
        MEETINGS_BEHIND = "meetings_behind", _("本季度三会一课滞后")
        TERM_EXPIRING = "term_expiring", _("任期届满或60天内届满")
        NO_SECRETARY = "no_secretary", _("未配备书记")
        SHOULD_FORM = "should_form", _("应建未建")
        SURVEY_MISMATCH = "survey_mismatch", _("排查与台账不一致")
        ONLY_CLOSED = "only_closed", _("所覆盖企业均已停业或注销")
        FUND_WAITING = "fund_waiting", _("公积金申请超10天未处理")
        NO_ENTERPRISE = "no_enterprise", _("党组织未关联企业")
        DATA_QUALITY = "data_quality", _("数据问题")
        DEMAND_OVERDUE = "demand_overdue", _("党建需求项目逾期未完成")
        DEMAND_UNCHECKED = "demand_unchecked", _("党建需求项目超一季度未跟单")
        DUES_ARREARS = "dues_arrears", _("党员欠缴党费")
        TRAINING_DUE = "training_due", _("书记本轮培训周期未参训")

    class Level(models.TextChoices):
        RED = "red", _("红色")
        YELLOW = "yellow", _("黄色")
        BLUE = "blue", _("蓝色")

    class State(models.TextChoices):
        """Where the work on a warning stands (DESIGN.md §10)."""

        OPEN = "open", _("待处理")
        ASSIGNED = "assigned", _("已督办")
        RESPONDED = "responded", _("已反馈")
        CLOSED = "closed", _("已解除")

    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    street = models.ForeignKey(
        Region, verbose_name=_("所属街道"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    subject_key = models.CharField(_("对象标识"), max_length=64, help_text=_("同一问题在多次计算中保持一致的标识"))
    message = models.CharField(_("说明"), max_length=255)
    # The same message as what it means (core.i18n), shown in the reader's language.
    said = models.JSONField(_("说明（按语言显示）"), default=dict, blank=True)
    link = models.CharField(_("处理链接"), max_length=255, blank=True)
    opened_on = models.DateField(_("发出日期"))
    last_seen_on = models.DateField(_("最近确认日期"))
    closed_on = models.DateField(_("解除日期"), null=True, blank=True)
    state = models.CharField(_("办理状态"), max_length=12, choices=State.choices, default=State.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alerts",
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    # Raised one level for being overdue; the nightly refresh keeps it raised.
    escalated = models.BooleanField(_("逾期已升级"), default=False)
    # Closed by the nightly refresh (the condition cleared) rather than by staff.
    closed_by_refresh = models.BooleanField(_("自动解除"), default=False)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["closed_on", "level", "-opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key"], condition=Q(closed_on__isnull=True), name="alert_one_open_per_subject"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the reader's language."""
        return say(self.said) if self.said else self.message

    def overdue_on(self, on: date) -> bool:
        """Past its deadline and not closed."""
        return self.deadline is not None and self.state != self.State.CLOSED and self.deadline < on

    @property
    def overdue(self) -> bool:
        return self.overdue_on(timezone.localdate())

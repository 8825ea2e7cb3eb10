"""The ground floor: users and roles, regions, enterprises and their yearly
surveys, party organizations, instructors, import batches, and the tables the
nightly statistics write (coverage snapshots, ratings, warnings)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.validators import validate_credit_code


class Role(models.TextChoices):
    DISTRICT = "district", _("区两新工委工作人员")
    STREET = "street", _("街道非公党委工作人员")
    SECRETARY = "secretary", _("企业党组织书记")
    INSTRUCTOR = "instructor", _("党建指导员")
    LEADER = "leader", _("领导（只读）")


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Region(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        STREET = "street", _("街道/乡镇")
        COMMUNITY = "community", _("社区/村")
        PARK = "park", _("园区/楼宇/市场")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("区划代码"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="region_unique_root_name"),
            models.CheckConstraint(
                condition=Q(kind="district") | Q(parent__isnull=False), name="region_only_district_is_root"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_parent = {
            self.Kind.STREET: self.Kind.DISTRICT,
            self.Kind.COMMUNITY: self.Kind.STREET,
            self.Kind.PARK: self.Kind.STREET,
        }.get(self.kind)
        if expected_parent and (self.parent is None or self.parent.kind != expected_parent):
            raise ValidationError({"parent": _("上级区域类别不正确")})


class RoleGrant(models.Model):
    """One role a user holds, with the region or organization it applies to."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所辖区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "PartyOrganization",
        verbose_name=_("所在党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_grants",
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="secretary") | Q(organization__isnull=False),
                name="rolegrant_secretary_has_org",
            ),
            models.CheckConstraint(
                condition=~Q(role="street") | Q(region__isnull=False), name="rolegrant_street_has_region"
            ),
            models.UniqueConstraint(fields=["user", "role", "region", "organization"], name="rolegrant_unique"),
        ]

    def __str__(self) -> str:
        target = self.organization or self.region or ""
        return f"{self.user} · {self.get_role_display()} {target}"

    def clean(self) -> None:
        if self.role == Role.SECRETARY and not self.organization_id:
            raise ValidationError({"organization": _("书记角色须指定党组织")})
        if self.role == Role.STREET and not self.region_id:
            raise ValidationError({"region": _("街道工作人员须指定街道")})


class Industry(models.Model):
    """GB/T 4754-2017 sections 门类 A–T, shipped as data."""

    code = models.CharField(_("门类代码"), max_length=1, primary_key=True)
    name = models.CharField(_("门类名称"), max_length=60)

    class Meta:
        verbose_name = _("行业门类")
        verbose_name_plural = _("行业门类")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LegalType(models.TextChoices):
    LLC = "llc", _("有限责任公司")
    JOINT_STOCK = "joint_stock", _("股份有限公司")
    SOLE = "sole", _("个人独资企业")
    PARTNERSHIP = "partnership", _("合伙企业")
    FOREIGN = "foreign", _("外商投资企业")
    HMT = "hmt", _("港澳台投资企业")
    OTHER = "other", _("其他")


class BusinessStatus(models.TextChoices):
    OPERATING = "operating", _("在营")
    SUSPENDED = "suspended", _("停业")
    DEREGISTERED = "deregistered", _("注销")


class FormationMode(models.TextChoices):
    OWN = "own", _("单独组建")
    JOINT = "joint", _("联合组建")
    ATTACHED = "attached", _("挂靠组建")
    DISPATCHED = "dispatched", _("派员组建")


class OrgSetup(models.TextChoices):
    """What the survey says about an enterprise's organization."""

    OWN = "own", _("单独组建")
    JOINT = "joint", _("联合组建")
    ATTACHED = "attached", _("挂靠组建")
    DISPATCHED = "dispatched", _("派员组建")
    NONE = "none", _("未建")


class SurveyFacts(models.Model):
    """The facts of one survey row ("八个清"). Enterprise keeps the latest;
    EnterpriseSurvey freezes them per year. One definition for both."""

    name = models.CharField(_("企业名称"), max_length=200)
    legal_type = models.CharField(_("企业类型"), max_length=16, choices=LegalType.choices, default=LegalType.LLC)
    # Indexed where each table is read (Meta.indexes below), not per column:
    # every index is one more write for each of a survey import's 100,000 rows.
    street = models.ForeignKey(
        Region, verbose_name=_("所属街道"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    park = models.ForeignKey(
        Region,
        verbose_name=_("所属园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("行业门类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    address = models.CharField(_("经营地址"), max_length=255, blank=True)
    status = models.CharField(
        _("经营状态"), max_length=16, choices=BusinessStatus.choices, default=BusinessStatus.OPERATING
    )
    above_scale = models.BooleanField(_("规上企业"), default=False)
    employees = models.PositiveIntegerField(_("从业人员数"), default=0)
    members_total = models.PositiveIntegerField(_("党员总数"), default=0)
    members_formal = models.PositiveIntegerField(_("正式党员数"), default=0)
    members_probationary = models.PositiveIntegerField(_("预备党员数"), default=0)
    owner_name = models.CharField(_("出资人姓名"), max_length=100, blank=True)
    owner_is_member = models.BooleanField(_("出资人是否党员"), default=False)
    org_setup = models.CharField(_("党组织设置情况"), max_length=16, choices=OrgSetup.choices, default=OrgSetup.NONE)
    org_name = models.CharField(_("党组织名称"), max_length=200, blank=True)
    secretary_name = models.CharField(_("党组织书记"), max_length=50, blank=True)
    instructor_assigned = models.BooleanField(_("是否选派党建指导员"), default=False)
    union_established = models.BooleanField(_("是否建立工会"), default=False)
    league_established = models.BooleanField(_("是否建立团组织"), default=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    revenue = models.DecimalField(_("年营业收入(万元)"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        errors = {}
        if self.members_formal + self.members_probationary != self.members_total:
            errors["members_total"] = _("正式党员数与预备党员数之和应等于党员总数")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def fact_field_names(cls) -> list[str]:
        return [f.attname for f in SurveyFacts._meta.get_fields() if f.concrete]

    @staticmethod
    def fact_constraints(prefix: str) -> list[models.BaseConstraint]:
        return [
            models.CheckConstraint(
                condition=Q(members_total=F("members_formal") + F("members_probationary")),
                name=f"{prefix}_members_add_up",
            ),
            models.CheckConstraint(
                condition=Q(revenue__isnull=True) | Q(revenue__gte=0), name=f"{prefix}_revenue_not_negative"
            ),
        ]


class Enterprise(SurveyFacts):
    # Unique by a constraint rather than unique=True, which on PostgreSQL adds
    # a second (pattern-matching) index nobody queries: codes are looked up whole.
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    community = models.ForeignKey(
        Region,
        verbose_name=_("所属社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a partial index below
    )
    latest_survey_year = models.PositiveSmallIntegerField(_("最近排查年度"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("非公企业")
        verbose_name_plural = _("非公企业")
        ordering = ["credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="enterprise_credit_code_unique"),
            *SurveyFacts.fact_constraints("enterprise"),
        ]
        # No index on name: the ledger is looked up by credit code and listed
        # by street; a name index cost a fifth of a 100,000-row import's inserts.
        # Park and community are empty for many firms: those index only the
        # rows that have one (a lookup by park or community still uses them).
        indexes = [
            models.Index(fields=["street", "status"]),
            models.Index(fields=["park"], condition=Q(park__isnull=False), name="enterprise_park_set"),
            models.Index(fields=["community"], condition=Q(community__isnull=False), name="enterprise_community_set"),
            models.Index(fields=["industry"]),
        ]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One survey or roster import: who, when, which file, what it did."""

    class Kind(models.TextChoices):
        SURVEY = "survey", _("年度排查摸底")
        ROSTER = "roster", _("党员名册")

    class Status(models.TextChoices):
        CHECKING = "checking", _("校验中")
        PREVIEW = "preview", _("待确认")
        RUNNING = "running", _("导入中")
        COMMITTED = "committed", _("已导入")
        ROLLED_BACK = "rolled_back", _("已撤销")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    street = models.ForeignKey(
        Region, verbose_name=_("限定街道"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    file_hash = models.CharField(_("文件SHA-256"), max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PREVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("变更"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    not_in_survey = models.PositiveIntegerField(_("本次未出现"), default=0)
    report = models.JSONField(_("报告"), default=dict, blank=True)
    # The uploaded file is kept so the confirm step imports exactly what was previewed.
    source = models.FileField(_("上传文件"), upload_to="imports/%Y/%m/", blank=True)
    strict = models.BooleanField(_("严格模式"), default=False)
    create_streets = models.BooleanField(_("允许新建街道"), default=False)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    progress_note = models.CharField(_("进度说明"), max_length=100, blank=True)
    # What a rollback needs: ids this batch created and the previous values of what it changed.
    undo = models.JSONField(_("撤销信息"), default=dict, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class EnterpriseSurvey(SurveyFacts):
    """The survey facts frozen for one enterprise and one year."""

    # Indexed by the (enterprise, year) unique constraint; the snapshot is
    # otherwise read by year and street (Meta.indexes).
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="surveys", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("排查年度"))
    survey_date = models.DateField(_("统计时点"))
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("导入批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="surveys"
    )

    class Meta:
        verbose_name = _("年度排查记录")
        verbose_name_plural = _("年度排查记录")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="survey_one_per_enterprise_year"),
            *SurveyFacts.fact_constraints("survey"),
        ]
        indexes = [models.Index(fields=["year", "street"])]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


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


# --- Tables written by the nightly statistics (stats/) -----------------


class CoverageSnapshot(models.Model):
    """Coverage figures for one scope on one date."""

    class ScopeKind(models.TextChoices):
        DISTRICT = "district", _("全区")
        STREET = "street", _("街道")
        PARK = "park", _("园区")
        INDUSTRY = "industry", _("行业")

    date = models.DateField(_("日期"))
    scope_kind = models.CharField(_("范围类别"), max_length=16, choices=ScopeKind.choices)
    scope_key = models.CharField(_("范围标识"), max_length=32, help_text=_("区域ID或行业门类代码；全区为空"))
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


class RatingCriterion(models.Model):
    """One line of the star-rating scheme; editable by district staff."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("分值"))
    description = models.TextField(_("评分说明"), blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    manual = models.BooleanField(_("人工录入"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("星级评定指标")
        verbose_name_plural = _("星级评定指标")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class StarThreshold(models.Model):
    stars = models.PositiveSmallIntegerField(_("星级"), unique=True)
    min_score = models.DecimalField(_("最低分"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("星级分数线")
        verbose_name_plural = _("星级分数线")
        ordering = ["-stars"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="threshold_stars_1_to_5"),
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

    class Level(models.TextChoices):
        RED = "red", _("红色")
        YELLOW = "yellow", _("黄色")
        BLUE = "blue", _("蓝色")

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
    link = models.CharField(_("处理链接"), max_length=255, blank=True)
    opened_on = models.DateField(_("发出日期"))
    last_seen_on = models.DateField(_("最近确认日期"))
    closed_on = models.DateField(_("解除日期"), null=True, blank=True)

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
        return self.message

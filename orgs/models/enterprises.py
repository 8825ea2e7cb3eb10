"""Enterprises and their yearly surveys ("八个清"): the choices a survey row
uses, the facts of one row (SurveyFacts), the enterprise ledger that keeps the
latest facts, and the survey frozen per enterprise and year.

FormationMode (how an organization was formed) sits beside OrgSetup, its
survey-side twin that also knows "not formed"."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.masking import mask_phone
from core.validators import validate_credit_code

from .imports import ImportBatch
from .regions import Industry, Region


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


# The longest contact phone kept (the survey's free-form cell is cut to it).
PHONE_MAX_LENGTH = 30


# Optional counts that cannot exceed another count of the same row: (part, whole).
GROUP_COUNT_LIMITS = (
    ("union_members", "employees"),
    ("league_members", "employees"),
    ("managers", "employees"),
    ("managers_party_members", "managers"),
)


def group_count_errors(facts) -> list[tuple[str, str]]:
    """(field, message) for each optional count above the count it is part of
    (工会会员数, 团员数 and 管理人员数 within 从业人员数; 管理人员中党员数 within
    管理人员数, which must then be given). `facts` has the fields as attributes."""
    errors = []
    for part, whole in GROUP_COUNT_LIMITS:
        value, limit = getattr(facts, part), getattr(facts, whole)
        if value is None:
            continue
        if limit is None:
            errors.append(
                (part, _("填写%(part)s时须同时填写%(whole)s") % {"part": _label(part), "whole": _label(whole)})
            )
        elif value > limit:
            errors.append(
                (
                    part,
                    _("%(part)s（%(n)d）不能大于%(whole)s（%(m)d）")
                    % {"part": _label(part), "n": value, "whole": _label(whole), "m": limit},
                )
            )
    return errors


def _label(name: str) -> str:
    return str(SurveyFacts._meta.get_field(name).verbose_name)


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
    # Optional survey columns (群团, 双向进入): empty where the file did not say.
    union_members = models.PositiveIntegerField(_("工会会员数"), null=True, blank=True)
    league_members = models.PositiveIntegerField(_("团员数"), null=True, blank=True)
    managers = models.PositiveIntegerField(_("管理人员数"), null=True, blank=True)
    managers_party_members = models.PositiveIntegerField(_("管理人员中党员数"), null=True, blank=True)
    # Often a person's mobile number (PIPL personal data): encrypted at rest
    # like a member's, shown masked, whole only through the audited reveal.
    # Encrypted values cannot be searched or compared in SQL: nothing filters on it.
    phone = EncryptedTextField(
        _("联系电话"), max_length=PHONE_MAX_LENGTH, blank=True, validators=[MaxLengthValidator(PHONE_MAX_LENGTH)]
    )
    revenue = models.DecimalField(_("年营业收入(万元)"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        errors = {}
        if self.members_formal + self.members_probationary != self.members_total:
            errors["members_total"] = _("正式党员数与预备党员数之和应等于党员总数")
        for name, message in group_count_errors(self):
            errors.setdefault(name, message)
        if errors:
            raise ValidationError(errors)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

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
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{part}__isnull": True}) | Q(**{f"{part}__lte": F(whole)}),
                    name=f"{prefix}_{part}_within_{whole}",
                )
                for part, whole in GROUP_COUNT_LIMITS
            ],
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
    # When it stopped trading (停业) or was deregistered (注销), as staff
    # recorded it between surveys; empty while it trades.
    closed_on = models.DateField(_("停业/注销日期"), null=True, blank=True)
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

    def get_additional_data(self) -> dict | None:
        """The reason an editor gave, stored with the audit entry of the save (django-auditlog asks)."""
        reason = getattr(self, "audit_reason", "")
        return {"reason": reason} if reason else None


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

"""Party members and applicants, their development stages, and the events
through which they move or leave. Nobody is ever deleted."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.masking import mask_id_number, mask_phone
from orgs.models import Enterprise, ImportBatch, PartyOrganization


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FORMAL = "formal", _("正式党员")


# Each stage and the date field that records reaching it, in pipeline order.
STAGE_DATE_FIELDS: list[tuple[str, str]] = [
    (Stage.APPLICANT, "applied_on"),
    (Stage.ACTIVIST, "activist_on"),
    (Stage.CANDIDATE, "candidate_on"),
    (Stage.PROBATIONARY, "probationary_on"),
    (Stage.FORMAL, "formal_on"),
]


def _stage_order_constraints() -> list[models.CheckConstraint]:
    constraints = []
    for (_s1, earlier), (_s2, later) in zip(STAGE_DATE_FIELDS, STAGE_DATE_FIELDS[1:], strict=False):
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{earlier}__isnull": True})
                | Q(**{f"{later}__isnull": True})
                | Q(**{f"{earlier}__lte": F(later)}),
                name=f"member_{earlier}_before_{later}",
            )
        )
    return constraints


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        SUSPENDED = "suspended", _("停止党籍")
        LEFT = "left", _("已离开")

    class Mobility(models.TextChoices):
        NONE = "", _("非流动党员")
        INFLOW = "inflow", _("流入党员")
        OUTFLOW = "outflow", _("流出党员")

    class Education(models.TextChoices):
        BELOW_HIGH = "below_high", _("初中及以下")
        HIGH = "high", _("高中/中专")
        COLLEGE = "college", _("大专")
        BACHELOR = "bachelor", _("本科")
        POSTGRAD = "postgrad", _("研究生")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedTextField(_("身份证号"))
    id_number_index = models.CharField(_("身份证号索引"), max_length=64, unique=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = models.CharField(_("手机号索引"), max_length=64, blank=True, db_index=True, editable=False)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    job = models.CharField(_("职务/岗位"), max_length=100, blank=True)
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("组织关系所在党组织"), on_delete=models.PROTECT, related_name="members"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("工作单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    stage = models.CharField(_("发展阶段"), max_length=16, choices=Stage.choices, default=Stage.FORMAL)
    applied_on = models.DateField(_("递交入党申请日期"), null=True, blank=True)
    activist_on = models.DateField(_("确定积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定发展对象日期"), null=True, blank=True)
    probationary_on = models.DateField(_("接收预备党员日期"), null=True, blank=True)
    formal_on = models.DateField(_("转为正式党员日期"), null=True, blank=True)
    status = models.CharField(_("党籍状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    mobility = models.CharField(_("流动情况"), max_length=8, choices=Mobility.choices, blank=True, default="")
    identity_revealed = models.BooleanField(_("已亮身份"), default=False)
    joined_org_on = models.DateField(_("转入本组织日期"), null=True, blank=True)
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("导入批次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["organization", "name"]
        constraints = [
            *_stage_order_constraints(),
            models.CheckConstraint(
                condition=~Q(stage="formal") | Q(formal_on__isnull=False), name="member_formal_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(stage="probationary") | Q(probationary_on__isnull=False),
                name="member_probationary_has_date",
            ),
            models.CheckConstraint(condition=~Q(status="left") | Q(left_on__isnull=False), name="member_left_has_date"),
        ]
        indexes = [
            models.Index(fields=["organization", "stage", "status"]),
            models.Index(fields=["enterprise", "stage"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        previous_field = None
        for stage, field_name in STAGE_DATE_FIELDS:
            value = getattr(self, field_name)
            if value and value > timezone.localdate():
                errors[field_name] = _("日期不能晚于今天")
            if value and previous_field and getattr(self, previous_field) and getattr(self, previous_field) > value:
                errors[field_name] = _("%(field)s不能早于%(earlier)s") % {
                    "field": self._meta.get_field(field_name).verbose_name,
                    "earlier": self._meta.get_field(previous_field).verbose_name,
                }
            if value:
                previous_field = field_name
            if stage == self.stage and not value:
                errors[field_name] = _("当前发展阶段须填写此日期")
        if errors:
            raise ValidationError(errors)


class MemberEvent(models.Model):
    """A typed change in a member's life in the party: stage reached,
    transfer, mobility, departure. Departures replace deletion."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("建档")
        STAGE = "stage", _("发展阶段变更")
        TRANSFER_IN = "transfer_in", _("转入")
        TRANSFER_OUT = "transfer_out", _("转出")
        MOBILE_IN = "mobile_in", _("流入登记")
        MOBILE_OUT = "mobile_out", _("流出登记")
        REVEALED = "revealed", _("亮身份")
        EXPELLED = "expelled", _("出党")
        SUSPENDED = "suspended", _("停止党籍")
        DECEASED = "deceased", _("死亡")
        LEFT_DISTRICT = "left_district", _("转出本区")

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    happened_on = models.DateField(_("日期"))
    reason = models.TextField(_("原因/说明"), blank=True)
    from_organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("原党组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("新党组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党员变动")
        verbose_name_plural = _("党员变动")
        ordering = ["-happened_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.happened_on}"


class Transfer(models.Model):
    """Moving a member's organizational relationship between two of the
    district's organizations: the sender asks, the receiver confirms."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待接收")
        CONFIRMED = "confirmed", _("已接收")
        REJECTED = "rejected", _("已退回")
        CANCELLED = "cancelled", _("已撤回")

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers")
    from_organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("转出党组织"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("接收党组织"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField(_("转接原因"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organization=F("to_organization")), name="transfer_between_two_orgs"
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="requested"), name="transfer_one_open_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.from_organization} → {self.to_organization}"

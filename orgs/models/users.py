"""Who works in the system: the user account, the five roles of the design
(district and street staff, secretaries, instructors, leaders) and the grants
that tie a role to the region or organization it applies to."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .regions import Region


class Role(models.TextChoices):
    CITY = "city", _("市两新工委工作人员")
    DISTRICT = "district", _("区两新工委工作人员")
    STREET = "street", _("街道非公党委工作人员")
    SECRETARY = "secretary", _("企业党组织书记")
    INSTRUCTOR = "instructor", _("党建指导员")
    LEADER = "leader", _("领导（只读）")


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Set when staff create the account or reset its password: the password
    # was chosen by someone else, so its owner replaces it before anything else.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


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

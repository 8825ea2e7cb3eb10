"""Where things are: the district's regions (district, streets, communities,
parks and buildings) and the GB/T 4754 industry sections enterprises are
classed by."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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


class Industry(models.Model):
    """GB/T 4754-2017 sections 门类 A–T, shipped as data."""

    code = models.CharField(_("门类代码"), max_length=1, primary_key=True)
    name = models.CharField(_("门类名称"), max_length=60)

    class Meta:
        verbose_name = _("行业门类")
        verbose_name_plural = _("行业门类")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The section's name in the reader's language (GB/T 4754 ships both)."""
        if (get_language() or "").startswith("en"):
            from ..reference import industry_names_en

            return industry_names_en().get(self.code, self.name)
        return self.name

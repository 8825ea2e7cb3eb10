"""Where things are: the regions of the installation, one tree (DESIGN.md §8):
province (optional) → city → district/county → street/town → community,
with parks, buildings and markets under a street or a district; and the
GB/T 4754 industry sections enterprises are classed by.

The root is whatever the installation serves: a province, a city or one
district (today's installations). Records hang under streets; whoever holds
a region reaches its whole subtree (orgs/scoping.py)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
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
                condition=Q(kind__in=["province", "city", "district"]) | Q(parent__isnull=False),
                name="region_root_is_province_city_or_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = PARENT_KINDS.get(self.kind, ())
        if self.parent is None:
            if self.kind not in ROOT_KINDS:
                raise ValidationError({"parent": _("上级区域：%(kind)s须有上级") % {"kind": self.get_kind_display()}})
            return
        if self.parent.kind not in allowed:
            raise ValidationError({"parent": _("上级区域类别不正确")})
        # A region may not sit under itself or under one of its own descendants.
        node: Region | None = self.parent
        seen: set[int] = set()
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError({"parent": _("上级区域：不能设为自身或其下级（会形成循环）")})
            if node.pk in seen:
                raise ValidationError({"parent": _("上级区域：不能设为自身或其下级（会形成循环）")})
            seen.add(node.pk)
            node = node.parent

    @property
    def is_district(self) -> bool:
        return self.kind == self.Kind.DISTRICT

    def ancestors(self) -> list["Region"]:
        """The regions above this one, nearest first."""
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def path_up_ids(self) -> list[int]:
        """This region's id and those above it: where a grant reaching it may sit."""
        return [self.pk, *(region.pk for region in self.ancestors())]

    def streets_below(self) -> "models.QuerySet[Region]":
        """The streets in this region's subtree (itself, for a street), as one
        query's condition: a street lies at most three levels below a province."""
        if self.kind == self.Kind.STREET:
            return Region.objects.filter(pk=self.pk)
        near = Q(parent=self) | Q(parent__parent=self) | Q(parent__parent__parent=self)
        return Region.objects.filter(near, kind=self.Kind.STREET)

    def district(self) -> "Region | None":
        """The district this region lies in (itself, for a district); None above districts."""
        node: Region | None = self
        while node is not None and node.kind != self.Kind.DISTRICT:
            node = node.parent
        return node


# The kinds a region of each kind may hang under; the kinds that may be a root.
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    Region.Kind.PROVINCE: (),
    Region.Kind.CITY: (Region.Kind.PROVINCE,),
    Region.Kind.DISTRICT: (Region.Kind.CITY,),
    Region.Kind.STREET: (Region.Kind.DISTRICT,),
    Region.Kind.COMMUNITY: (Region.Kind.STREET,),
    Region.Kind.PARK: (Region.Kind.STREET, Region.Kind.DISTRICT),
}
ROOT_KINDS = (Region.Kind.PROVINCE, Region.Kind.CITY, Region.Kind.DISTRICT)
# Kinds above a district, whose staff read many districts.
ABOVE_DISTRICT = (Region.Kind.PROVINCE, Region.Kind.CITY)


def subtree_ids(roots: Iterable[int]) -> set[int]:
    """Every region under the given ones, the given ones included: one query
    per level of the tree (at most five), however many regions it holds."""
    found = set(roots)
    frontier = set(found)
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


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

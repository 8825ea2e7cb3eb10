"""What the user asked a dashboard for: the filters of the URL (date,
street, park, industry, 规上, sort) read by a form like the lists' filter
sets, checked against the user's reach; and the choices the filter bar offers.

Every dashboard page, export and the bulletin start from `dashboard_query`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs import policy
from orgs.models import CoverageSnapshot, Industry, Region
from orgs.scoping import Scope, scope_for
from stats.coverage import ABOVE_STREET, NODE_KINDS
from stats.nodes import node_keys, top_regions

from .drilldown import drilldown_url

if TYPE_CHECKING:
    from orgs.policy import AnyUser


@dataclass
class DashboardQuery:
    """The parsed filter state; everything in it came from the URL."""

    user: AnyUser
    scope: Scope
    date: date
    # The region above the streets whose page this is (a district, a city, a
    # province); None on a street's or park's page, and where the tree has no
    # single root (the whole installation).
    region: Region | None = None
    street: Region | None = None
    park: Region | None = None
    industry: Industry | None = None
    above_scale: bool = False
    sort: str = ""
    notices: list[str] = field(default_factory=list)

    def snapshot_key(self) -> tuple[str, list[str]]:
        """The kind and keys of the rows this page reads (stats.nodes.node_keys)."""
        if self.park is not None:
            return CoverageSnapshot.ScopeKind.PARK, [str(self.park.pk)]
        if self.street is not None:
            return CoverageSnapshot.ScopeKind.STREET, [str(self.street.pk)]
        return node_keys(self.region, self.industry)

    @property
    def below_root(self) -> Region | None:
        """The region of the page when it is not the root of the tree: what
        narrows the panels and the drill-downs, and what the links carry."""
        if self.street is None and self.region is not None and self.region.parent_id is not None:
            return self.region
        return None

    @property
    def up(self) -> Region | None:
        """The region one level up that the user reaches, for the link back:
        a park's street, a street's district, a district's city."""
        if self.park is not None and self.street is not None:
            return self.street
        node = self.park or self.street or self.region
        parent = node.parent if node is not None else None
        if parent is None or parent.kind not in ABOVE_STREET:
            return None
        if self.scope.everything or parent.pk in self.scope.region_ids:
            return parent
        return None

    def params(self, **overrides: object) -> dict[str, str]:
        values = {
            "date": self.date.isoformat() if self.date != timezone.localdate() else "",
            "region": str(self.below_root.pk) if self.below_root else "",
            "street": str(self.street.pk) if self.street else "",
            "park": str(self.park.pk) if self.park else "",
            "industry": self.industry.pk if self.industry else "",
            "above_scale": "1" if self.above_scale else "",
            "sort": self.sort,
        }
        values.update({k: ("" if v is None else str(v)) for k, v in overrides.items()})
        return {k: v for k, v in values.items() if v}

    def querystring(self, **overrides: object) -> str:
        return urlencode(self.params(**overrides))

    def drill(
        self,
        figure: str,
        *,
        on: date,
        street: Region | None = None,
        park: Region | None = None,
        industry: bool = True,
    ) -> str:
        """The list behind a figure under this query's filters; `industry=False`
        for a figure that counts every industry (the street table's)."""
        return drilldown_url(
            figure,
            date=on,
            region=self.below_root if street is None and park is None else None,
            street=street if street is not None else self.street,
            park=park if park is not None else self.park,
            industry=self.industry if industry else None,
            above_scale=self.above_scale,
        )


OUT_OF_REACH = "out_of_reach"
NO_DASHBOARD = gettext_lazy("统计看板仅向区、街道工作人员和领导开放")
TRUE_FLAGS = ("1", "true", "on", "yes")
FALSE_FLAGS = ("", "0", "false", "off", "no")


class _TextField(forms.Field):
    """A parameter as text, stripped. No validators of its own: what a value
    means is decided by the form's clean_<name>."""

    def to_python(self, value: object) -> str:
        return str(value or "").strip()


class _IdField(forms.Field):
    """A record's id as the URL carries it: a positive whole number, or nothing."""

    def to_python(self, value: object) -> int | None:
        raw = str(value or "").strip()
        if not raw:
            return None
        try:
            pk = int(raw)
        except ValueError:
            pk = 0
        if pk <= 0:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return pk


class _DateField(forms.DateField):
    def to_python(self, value: object) -> date | None:
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(
                _("日期“%(value)s”格式不正确，应为 年-月-日，已显示最新数据。") % {"value": str(value).strip()[:20]},
                code="invalid",
            ) from None


class _FlagField(forms.Field):
    """A yes/no switch as links and check boxes spell it (1, true, on, yes ...)."""

    def to_python(self, value: object) -> bool:
        raw = str(value or "").strip().lower()
        if raw in TRUE_FLAGS:
            return True
        if raw not in FALSE_FLAGS:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return False


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, read the way the lists read theirs
    (orgs/filters.py): a value that does not parse is dropped, and its
    message becomes a notice on the page. A street or park outside the
    user's reach is an error of code OUT_OF_REACH, which `dashboard_query`
    turns into a 404 like any other record outside scope. The field names
    are the URL's parameters."""

    date = _DateField(required=False, input_formats=["%Y-%m-%d"])
    region = _IdField(required=False, error_messages={"invalid": gettext_lazy("区域参数无效，已忽略。")})
    street = _IdField(required=False, error_messages={"invalid": gettext_lazy("街道参数无效，已忽略。")})
    park = _IdField(required=False, error_messages={"invalid": gettext_lazy("园区参数无效，已忽略。")})
    industry = _TextField(required=False)
    above_scale = _FlagField(required=False, error_messages={"invalid": gettext_lazy("规上参数无效，已显示全部企业。")})
    sort = _TextField(required=False)

    def __init__(self, data: Mapping[str, str], *, scope: Scope, today: date) -> None:
        super().__init__(data)
        self.scope = scope
        self.today = today

    def _streets(self) -> QuerySet[Region]:
        return Region.objects.filter(self.scope.regions_q(), kind=Region.Kind.STREET)

    def clean_date(self) -> date | None:
        value = self.cleaned_data["date"]
        if value is not None and value > self.today:
            raise ValidationError(_("所选日期晚于今天，已显示最新数据。"), code="future")
        return value

    def clean_region(self) -> Region | None:
        pk = self.cleaned_data["region"]
        if pk is None:
            return None
        region = Region.objects.filter(self.scope.regions_q(), kind__in=NODE_KINDS, pk=pk).first()
        if region is None:
            raise ValidationError(_("该区域不存在或不在您的管辖范围内"), code=OUT_OF_REACH)
        return region

    def clean_street(self) -> Region | None:
        pk = self.cleaned_data["street"]
        if pk is None:
            return None
        street = self._streets().filter(pk=pk).select_related("parent").first()
        if street is None:
            raise ValidationError(_("该街道不存在或不在您的管辖范围内"), code=OUT_OF_REACH)
        return street

    def clean_park(self) -> Region | None:
        pk = self.cleaned_data["park"]
        if pk is None:
            return None
        parks = Region.objects.filter(self.scope.regions_q(), kind=Region.Kind.PARK, pk=pk).select_related("parent")
        park = parks.first()
        if park is None:
            raise ValidationError(_("该园区不存在或不在您的管辖范围内"), code=OUT_OF_REACH)
        return park

    def clean_industry(self) -> Industry | None:
        raw = self.cleaned_data["industry"].upper()
        if not raw:
            return None
        industry = Industry.objects.filter(pk=raw).first() if len(raw) == 1 else None
        if industry is None:
            raise ValidationError(_("行业门类“%(value)s”不存在，已忽略。") % {"value": raw[:10]}, code="invalid")
        return industry

    def clean_sort(self) -> str:
        # Unknown keys are left to the table, which ignores them.
        return self.cleaned_data["sort"][:30]

    def clean(self) -> dict:
        data = super().clean()
        region, street, park = data.get("region"), data.get("street"), data.get("park")
        # `region` names any node; a street or park asked for that way is read as `street=` or `park=`.
        if region is not None and region.kind == Region.Kind.STREET and street is None:
            street, region = region, None
        elif region is not None and region.kind == Region.Kind.PARK and park is None:
            park, region = region, None
        if region is not None and region.kind in ABOVE_STREET and (street is not None or park is not None):
            # The region picker changed: a street of another region gives way to it.
            inside = region.streets_below().filter(pk=(street or park.parent).pk).exists()
            street, park = (street, park) if inside else (None, None)
        if street is not None or park is not None:
            region = None
        elif region is None and not self.has_error("region", OUT_OF_REACH):
            # Staff land on the highest region they hold: a city, their district.
            tops = top_regions(self.scope)
            region = tops[0] if tops else None
        if region is None and street is None and park is None and not self.scope.everything:
            if not self.has_error("street", OUT_OF_REACH) and not self.has_error("region", OUT_OF_REACH):
                # Street staff land on their own street; with several, the first by name.
                street = self._streets().order_by("name").first()
                if street is None:
                    self.add_error("street", ValidationError(NO_DASHBOARD, code=OUT_OF_REACH))
        if park is not None:
            if street is None:
                street = park.parent if park.parent.kind == Region.Kind.STREET else None
            elif park.parent_id != street.pk:
                self.add_error("park", _("所选园区不属于所选街道，已忽略园区条件。"))
        if data.get("industry") is not None and street is not None:
            # Industry snapshots are district-wide; a street view must not show them.
            self.add_error("industry", _("行业统计按全区计算，街道视图暂不支持按行业筛选，已忽略行业条件。"))
        data["street"] = street
        data["region"] = region
        data["park"] = park if not self.has_error("park") else None
        return data

    def out_of_reach(self) -> str | None:
        """The refusal, when a street or park asked for is outside the user's reach."""
        for name in ("region", "street", "park"):
            for error in self.errors.as_data().get(name, []):
                if error.code == OUT_OF_REACH:
                    return error.messages[0]
        return None

    def notices(self) -> list[str]:
        """What was dropped, and why, in the order of the filter bar."""
        errors = self.errors.as_data()
        return [message for name in self.fields for error in errors.get(name, []) for message in error.messages]


def dashboard_query(*, user: AnyUser, params: Mapping[str, str]) -> DashboardQuery:
    """Read the filters. A value that does not parse is dropped with a
    notice; a street or park outside the user's reach is a 404 like any
    other record outside scope."""
    if not policy.may_view_dashboard(user):
        raise Http404(NO_DASHBOARD)
    scope = scope_for(user)
    today = timezone.localdate()
    form = DashboardFilterForm(params, scope=scope, today=today)
    form.is_valid()
    refusal = form.out_of_reach()
    if refusal is not None:
        raise Http404(refusal)
    data = form.cleaned_data
    return DashboardQuery(
        user=user,
        scope=scope,
        date=data.get("date") or today,
        region=data.get("region"),
        street=data.get("street"),
        park=data.get("park"),
        industry=data.get("industry"),
        above_scale=data.get("above_scale") or False,
        sort=data.get("sort") or "",
        notices=form.notices(),
    )


def filter_options(*, q: DashboardQuery) -> dict:
    """The choices the filter bar offers: the streets and parks in reach, and
    the industries on a district view."""
    streets = Region.objects.filter(q.scope.regions_q(), kind=Region.Kind.STREET).order_by("name")
    parks = Region.objects.filter(q.scope.regions_q(), kind=Region.Kind.PARK).order_by("name")
    if q.street is not None:
        parks = parks.filter(parent=q.street)
    # The district whose streets the street picker offers: the page's, or the street's.
    district = q.region if q.region is not None and q.region.kind == Region.Kind.DISTRICT else None
    if q.street is not None and q.street.parent is not None and q.street.parent.kind == Region.Kind.DISTRICT:
        district = q.street.parent
    if district is not None and district.parent_id is not None:
        streets = streets.filter(parent=district)
    return {
        "regions": region_choices(q=q, selected=district if q.street is not None else q.region),
        "district_page": district is not None and (q.scope.everything or district.pk in q.scope.region_ids),
        "streets": list(streets.values_list("pk", "name")),
        "parks": list(parks.values_list("pk", "name")),
        "industries": [(i.pk, i.label) for i in Industry.objects.all()] if q.street is None else [],
    }


def region_choices(*, q: DashboardQuery, selected: Region | None) -> list[dict]:
    """The regions above the streets the user reaches, a city before its
    districts, for the region picker; empty where there is only one."""
    regions = list(Region.objects.filter(q.scope.regions_q(), kind__in=ABOVE_STREET).order_by("name"))
    if len(regions) < 2:
        return []
    by_parent: dict[int | None, list[Region]] = {}
    for region in regions:
        by_parent.setdefault(region.parent_id, []).append(region)
    known = {r.pk for r in regions}
    choices: list[dict] = []

    def walk(region: Region, depth: int) -> None:
        chosen = selected is not None and selected.pk == region.pk
        choices.append({"pk": region.pk, "label": "\u3000" * depth + region.name, "selected": chosen})
        for child in by_parent.get(region.pk, []):
            walk(child, depth + 1)

    tops = [r for r in regions if r.parent_id not in known]
    for region in sorted(tops, key=lambda r: (ABOVE_STREET.index(r.kind), r.name)):
        walk(region, 0)
    return choices

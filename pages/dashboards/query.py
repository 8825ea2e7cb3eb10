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

from .drilldown import drilldown_url

if TYPE_CHECKING:
    from orgs.policy import AnyUser


@dataclass
class DashboardQuery:
    """The parsed filter state; everything in it came from the URL."""

    user: AnyUser
    scope: Scope
    date: date
    street: Region | None = None
    park: Region | None = None
    industry: Industry | None = None
    above_scale: bool = False
    sort: str = ""
    notices: list[str] = field(default_factory=list)

    def snapshot_key(self) -> tuple[str, str]:
        if self.park is not None:
            return CoverageSnapshot.ScopeKind.PARK, str(self.park.pk)
        if self.street is not None:
            return CoverageSnapshot.ScopeKind.STREET, str(self.street.pk)
        if self.industry is not None:
            return CoverageSnapshot.ScopeKind.INDUSTRY, self.industry.pk
        return CoverageSnapshot.ScopeKind.DISTRICT, ""

    def params(self, **overrides: object) -> dict[str, str]:
        values = {
            "date": self.date.isoformat() if self.date != timezone.localdate() else "",
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

    def clean_street(self) -> Region | None:
        pk = self.cleaned_data["street"]
        if pk is None:
            return None
        street = self._streets().filter(pk=pk).first()
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
        street = data.get("street")
        if street is None and not self.scope.everything and not self.has_error("street", OUT_OF_REACH):
            # Street staff land on their own street; with several, the first by name.
            street = self._streets().order_by("name").first()
            if street is None:
                self.add_error("street", ValidationError(NO_DASHBOARD, code=OUT_OF_REACH))
        park = data.get("park")
        if park is not None:
            if street is None:
                street = park.parent
            elif park.parent_id != street.pk:
                self.add_error("park", _("所选园区不属于所选街道，已忽略园区条件。"))
        if data.get("industry") is not None and street is not None:
            # Industry snapshots are district-wide; a street view must not show them.
            self.add_error("industry", _("行业统计按全区计算，街道视图暂不支持按行业筛选，已忽略行业条件。"))
        data["street"] = street
        return data

    def out_of_reach(self) -> str | None:
        """The refusal, when a street or park asked for is outside the user's reach."""
        for name in ("street", "park"):
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
    return {
        "streets": list(streets.values_list("pk", "name")),
        "parks": list(parks.values_list("pk", "name")),
        "industries": [(i.pk, i.label) for i in Industry.objects.all()] if q.street is None else [],
    }

"""What the user asked a dashboard for: the filters read from the URL (date,
street, park, industry, 规上, sort), checked against the user's reach.

Every dashboard page, export and the bulletin start from `dashboard_query`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import CoverageSnapshot, Industry, Region, Role
from orgs.scoping import Scope, scope_for

from .drilldown import drilldown_url

DASHBOARD_ROLES = (Role.DISTRICT, Role.STREET, Role.LEADER)


@dataclass
class DashboardQuery:
    """The parsed filter state; everything in it came from the URL."""

    scope: Scope
    date: date
    street: Region | None = None
    park: Region | None = None
    industry: Industry | None = None
    above_scale: bool = False
    sort: str = ""
    notices: list[str] = field(default_factory=list)

    @property
    def is_district(self) -> bool:
        return self.street is None

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

    def drill(self, figure: str, *, on: date, street: Region | None = None, park: Region | None = None) -> str:
        return drilldown_url(
            figure,
            date=on,
            street=street if street is not None else self.street,
            park=park if park is not None else self.park,
            industry=self.industry,
            above_scale=self.above_scale,
        )


def _parse_int(raw: str) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def dashboard_query(*, user, params: Mapping[str, str]) -> DashboardQuery:
    """Read the filters. A value that does not parse is dropped with a
    notice; a street or park outside the user's reach is a 404 like any
    other record outside scope."""
    scope = scope_for(user)
    if not scope.has_role(*DASHBOARD_ROLES) or not (scope.everything or scope.street_ids):
        raise Http404(_("统计看板仅向区、街道工作人员和领导开放"))
    today = timezone.localdate()
    q = DashboardQuery(scope=scope, date=today)

    raw_date = (params.get("date") or "").strip()
    if raw_date:
        try:
            q.date = datetime.strptime(raw_date, "%Y-%m-%d").date()
        except ValueError:
            q.notices.append(_("日期“%(value)s”格式不正确，应为 年-月-日，已显示最新数据。") % {"value": raw_date[:20]})
        else:
            if q.date > today:
                q.notices.append(_("所选日期晚于今天，已显示最新数据。"))
                q.date = today

    streets = Region.objects.filter(scope.regions_q(), kind=Region.Kind.STREET)
    raw_street = (params.get("street") or "").strip()
    if raw_street:
        pk = _parse_int(raw_street)
        if pk is None:
            q.notices.append(_("街道参数无效，已忽略。"))
        else:
            q.street = streets.filter(pk=pk).first()
            if q.street is None:
                raise Http404(_("该街道不存在或不在您的管辖范围内"))
    if q.street is None and not scope.everything:
        # Street staff land on their own street; with several, the first by name.
        q.street = streets.order_by("name").first()
        if q.street is None:
            raise Http404(_("统计看板仅向区、街道工作人员和领导开放"))

    raw_park = (params.get("park") or "").strip()
    if raw_park:
        pk = _parse_int(raw_park)
        if pk is None:
            q.notices.append(_("园区参数无效，已忽略。"))
        else:
            park = Region.objects.filter(scope.regions_q(), kind=Region.Kind.PARK, pk=pk).select_related("parent")
            q.park = park.first()
            if q.park is None:
                raise Http404(_("该园区不存在或不在您的管辖范围内"))
            if q.street is None:
                q.street = q.park.parent
            elif q.park.parent_id != q.street.pk:
                q.notices.append(_("所选园区不属于所选街道，已忽略园区条件。"))
                q.park = None

    raw_industry = (params.get("industry") or "").strip().upper()
    if raw_industry:
        q.industry = Industry.objects.filter(pk=raw_industry[:1]).first() if len(raw_industry) == 1 else None
        if q.industry is None:
            q.notices.append(_("行业门类“%(value)s”不存在，已忽略。") % {"value": raw_industry[:10]})
        elif q.street is not None:
            # Industry snapshots are district-wide; a street view must not show them.
            q.notices.append(_("行业统计按全区计算，街道视图暂不支持按行业筛选，已忽略行业条件。"))
            q.industry = None

    raw_scale = (params.get("above_scale") or "").strip().lower()
    if raw_scale in ("1", "true", "on", "yes"):
        q.above_scale = True
    elif raw_scale not in ("", "0", "false", "off", "no"):
        q.notices.append(_("规上参数无效，已显示全部企业。"))

    q.sort = (params.get("sort") or "").strip()[:30]
    return q


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
        "industries": list(Industry.objects.values_list("pk", "name")) if q.street is None else [],
    }

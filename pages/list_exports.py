"""The registry's lists as .xlsx: the columns of the enterprise and
organization lists (and a few facts beside them), one row per record the
list shows under the same filters. Written by core.xlsx, the one writer."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.masking import mask_phone
from orgs.models import Enterprise, PartyOrganization


def enterprise_headers() -> list[str]:
    return [
        _("企业名称"),
        _("统一社会信用代码"),
        _("街道"),
        _("经营状态"),
        _("规上"),
        _("从业人员"),
        _("党员"),
        _("正式党员"),
        _("党组织设置"),
        _("经营地址"),
        _("业主（法定代表人）"),
        _("联系电话"),
        _("年营业收入(万元)"),
    ]


def enterprise_rows(queryset: QuerySet[Enterprise]) -> Iterator[list]:
    yes, no = _("是"), _("否")
    for e in queryset.iterator(chunk_size=2000):
        yield [
            e.name,
            e.credit_code,
            e.street.name if e.street_id else "",
            e.get_status_display(),
            yes if e.above_scale else no,
            e.employees,
            e.members_total,
            e.members_formal,
            e.get_org_setup_display(),
            e.address,
            e.owner_name,
            mask_phone(e.phone),
            e.revenue,
        ]


def organization_headers() -> list[str]:
    return [_("名称"), _("类别"), _("组建方式"), _("街道"), _("上级党组织"), _("书记"), _("任期届满"), _("待完善")]


def organization_rows(queryset: QuerySet[PartyOrganization]) -> Iterator[list]:
    yes, no = _("是"), _("否")
    for o in queryset.iterator(chunk_size=2000):
        yield [
            o.name,
            o.get_org_type_display(),
            o.get_formation_mode_display(),
            o.street.name if o.street_id else "",
            o.parent.name if o.parent_id else "",
            o.secretary_name,
            o.term_end,
            yes if o.needs_completion else no,
        ]

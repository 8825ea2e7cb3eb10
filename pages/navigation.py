"""The menu each role sees. A menu entry is shown when the user holds one of
its roles; the pages themselves still check scope, the menu only guides."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.models import Role
from orgs.scoping import scope_for

STAFF = (Role.DISTRICT, Role.STREET, Role.LEADER)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    roles: tuple[str, ...]


MENU: list[MenuItem] = [
    MenuItem(_("工作台"), "home", (Role.DISTRICT, Role.STREET, Role.SECRETARY, Role.INSTRUCTOR)),
    MenuItem(_("统计看板"), "orgs:dashboard", STAFF),
    MenuItem(_("月通报"), "orgs:bulletin", STAFF),
    MenuItem(_("企业"), "orgs:enterprise_list", (*STAFF, Role.SECRETARY, Role.INSTRUCTOR)),
    MenuItem(_("党组织"), "orgs:organization_list", (*STAFF, Role.SECRETARY)),
    MenuItem(_("排查导入"), "orgs:survey_import", (Role.DISTRICT, Role.STREET)),
    MenuItem(_("覆盖率"), "orgs:stats_coverage", STAFF),
    MenuItem(_("组织生活"), "activities:list", (*STAFF, Role.SECRETARY)),
    MenuItem(_("审核"), "activities:review_queue", (Role.DISTRICT, Role.STREET)),
    MenuItem(_("党员名册"), "members:list", (*STAFF, Role.SECRETARY)),
    MenuItem(_("走访"), "orgs:visit_list", (Role.DISTRICT, Role.STREET, Role.INSTRUCTOR)),
    MenuItem(_("公积金"), "funds:account_list", (*STAFF, Role.SECRETARY)),
    MenuItem(_("提取申请"), "funds:application_list", (*STAFF, Role.SECRETARY)),
    MenuItem(_("公积金审批"), "funds:approval_queue", (Role.DISTRICT, Role.STREET)),
    MenuItem(_("奖补标准"), "funds:star_rules", (Role.DISTRICT,)),
    MenuItem(_("审计日志"), "security:audit_log", (Role.DISTRICT,)),
    MenuItem(_("双因素认证"), "security:otp_setup", (Role.DISTRICT,)),
]


def menu_for(user) -> list[dict]:
    scope = scope_for(user)
    items = []
    for item in MENU:
        if scope.has_role(*item.roles):
            items.append({"label": item.label, "url": reverse(item.url_name), "name": item.url_name})
    if user.is_staff:
        items.append({"label": _("后台管理"), "url": reverse("admin:index"), "name": "admin"})
    return items

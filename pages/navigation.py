"""The menu each role sees. An entry is shown when the policy says the user
may use its page; the pages themselves still check scope and the policy,
the menu only guides."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orgs import policy


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    shown: Callable[[Any], bool]


MENU: list[MenuItem] = [
    MenuItem(_("工作台"), "home", policy.has_workbench),
    MenuItem(_("统计看板"), "orgs:dashboard", policy.may_view_dashboard),
    MenuItem(_("月通报"), "orgs:bulletin", policy.may_view_dashboard),
    MenuItem(_("企业"), "orgs:enterprise_list", policy.may_browse_enterprises),
    MenuItem(_("党组织"), "orgs:organization_list", policy.may_browse_organizations),
    MenuItem(_("预警"), "orgs:warning_list", policy.may_browse_warnings),
    MenuItem(_("排查导入"), "orgs:survey_import", policy.may_use_survey_import),
    MenuItem(_("覆盖率"), "orgs:stats_coverage", policy.may_view_dashboard),
    MenuItem(_("组织生活"), "activities:list", policy.may_browse_organizations),
    MenuItem(_("审核"), "activities:review_queue", policy.may_review_activities),
    MenuItem(_("修改建议"), "orgs:proposal_list", policy.may_browse_proposals),
    MenuItem(_("党员名册"), "members:list", policy.may_browse_organizations),
    MenuItem(_("党费"), "dues:home", policy.may_browse_dues),
    MenuItem(_("需求库"), "demands:list", policy.may_browse_demands),
    MenuItem(_("走访"), "orgs:visit_list", policy.may_browse_visits),
    MenuItem(_("结对联系"), "pairings:list", policy.may_browse_pairings),
    MenuItem(_("六有检查"), "orgs:venue_check_list", policy.may_enter_venue_checks),
    MenuItem(_("党建阵地"), "venues:list", policy.may_browse_venues),
    MenuItem(_("公积金"), "funds:account_list", policy.may_browse_organizations),
    MenuItem(_("产业链联盟"), "alliances:list", policy.may_browse_alliances),
    MenuItem(_("党务工作者"), "people:summary", policy.may_browse_party_workers),
    MenuItem(_("提取申请"), "funds:application_list", policy.may_browse_organizations),
    MenuItem(_("公积金审批"), "funds:approval_queue", lambda user: bool(policy.approval_levels(user))),
    MenuItem(_("奖补标准"), "funds:star_rules", policy.may_set_star_rules),
    MenuItem(_("指导员选派"), "orgs:assignment_list", policy.may_assign_instructors),
    MenuItem(_("用户"), "orgs:user_list", policy.may_browse_users),
    MenuItem(_("星级评定标准"), "orgs:rating_scheme", policy.may_set_rating_scheme),
    MenuItem(_("组织生活规则"), "orgs:compliance_rules", policy.may_set_any_rules),
    MenuItem(_("审计日志"), "security:audit_log", policy.may_read_audit),
    MenuItem(_("双因素认证"), "security:otp_setup", policy.may_enrol_two_factor),
    MenuItem(_("后台管理"), "admin:index", policy.may_use_admin),
]


def menu_for(user: Any) -> list[dict]:
    return [
        {"label": item.label, "url": reverse(item.url_name), "name": item.url_name} for item in MENU if item.shown(user)
    ]

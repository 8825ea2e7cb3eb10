"""Filters of the audit log page and its export."""

from datetime import datetime, time, timedelta

import django_filters as filters
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACTIONS = {"create": LogEntry.Action.CREATE, "update": LogEntry.Action.UPDATE, "delete": LogEntry.Action.DELETE}

EVENT_CHOICES = [
    ("create", _("新增")),
    ("update", _("修改")),
    ("delete", _("删除")),
    ("login", _("登录成功")),
    ("login_failed", _("登录失败")),
    ("logout", _("退出登录")),
    ("member_reveal", _("查看完整证件号/手机号")),
    ("enterprise_phone_reveal", _("查看企业完整联系电话")),
    ("otp_verified", _("双因素验证通过")),
    ("otp_failed", _("双因素验证失败")),
    ("otp_enabled", _("启用双因素认证")),
    ("otp_disabled", _("停用双因素认证")),
    ("token_issued", _("签发API令牌")),
    ("token_refreshed", _("更换API令牌")),
    ("token_revoked", _("吊销API令牌")),
    ("audit_export", _("导出审计日志")),
    ("audit_purged", _("清理过期审计日志")),
    ("role_granted", _("授予角色")),
    ("rating_override", _("调整星级")),
    ("instructor_visit", _("党建指导员走访")),
    ("member_updated", _("修改党员信息")),
    ("member_stage", _("党员发展阶段变更")),
    ("member_import", _("导入党员")),
    ("member_export", _("导出党员")),
    ("transfer_requested", _("发起组织关系转接")),
    ("transfer_confirmed", _("确认组织关系转接")),
    ("transfer_rejected", _("退回组织关系转接")),
    ("transfer_cancelled", _("撤销组织关系转接")),
    ("survey_imported", _("导入年度排查")),
    ("survey_rolled_back", _("撤销排查导入")),
    ("attachment_deleted", _("删除附件")),
    ("activity_created", _("登记组织生活")),
    ("activity_updated", _("修改组织生活")),
    ("activity_submitted", _("提交组织生活审核")),
    ("activity_returned", _("退回组织生活")),
    ("activity_approved", _("审核通过组织生活")),
]
EVENT_LABELS = dict(EVENT_CHOICES)
# Events named with a variable tail (the step or kind), labelled by their head.
EVENT_PREFIX_LABELS = {
    "fund.application.": _("公积金申请流转"),
    "fund.income.": _("公积金收入入账"),
}


def event_label(event: str) -> str:
    """The audit event's name for people; an event without one shows as 其他操作, never as its code."""
    if event in EVENT_LABELS:
        return str(EVENT_LABELS[event])
    for prefix, label in EVENT_PREFIX_LABELS.items():
        if event.startswith(prefix):
            return str(label)
    if event.startswith("member_"):
        from members.models import MemberEvent

        kind = event.removeprefix("member_")
        if kind in MemberEvent.Kind.values:
            return str(_("党员%(kind)s") % {"kind": MemberEvent.Kind(kind).label})
    return str(_("其他操作"))


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditFilter(filters.FilterSet):
    user = filters.CharFilter(method="filter_user", label=_("用户名"))
    date_from = filters.DateFilter(method="filter_from", label=_("起始日期"))
    date_to = filters.DateFilter(method="filter_to", label=_("截止日期"))
    event = filters.ChoiceFilter(choices=EVENT_CHOICES, method="filter_event", label=_("事件"))
    model = filters.ModelChoiceFilter(
        queryset=ContentType.objects.order_by("app_label", "model"), field_name="content_type", label=_("对象类型")
    )

    class Meta:
        model = LogEntry
        fields = ["user", "date_from", "date_to", "event", "model"]

    def filter_user(self, queryset, name, value):
        # Failed logins have no actor; the attempted username is their object.
        return queryset.filter(actor__username__iexact=value.strip()) | queryset.filter(
            actor__isnull=True, object_repr__iexact=value.strip()
        )

    def filter_from(self, queryset, name, value):
        return queryset.filter(timestamp__gte=_local_midnight(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(timestamp__lt=_local_midnight(value + timedelta(days=1)))

    def filter_event(self, queryset, name, value):
        if value in ACTIONS:
            return queryset.filter(action=ACTIONS[value])
        return queryset.filter(action=LogEntry.Action.ACCESS, additional_data__event=value)

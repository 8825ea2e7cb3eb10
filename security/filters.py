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
]


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

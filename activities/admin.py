from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orgs.admin_base import ReadOnlyAdmin, ReadOnlyInline, ScopedAdmin

from .models import Activity, ActivityStep, Attachment, Attendance, ComplianceExemption, ComplianceRule


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    extra = 0
    # Not the file field itself: its link would point at MEDIA_URL, which
    # serves nothing; the scoped download view sends the file.
    fields = ["kind", "download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("文件"))
    def download(self, obj: Attachment) -> str:
        url = reverse("activities:attachment", args=[obj.activity_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class StepInline(ReadOnlyInline):
    model = ActivityStep
    extra = 0
    fields = ["at", "action", "by", "note"]
    readonly_fields = fields


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    # Read-only: records are filed, corrected and reviewed on the pages and
    # through the API, whose services check the policy and the review status.
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["held_on", "organization", "activity_type", "topic", "attended_count", "due_count", "status"]
    list_filter = ["activity_type", "status"]
    search_fields = ["topic", "organization__name"]
    raw_id_fields = ["organization"]
    date_hierarchy = "held_on"
    inlines = [StepInline, AttendanceInline, AttachmentInline]
    list_select_related = ["organization"]


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(admin.ModelAdmin):
    """A district's own expectation is a row with its region from a date on;
    rows with no region are the defaults (stats.compliance.active_rules)."""

    list_display = ["activity_type", "region", "effective_from", "period", "minimum", "applies_to", "active"]
    list_filter = ["region"]
    list_editable = ["minimum", "active"]


@admin.register(ComplianceExemption)
class ComplianceExemptionAdmin(ScopedAdmin):
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["organization", "activity_type", "period_start", "period_end", "approved_by"]
    raw_id_fields = ["organization"]

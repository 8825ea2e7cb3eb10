from django.contrib import admin

from orgs.admin_base import ReadOnlyAdmin, ReadOnlyInline, ScopedAdmin

from .models import Activity, Attachment, Attendance, ComplianceExemption, ComplianceRule


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    extra = 0


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
    inlines = [AttendanceInline, AttachmentInline]
    list_select_related = ["organization"]


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(admin.ModelAdmin):
    list_display = ["activity_type", "period", "minimum", "applies_to", "active"]
    list_editable = ["minimum", "active"]


@admin.register(ComplianceExemption)
class ComplianceExemptionAdmin(ScopedAdmin):
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["organization", "activity_type", "period_start", "period_end", "approved_by"]
    raw_id_fields = ["organization"]

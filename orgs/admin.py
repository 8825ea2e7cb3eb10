from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_base import MaskedPhoneAdmin, ReadOnlyAdmin, ReadOnlyInline, ScopedAdmin
from .models import (
    Alert,
    AlertStep,
    ChangeProposal,
    CoverageSnapshot,
    EnterpriseSurvey,
    ImportBatch,
    Industry,
    InstructorAssignment,
    InstructorVisit,
    PartyOrganization,
    Rating,
    RatingCriterion,
    RatingVeto,
    Region,
    RoleGrant,
    StarThreshold,
    User,
    VenueChecklist,
)

admin.site.site_header = _("两新组织党建工作管理平台")
admin.site.site_title = _("两新党建管理")
admin.site.index_title = _("数据管理")


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["region", "organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleGrantInline]
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("显示"), {"fields": ["display_name"]}))


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    scope_q_name = "regions_q"
    list_display = ["name", "kind", "parent", "code"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(EnterpriseSurvey)
class EnterpriseSurveyAdmin(MaskedPhoneAdmin, ReadOnlyAdmin):
    scope_q_name = "enterprises_q"
    scope_path = "enterprise"
    list_display = ["year", "name", "street", "status", "members_total", "org_setup", "batch"]
    list_filter = ["year", "status", "org_setup"]
    search_fields = ["enterprise__credit_code", "name"]
    list_select_related = ["street", "batch"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedAdmin):
    scope_q_name = "organizations_q"
    list_display = ["name", "org_type", "formation_mode", "street", "secretary_name", "term_end", "needs_completion"]
    list_filter = ["org_type", "formation_mode", "needs_completion", "street"]
    search_fields = ["name", "secretary_name"]
    raw_id_fields = ["parent", "street", "park"]
    autocomplete_fields = ["enterprises"]
    list_select_related = ["street"]


@admin.register(InstructorAssignment)
class InstructorAssignmentAdmin(ScopedAdmin):
    scope_q_name = "enterprises_q"
    scope_path = "enterprise"
    list_display = ["enterprise", "instructor", "instructor_name", "start_on", "end_on"]
    raw_id_fields = ["enterprise", "instructor"]
    list_select_related = ["enterprise", "instructor"]


@admin.register(InstructorVisit)
class InstructorVisitAdmin(ReadOnlyAdmin):
    # Visits are logged by the instructor on the visits page (orgs.services).
    scope_q_name = "enterprises_q"
    scope_path = "assignment__enterprise"
    list_display = ["visited_on", "assignment", "created_by"]
    raw_id_fields = ["assignment"]


@admin.register(VenueChecklist)
class VenueChecklistAdmin(ScopedAdmin):
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["organization", "year", "score", "checked_on"]
    raw_id_fields = ["organization"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    # The rollback data can hold 100,000 ids; it is for the service, not for
    # reading. The uploaded file and the stored report are served nowhere
    # (no MEDIA_URL route); the batch page offers the report.
    exclude = ["undo", "undo_file", "source", "details"]
    list_display = ["created_at", "kind", "year", "file_name", "status", "rows", "created", "updated", "rejected"]
    list_filter = ["kind", "status", "year"]
    scope_q_name = "streets_q"
    scope_path = "street"


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["date", "scope_kind", "scope_key", "above_scale_only", "enterprises", "org_covered", "work_covered"]
    list_filter = ["scope_kind", "above_scale_only", "date"]


# The scheme changes on its page (stats: 星级评定标准), validated and from a
# date on with a preview; here its rows, history included, are only read.
@admin.register(RatingCriterion)
class RatingCriterionAdmin(ReadOnlyAdmin):
    list_display = ["order", "name", "code", "weight", "manual", "active", "effective_from"]
    list_filter = ["effective_from"]


@admin.register(StarThreshold)
class StarThresholdAdmin(ReadOnlyAdmin):
    list_display = ["stars", "min_score", "effective_from"]
    list_filter = ["effective_from"]


@admin.register(RatingVeto)
class RatingVetoAdmin(ScopedAdmin):
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["organization", "year", "entered_by", "entered_at", "revoked_at"]
    raw_id_fields = ["organization"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["organization", "year", "computed_on", "score", "computed_stars", "override_stars", "published_on"]
    list_filter = ["year", "computed_stars"]
    list_select_related = ["organization"]


class AlertStepInline(ReadOnlyInline):
    model = AlertStep
    fields = ["at", "action", "by", "assignee", "deadline", "note", "from_state", "evidence_name", "on"]
    readonly_fields = fields


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Warnings as they are worked (DESIGN.md §10): state, assignee, deadline, escalation and each step."""

    list_display = ["opened_on", "kind", "level", "street", "message", "state", "assignee", "deadline", "closed_on"]
    list_filter = ["kind", "level", "state", "escalated", "closed_by_refresh", "closed_on"]
    list_select_related = ["street", "assignee"]
    search_fields = ["message"]
    inlines = [AlertStepInline]
    scope_q_name = "streets_q"
    scope_path = "street"


@admin.register(ChangeProposal)
class ChangeProposalAdmin(ReadOnlyAdmin):
    """Secretaries' proposed changes and their outcome (decided in the pages)."""

    list_display = ["proposed_at", "organization", "enterprise", "proposed_by", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["organization", "enterprise", "proposed_by", "decided_by"]
    scope_q_name = "proposals_q"

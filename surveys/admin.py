"""The admin's door to the survey import: the enterprise ledger, importable
through the same column mapping and parsers as the upload page."""

from django.contrib import admin
from import_export.admin import ImportExportMixin

from orgs import policy
from orgs.admin_base import MaskedPhoneAdmin, ScopedAdmin
from orgs.models import Enterprise

from .resources import SurveyResource


@admin.register(Enterprise)
class EnterpriseAdmin(ImportExportMixin, MaskedPhoneAdmin, ScopedAdmin):
    """The ledger in the admin: read, exported, and imported through the survey
    resource, whose rows are written by orgs.services like the API's. A
    record is not edited here by hand (the registry pages do that)."""

    resource_classes = [SurveyResource]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_import_permission(self, request) -> bool:
        return super().has_import_permission(request) and policy.may_edit_enterprises(request.user)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    scope_q_name = "enterprises_q"
    list_display = ["credit_code", "name", "street", "status", "above_scale", "employees", "members_total", "org_setup"]
    list_filter = ["status", "above_scale", "org_setup", "street", "industry"]
    search_fields = ["credit_code", "name"]
    list_select_related = ["street"]
    raw_id_fields = ["street", "park", "community"]

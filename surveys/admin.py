"""The admin's door to the survey import: the enterprise ledger, importable
through the same column mapping and parsers as the upload page."""

from django.contrib import admin
from import_export.admin import ImportExportMixin

from orgs.admin_base import ScopedAdmin
from orgs.models import Enterprise

from .resources import SurveyResource


@admin.register(Enterprise)
class EnterpriseAdmin(ImportExportMixin, ScopedAdmin):
    resource_classes = [SurveyResource]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    scope_q_name = "enterprises_q"
    list_display = ["credit_code", "name", "street", "status", "above_scale", "employees", "members_total", "org_setup"]
    list_filter = ["status", "above_scale", "org_setup", "street", "industry"]
    search_fields = ["credit_code", "name"]
    list_select_related = ["street"]
    raw_id_fields = ["street", "park", "community"]

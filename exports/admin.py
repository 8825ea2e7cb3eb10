from django.contrib import admin
from django.http import HttpRequest

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "title", "created_by", "status", "progress", "rows", "queued_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "created_by__username"]
    # The rows are what the creator's scope reached; the admin sees the job, not the file.
    exclude = ["file"]
    readonly_fields = ["created_by", "kind", "params", "attempt", "queued_at", "started_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

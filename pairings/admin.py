from django.contrib import admin

from .models import Pairing, Visit


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["kind", "side_kind", "side_name", "enterprise", "street", "starts_on", "ends_on", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["side_user", "side_member", "side_organization", "enterprise", "target_member", "street"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["pairing", "visited_on", "kind", "problem_found", "settled_on"]
    raw_id_fields = ["pairing", "created_by"]

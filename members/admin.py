from django.contrib import admin

from orgs.admin_base import ReadOnlyAdmin

from .models import Member, MemberEvent, Transfer


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    # Read-only: a member changes through the roster pages and the API, whose
    # services check the policy and record every stage and departure as an event.
    scope_q_name = "organizations_q"
    scope_path = "organization"
    # The admin never shows whole ID numbers or phones; revealing one is a
    # deliberate, audited action on the member page.
    list_display = ["name", "gender", "id_number_masked", "organization", "stage", "status", "mobility"]
    list_filter = ["stage", "status", "mobility", "gender"]
    search_fields = ["name"]
    raw_id_fields = ["organization", "enterprise"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["id_number_masked", "phone_masked"]
    list_select_related = ["organization"]


@admin.register(MemberEvent)
class MemberEventAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "member__organization"
    list_display = ["happened_on", "member", "kind", "reason"]
    list_filter = ["kind"]
    raw_id_fields = ["member", "from_organization", "to_organization"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "from_organization"
    list_display = ["member", "from_organization", "to_organization", "status", "requested_at"]
    list_filter = ["status"]
    raw_id_fields = ["member", "from_organization", "to_organization"]

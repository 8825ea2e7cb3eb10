"""The brackets and the districts' rebate ratios are data kept in the admin
(a change of brackets: close the old row with 失效日期, add a new row from
a date on). Rebates are the job's: visible, never edited."""

from django.contrib import admin

from orgs.admin_base import ReadOnlyAdmin, ScopedAdmin

from .models import Bracket, Rebate, RebateRatio


@admin.register(Bracket)
class BracketAdmin(ScopedAdmin):
    list_display = [
        "category",
        "label",
        "income_above",
        "income_up_to",
        "rate",
        "flat_amount",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["category"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RebateRatio)
class RebateRatioAdmin(ScopedAdmin):
    list_display = ["district", "ratio"]


@admin.register(Rebate)
class RebateAdmin(ReadOnlyAdmin):
    scope_q_name = "organizations_q"
    scope_path = "organization"
    list_display = ["quarter", "organization", "seq", "dues_total", "ratio", "amount", "posted_at"]
    list_filter = ["quarter"]

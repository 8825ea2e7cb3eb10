"""This app's endpoints under /api/v1/ (CONTRACT.md). The member's dues
live here, beside the members' own endpoints, so members/ stays unaware of dues."""

from django.urls import path

from . import apis

urlpatterns = [
    path("members/<int:pk>/dues/", apis.MemberDuesView.as_view(), name="api-member-dues"),
    path("members/<int:pk>/dues/payments/", apis.MemberDuesPaymentView.as_view(), name="api-member-dues-payments"),
    path("dues/summary/", apis.DuesSummaryView.as_view(), name="api-dues-summary"),
]

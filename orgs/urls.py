"""The ground floor's own pages. The `orgs:` namespace also holds pages that
live on higher floors (surveys, stats, pages); config/urls.py puts them
together, so the ground never names a page above it."""

from django.urls import path

from . import account_views, proposal_views, views

urlpatterns = [
    path("visits/", views.visit_list_view, name="visit_list"),
    path("users/", account_views.user_list_view, name="user_list"),
    path("users/export.xlsx", account_views.user_export_view, name="user_export"),
    path("users/new/", account_views.user_create_view, name="user_create"),
    path("users/<int:pk>/", account_views.user_detail_view, name="user_detail"),
    path("users/<int:pk>/grant/", account_views.user_grant_view, name="user_grant"),
    path("users/<int:pk>/grants/<int:grant_id>/revoke/", account_views.user_revoke_view, name="user_revoke"),
    path("users/<int:pk>/password/", account_views.user_password_view, name="user_password"),
    path("users/<int:pk>/name/", account_views.user_name_view, name="user_name"),
    path("users/<int:pk>/active/", account_views.user_active_view, name="user_active"),
    path("assignments/", account_views.assignment_list_view, name="assignment_list"),
    path("assignments/<int:pk>/end/", account_views.assignment_end_view, name="assignment_end"),
    path("venue-checks/", views.venue_check_list_view, name="venue_check_list"),
    path("venue-checks/export.xlsx", views.venue_check_export_view, name="venue_check_export"),
    path("organizations/<int:pk>/venue-check/", views.venue_check_view, name="organization_venue_check"),
    path(
        "organizations/<int:pk>/venue-check/photos/<int:photo_pk>/",
        views.venue_photo_view,
        name="organization_venue_photo",
    ),
    path("organizations/<int:pk>/veto/", views.veto_enter_view, name="organization_veto"),
    path("organizations/<int:pk>/veto/<int:veto_pk>/lift/", views.veto_lift_view, name="organization_veto_lift"),
    path("warnings/", views.warning_list_view, name="warning_list"),
    path("warnings/export.xlsx", views.warning_export_view, name="warning_export"),
    path("warnings/<int:pk>/", views.warning_detail_view, name="warning_detail"),
    path("warnings/<int:pk>/assign/", views.warning_assign_view, name="warning_assign"),
    path("warnings/<int:pk>/respond/", views.warning_respond_view, name="warning_respond"),
    path("warnings/<int:pk>/close/", views.warning_close_view, name="warning_close"),
    path("warnings/<int:pk>/reopen/", views.warning_reopen_view, name="warning_reopen"),
    path("warnings/<int:pk>/evidence/<int:step_pk>/", views.warning_evidence_view, name="warning_evidence"),
    path("rectification/new/", views.rectification_create_view, name="rectification_create"),
    path("rectification-steps/<int:pk>/done/", views.rectification_step_done_view, name="rectification_step_done"),
    path("proposals/", proposal_views.proposal_list_view, name="proposal_list"),
    path("proposals/<int:pk>/", proposal_views.proposal_detail_view, name="proposal_detail"),
    path("proposals/<int:pk>/confirm/", proposal_views.proposal_confirm_view, name="proposal_confirm"),
    path("proposals/<int:pk>/reject/", proposal_views.proposal_reject_view, name="proposal_reject"),
    path("enterprises/<int:pk>/propose/", proposal_views.enterprise_propose_view, name="enterprise_propose"),
    path("organizations/<int:pk>/propose/", proposal_views.organization_propose_view, name="organization_propose"),
]

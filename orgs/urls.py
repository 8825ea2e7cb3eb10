"""The ground floor's own pages. The `orgs:` namespace also holds pages that
live on higher floors (surveys, stats, pages); config/urls.py puts them
together, so the ground never names a page above it."""

from django.urls import path

from . import views

urlpatterns = [
    path("visits/", views.visit_list_view, name="visit_list"),
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
]

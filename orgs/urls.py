"""The ground floor's own pages. The `orgs:` namespace also holds pages that
live on higher floors (surveys, stats, pages); config/urls.py puts them
together, so the ground never names a page above it."""

from django.urls import path

from . import views

urlpatterns = [
    path("visits/", views.visit_list_view, name="visit_list"),
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
]

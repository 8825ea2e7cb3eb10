"""The ground floor's own pages. The `orgs:` namespace also holds pages that
live on higher floors (surveys, stats, pages); config/urls.py puts them
together, so the ground never names a page above it."""

from django.urls import path

from . import views

urlpatterns = [
    path("visits/", views.visit_list_view, name="visit_list"),
]

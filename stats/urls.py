from django.urls import path

from . import views

urlpatterns = [
    path("organizations/<int:pk>/rating/", views.rating_view, name="organization_rating"),
    path("rating-scheme/", views.rating_scheme_view, name="rating_scheme"),
    path("compliance-rules/", views.compliance_rules_view, name="compliance_rules"),
    path("stats/coverage/", views.coverage_view, name="stats_coverage"),
    path("stats/coverage/<slug:figure>/", views.coverage_drilldown_view, name="stats_drilldown"),
    path(
        "stats/coverage/<slug:figure>/export.xlsx",
        views.coverage_drilldown_export_view,
        name="stats_drilldown_export",
    ),
]

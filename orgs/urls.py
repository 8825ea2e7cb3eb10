from django.urls import path

from . import stats_views, views

app_name = "orgs"

urlpatterns = [
    path("enterprises/", views.enterprise_list_view, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail_view, name="enterprise_detail"),
    path("organizations/", views.organization_list_view, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail_view, name="organization_detail"),
    path("stats/ratings/<int:pk>/", stats_views.rating_view, name="stats_rating"),
    path("stats/coverage/", stats_views.coverage_view, name="stats_coverage"),
    path("stats/coverage/<slug:figure>/", stats_views.coverage_drilldown_view, name="stats_drilldown"),
]

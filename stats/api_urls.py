from django.urls import path

from . import apis

urlpatterns = [
    path("stats/coverage/", apis.CoverageView.as_view(), name="api_stats_coverage"),
    path("stats/coverage/children/", apis.ChildCoverageView.as_view(), name="api_stats_coverage_children"),
    path("stats/coverage/streets/", apis.StreetCoverageView.as_view(), name="api_stats_coverage_streets"),
]

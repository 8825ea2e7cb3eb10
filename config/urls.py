from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import orgs.urls
import pages.urls
import stats.urls
import surveys.urls
from pages import home

# One `orgs:` namespace for the registry's pages, whichever floor serves them
# (the names are what templates, tests and bookmarks use).
ORGS_PAGES = [*orgs.urls.urlpatterns, *pages.urls.urlpatterns, *surveys.urls.urlpatterns, *stats.urls.urlpatterns]

# MEDIA_URL has no route, not even under DEBUG: every uploaded file is sent by
# a view that checks its scope first (core.files.file_response).
urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("orgs/", include((ORGS_PAGES, "orgs"))),
    path("members/", include("members.urls")),
    path("activities/", include("activities.urls")),
    path("funds/", include("funds.urls")),
    path("demands/", include("demands.urls")),
    path("alliances/", include("alliances.urls")),
    path("pairings/", include("pairings.urls")),
    path("dues/", include("dues.urls")),
    path("venues/", include("venues.urls")),
    path("people/", include("people.urls")),
    path("exports/", include("exports.urls")),
    path("api/v1/", include("orgs.api_urls")),
    path("api/v1/", include("stats.api_urls")),
    path("api/v1/", include("members.api_urls")),
    path("api/v1/", include("activities.api_urls")),
    path("api/v1/", include("funds.api_urls")),
    path("api/v1/", include("demands.api_urls")),
    path("api/v1/", include("alliances.api_urls")),
    path("api/v1/", include("pairings.api_urls")),
    path("api/v1/", include("dues.api_urls")),
    path("api/v1/", include("venues.api_urls")),
    path("api/v1/", include("people.api_urls")),
    path("api/v1/", include("security.api_urls")),
    path("security/", include("security.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # drf-spectacular's page carries one fixed <style> block; allow exactly it.
        csp_update({"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="swagger-ui",
    ),
]

# Under /api/ an unmatched URL answers in JSON, like every other API error.
handler404 = "core.api.api_aware_not_found"

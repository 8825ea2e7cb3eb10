from django.urls import path

from . import dashboard_views, register_views, views

urlpatterns = [
    path("enterprises/", views.enterprise_list_view, name="enterprise_list"),
    path("enterprises/export.xlsx", views.enterprise_export_view, name="enterprise_export"),
    path("enterprises/<int:pk>/", views.enterprise_detail_view, name="enterprise_detail"),
    path("enterprises/<int:pk>/reveal/", views.enterprise_phone_reveal_view, name="enterprise_phone_reveal"),
    path("organizations/", views.organization_list_view, name="organization_list"),
    path("organizations/export.xlsx", views.organization_export_view, name="organization_export"),
    path("organizations/<int:pk>/", views.organization_detail_view, name="organization_detail"),
    path("dashboard/", dashboard_views.dashboard_view, name="dashboard"),
    path("dashboard/export/<slug:table>.xlsx", dashboard_views.dashboard_export_view, name="dashboard_export"),
    path("dashboard/list/<slug:panel>/", dashboard_views.dashboard_panel_list_view, name="dashboard_list"),
    path("dashboard/bulletin/", dashboard_views.bulletin_view, name="bulletin"),
]

# The register's forms (pages.register_views).
urlpatterns += [
    path("enterprises/<int:pk>/edit/", register_views.enterprise_edit_view, name="enterprise_edit"),
    path("organizations/new/", register_views.organization_create_view, name="organization_create"),
    path("organizations/<int:pk>/edit/", register_views.organization_edit_view, name="organization_edit"),
    path("organizations/<int:pk>/dissolve/", register_views.organization_dissolve_view, name="organization_dissolve"),
    path("organizations/<int:pk>/merge/", register_views.organization_merge_view, name="organization_merge"),
    path("organizations/<int:pk>/election/", register_views.organization_election_view, name="organization_election"),
]

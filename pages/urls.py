from django.urls import path

from . import dashboard_views, views

urlpatterns = [
    path("enterprises/", views.enterprise_list_view, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail_view, name="enterprise_detail"),
    path("enterprises/<int:pk>/reveal/", views.enterprise_phone_reveal_view, name="enterprise_phone_reveal"),
    path("organizations/", views.organization_list_view, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail_view, name="organization_detail"),
    path("dashboard/", dashboard_views.dashboard_view, name="dashboard"),
    path("dashboard/export/<slug:table>.xlsx", dashboard_views.dashboard_export_view, name="dashboard_export"),
    path("dashboard/list/<slug:panel>/", dashboard_views.dashboard_panel_list_view, name="dashboard_list"),
    path("dashboard/bulletin/", dashboard_views.bulletin_view, name="bulletin"),
]

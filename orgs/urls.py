from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("enterprises/", views.enterprise_list_view, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail_view, name="enterprise_detail"),
    path("organizations/", views.organization_list_view, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail_view, name="organization_detail"),
    path("visits/", views.visit_list_view, name="visit_list"),
]

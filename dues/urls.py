from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("summary/", views.summary_view, name="summary"),
    path("summary/export/", views.summary_export_view, name="summary_export"),
    path("template/", views.template_view, name="template"),
    path("organizations/<int:organization_pk>/", views.organization_view, name="organization"),
    path("organizations/<int:organization_pk>/month/", views.month_view, name="month"),
    path("organizations/<int:organization_pk>/import/", views.import_view, name="import"),
    path("members/<int:member_pk>/", views.member_view, name="member"),
    path("members/<int:member_pk>/basis/", views.basis_view, name="member_basis"),
    path("members/<int:member_pk>/pay/", views.pay_view, name="member_pay"),
    path("members/<int:member_pk>/relief/", views.relief_view, name="member_relief"),
]

from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("password/", views.password_change_view, name="password_change"),
    path("otp/setup/", views.otp_setup_view, name="otp_setup"),
    path("otp/disable/", views.otp_disable_view, name="otp_disable"),
    path("otp/verify/", views.otp_verify_view, name="otp_verify"),
    path("audit/", views.audit_log_view, name="audit_log"),
    path("audit/export/", views.audit_export_view, name="audit_export"),
]

from django.urls import path

from . import views

app_name = "pairings"

urlpatterns = [
    path("", views.pairing_list_view, name="list"),
    path("new/", views.pairing_create_view, name="create"),
    path("<int:pk>/", views.pairing_detail_view, name="detail"),
    path("<int:pk>/visits/new/", views.visit_log_view, name="visit_log"),
    path("<int:pk>/active/", views.pairing_active_view, name="active"),
    path("visits/<int:pk>/settle/", views.visit_settle_view, name="visit_settle"),
    path("visits/<int:pk>/photos/<int:photo_pk>/", views.visit_photo_view, name="visit_photo"),
]

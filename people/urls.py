from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.summary_view, name="summary"),
    path("workers/", views.worker_list_view, name="worker_list"),
    path("workers/export/", views.worker_export_view, name="worker_export"),
    path("workers/new/", views.worker_create_view, name="worker_create"),
    path("workers/<int:pk>/", views.worker_detail_view, name="worker_detail"),
    path("workers/<int:pk>/edit/", views.worker_edit_view, name="worker_edit"),
    path("workers/<int:pk>/recommend/", views.worker_recommend_view, name="worker_recommend"),
    path("pool/", views.pool_view, name="pool"),
    path("recommendations/<int:pk>/decide/", views.recommendation_decide_view, name="recommendation_decide"),
    path("trainings/", views.training_list_view, name="training_list"),
    path("trainings/new/", views.training_create_view, name="training_create"),
    path("trainings/<int:pk>/", views.training_detail_view, name="training_detail"),
    path("trainings/<int:pk>/attendees/", views.training_attendees_view, name="training_attendees"),
    path("trainings/<int:pk>/export/", views.training_export_view, name="training_export"),
    path("cross/", views.cross_list_view, name="cross_list"),
    path("cross/<int:organization_pk>/", views.cross_view, name="cross"),
    path("cross/<int:organization_pk>/add/", views.cross_add_view, name="cross_add"),
    path("cross/<int:organization_pk>/managers/", views.managers_set_view, name="managers_set"),
    path("appointments/<int:pk>/remove/", views.appointment_remove_view, name="appointment_remove"),
]

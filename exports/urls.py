from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.export_job_list_view, name="list"),
    path("<int:pk>/", views.export_job_view, name="job"),
    path("<int:pk>/progress/", views.export_job_progress_view, name="progress"),
    path("<int:pk>/retry/", views.export_retry_view, name="retry"),
    path("<int:pk>/download/<str:token>/", views.export_download_view, name="download"),
]

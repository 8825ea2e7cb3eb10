from django.urls import path

from . import views

urlpatterns = [
    path("survey/", views.survey_import_view, name="survey_import"),
    path("survey/template.xlsx", views.survey_template_view, name="survey_template"),
    path("survey/ledger.xlsx", views.survey_ledger_export_view, name="survey_ledger_export"),
    path("survey/batches/<int:pk>/", views.survey_batch_view, name="survey_batch"),
    path("survey/batches/<int:pk>/progress/", views.survey_batch_progress_view, name="survey_batch_progress"),
    path("survey/batches/<int:pk>/confirm/", views.survey_batch_confirm_view, name="survey_batch_confirm"),
    path("survey/batches/<int:pk>/retry/", views.survey_batch_retry_view, name="survey_batch_retry"),
    path("survey/batches/<int:pk>/discard/", views.survey_batch_discard_view, name="survey_batch_discard"),
    path("survey/batches/<int:pk>/rollback/", views.survey_batch_rollback_view, name="survey_batch_rollback"),
    path("survey/batches/<int:pk>/report.xlsx", views.survey_batch_report_view, name="survey_batch_report"),
]

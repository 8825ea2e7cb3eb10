from django.urls import path

from . import dashboard_views, stats_views, views
from .survey import views as survey_views

app_name = "orgs"

urlpatterns = [
    path("enterprises/", views.enterprise_list_view, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail_view, name="enterprise_detail"),
    path("organizations/", views.organization_list_view, name="organization_list"),
    path("organizations/<int:pk>/", views.organization_detail_view, name="organization_detail"),
    path("survey/", survey_views.survey_import_view, name="survey_import"),
    path("survey/template.xlsx", survey_views.survey_template_view, name="survey_template"),
    path("survey/ledger.xlsx", survey_views.survey_ledger_export_view, name="survey_ledger_export"),
    path("survey/batches/<int:pk>/", survey_views.survey_batch_view, name="survey_batch"),
    path("survey/batches/<int:pk>/progress/", survey_views.survey_batch_progress_view, name="survey_batch_progress"),
    path("survey/batches/<int:pk>/confirm/", survey_views.survey_batch_confirm_view, name="survey_batch_confirm"),
    path("survey/batches/<int:pk>/rollback/", survey_views.survey_batch_rollback_view, name="survey_batch_rollback"),
    path(
        "survey/batches/<int:pk>/rejected.xlsx", survey_views.survey_batch_rejected_view, name="survey_batch_rejected"
    ),
    path("organizations/<int:pk>/rating/", stats_views.rating_view, name="organization_rating"),
    path("stats/coverage/", stats_views.coverage_view, name="stats_coverage"),
    path("stats/coverage/<slug:figure>/", stats_views.coverage_drilldown_view, name="stats_drilldown"),
    path("visits/", views.visit_list_view, name="visit_list"),
    path("dashboard/", dashboard_views.dashboard_view, name="dashboard"),
    path("dashboard/export/<slug:table>.xlsx", dashboard_views.dashboard_export_view, name="dashboard_export"),
    path("dashboard/bulletin/", dashboard_views.bulletin_view, name="bulletin"),
]

from django.urls import path

from . import views

app_name = "funds"

urlpatterns = [
    path("", views.account_list_view, name="account_list"),
    path("accounts/<int:pk>/", views.account_detail_view, name="account_detail"),
    path("accounts/<int:pk>/statement.xlsx", views.account_statement_xlsx, name="account_statement_xlsx"),
    path("accounts/<int:pk>/income/", views.account_income_view, name="account_income"),
    path("accounts/<int:account_pk>/apply/", views.application_create_view, name="application_create"),
    path("transactions/<int:pk>/reverse/", views.transaction_reverse_view, name="transaction_reverse"),
    path("applications/", views.application_list_view, name="application_list"),
    path("applications/queue/", views.approval_queue_view, name="approval_queue"),
    path("applications/publicity/", views.publicity_view, name="publicity"),
    path("applications/<int:pk>/", views.application_detail_view, name="application_detail"),
    path("applications/<int:pk>/resubmit/", views.application_resubmit_view, name="application_resubmit"),
    path("applications/<int:pk>/approve/<str:level>/", views.application_approve_view, name="application_approve"),
    path("applications/<int:pk>/return/<str:level>/", views.application_return_view, name="application_return"),
    path("applications/<int:pk>/object/", views.application_object_view, name="application_object"),
    path("applications/<int:pk>/disburse/", views.application_disburse_view, name="application_disburse"),
    path("applications/<int:pk>/settle/", views.application_settle_view, name="application_settle"),
    path("applications/<int:pk>/settlement/approve/", views.settlement_approve_view, name="settlement_approve"),
    path("applications/<int:pk>/settlement/return/", views.settlement_return_view, name="settlement_return"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw_view, name="application_withdraw"),
    path("applications/<int:pk>/receipts/<int:receipt_pk>/", views.receipt_download_view, name="receipt_download"),
    path("objections/<int:pk>/resolve/", views.objection_resolve_view, name="objection_resolve"),
    path("notifications/read/", views.notifications_read_view, name="notifications_read"),
    path("rules/", views.star_rules_view, name="star_rules"),
    path("reports/supervision/", views.supervision_view, name="supervision"),
    path("reports/supervision.xlsx", views.supervision_xlsx_view, name="supervision_xlsx"),
]

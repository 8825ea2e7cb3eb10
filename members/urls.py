from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.member_create_view, name="create"),
    path("export/", views.member_export_view, name="export"),
    path("import/", views.member_import_view, name="import"),
    path("import/template/", views.member_template_view, name="import_template"),
    path("transfers/", views.transfer_list_view, name="transfers"),
    path("transfers/<int:pk>/confirm/", views.transfer_confirm_view, name="transfer_confirm"),
    path("transfers/<int:pk>/reject/", views.transfer_reject_view, name="transfer_reject"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel_view, name="transfer_cancel"),
    path("<int:pk>/", views.member_detail_view, name="detail"),
    path("<int:pk>/edit/", views.member_edit_view, name="edit"),
    path("<int:pk>/reveal/", views.member_reveal_view, name="reveal"),
    path("<int:pk>/advance/", views.member_advance_view, name="advance"),
    path("<int:pk>/event/", views.member_event_view, name="event"),
    path("<int:pk>/transfer/", views.member_transfer_view, name="transfer"),
    path("<int:pk>/transfer/targets/", views.transfer_targets_view, name="transfer_targets"),
]

from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list_view, name="list"),
    path("export.xlsx", views.activity_export_view, name="export"),
    path("new/", views.activity_create_view, name="create"),
    path("attendance-picker/", views.attendance_picker_view, name="attendance_picker"),
    path("review/", views.review_queue_view, name="review_queue"),
    path("<int:pk>/", views.activity_detail_view, name="detail"),
    path("<int:pk>/edit/", views.activity_edit_view, name="edit"),
    path("<int:pk>/submit/", views.activity_submit_view, name="submit"),
    path("<int:pk>/approve/", views.activity_approve_view, name="approve"),
    path("<int:pk>/return/", views.activity_return_view, name="return"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download_view, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete_view, name="attachment_delete"),
]

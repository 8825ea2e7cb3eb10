from django.urls import path

from . import views

app_name = "alliances"

urlpatterns = [
    path("", views.alliance_list_view, name="list"),
    path("new/", views.alliance_create_view, name="create"),
    path("<int:pk>/", views.alliance_detail_view, name="detail"),
    path("<int:pk>/members/", views.member_add_view, name="member_add"),
    path("members/<int:pk>/leave/", views.member_leave_view, name="member_leave"),
    path("<int:pk>/problems/", views.problem_raise_view, name="problem_raise"),
    path("problems/<int:pk>/resolve/", views.problem_resolve_view, name="problem_resolve"),
    path("<int:pk>/activities/", views.joint_activity_view, name="joint_activity"),
]

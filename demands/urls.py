from django.urls import path

from . import views

app_name = "demands"

urlpatterns = [
    path("", views.demand_list_view, name="list"),
    path("new/", views.demand_create_view, name="create"),
    path("<int:pk>/", views.demand_detail_view, name="detail"),
    path("<int:pk>/claim/", views.demand_claim_view, name="claim"),
    path("<int:pk>/check/", views.demand_check_view, name="check"),
    path("<int:pk>/complete/", views.demand_complete_view, name="complete"),
    path("<int:pk>/send-back/", views.demand_send_back_view, name="send_back"),
    path("<int:pk>/rectified/", views.demand_rectified_view, name="rectified"),
    path("<int:pk>/exit/", views.demand_exit_view, name="exit"),
]

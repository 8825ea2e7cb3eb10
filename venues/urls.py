from django.urls import path

from . import views

app_name = "venues"

urlpatterns = [
    path("", views.venue_list_view, name="list"),
    path("new/", views.venue_create_view, name="create"),
    path("<int:pk>/", views.venue_detail_view, name="detail"),
    path("<int:pk>/edit/", views.venue_edit_view, name="edit"),
    path("<int:pk>/shares/", views.share_add_view, name="share_add"),
    path("<int:pk>/book/", views.venue_book_view, name="book"),
    path("bookings/", views.booking_list_view, name="bookings"),
    path("bookings/new/", views.booking_create_view, name="booking_create"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel_view, name="booking_cancel"),
    path("figures/", views.figures_view, name="figures"),
    path("figures/export/", views.figures_export_view, name="figures_export"),
]

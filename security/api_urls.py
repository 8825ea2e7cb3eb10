from django.urls import path

from . import apis

urlpatterns = [
    path("auth/token/", apis.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/refresh/", apis.TokenRefreshView.as_view(), name="api-token-refresh"),
    path("auth/logout/", apis.LogoutView.as_view(), name="api-logout"),
]

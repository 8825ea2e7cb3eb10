from django.urls import path

from . import apis

urlpatterns = [
    path("auth/token/", apis.TokenObtainView.as_view(), name="api-token"),
]

"""This app's endpoints under /api/v1/ (CONTRACT.md)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

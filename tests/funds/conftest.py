import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Receipts are real uploads; keep them out of the working tree.
    settings.MEDIA_ROOT = tmp_path / "media"
    # These tests look at the files on the local disk, whatever storage the environment names.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # A committed import keeps its full report and rollback data in storage.
    settings.MEDIA_ROOT = tmp_path / "media"

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_refuses_to_start_without_debug_and_with_the_development_key():
    result = _run_check({"DEBUG": "off"})
    assert result.returncode != 0
    assert "development key" in result.stderr


def test_starts_with_real_keys_and_debug_off():
    result = _run_check(
        {
            "DEBUG": "off",
            "SECRET_KEY": "a-real-secret-key-for-the-test-" + "x" * 30,
            "FIELD_ENCRYPTION_KEYS": "q2Xr0Qy5c7m4ZV5M1b3t8mI2bC2s0hQ5nR6t9W1xY3A=",
            "BLIND_INDEX_KEY": "another-real-key",
            "ALLOWED_HOSTS": "example.org",
        }
    )
    assert result.returncode == 0, result.stderr


def test_embedded_defaults_without_environment(settings):
    from django.conf import settings as live

    assert live.LANGUAGE_CODE == "zh-hans"
    assert live.TIME_ZONE == "Asia/Shanghai"
    assert live.AUTH_USER_MODEL == "orgs.User"


S3 = {
    "STORAGE_S3_BUCKET": "party-files",
    "STORAGE_S3_ENDPOINT_URL": "http://127.0.0.1:9",
    "STORAGE_S3_ACCESS_KEY": "key",
    "STORAGE_S3_SECRET_KEY": "secret",
    "STORAGE_S3_REGION": "cn-north-1",
}


def test_object_storage_is_switched_on_by_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PROTECTED_MEDIA_REDIRECT")}
    script = (
        "import django; django.setup()\n"
        "from django.core.files.storage import default_storage as s\n"
        "from orgs.models import ImportBatch\n"
        "assert ImportBatch._meta.get_field('source').storage is s\n"
        "options = (s.bucket_name, s.endpoint_url, s.region_name, s.file_overwrite)\n"
        "print(type(s._wrapped).__name__, *options)\n"
        "try:\n    s.path('x')\nexcept NotImplementedError:\n    print('no local path')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, **S3, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    storage, no_path = result.stdout.split("\n")[:2]
    assert storage == "S3Storage party-files http://127.0.0.1:9 cn-north-1 False" and no_path == "no local path"


def test_object_storage_refuses_the_nginx_redirect_over_media_root():
    result = _run_check({**S3, "PROTECTED_MEDIA_REDIRECT": "/protected/"})
    assert result.returncode != 0 and "PROTECTED_MEDIA_REDIRECT" in result.stderr

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

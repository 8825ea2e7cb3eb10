"""Production settings pass `check --deploy`; every page carries a strict
Content-Security-Policy that the templates and vendored scripts live within."""

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    # Only the production-like settings below: nothing from the test run (the
    # browser tests' DJANGO_ALLOW_ASYNC_UNSAFE would be async.E001 here).
    dropped = ("DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        {
            "DEBUG": "off",
            "SECRET_KEY": "prod-like-secret-" + "k7Qz9wX2vB4nM8pL1sD6fG3hJ5" * 2,
            "FIELD_ENCRYPTION_KEYS": "q2Xr0Qy5c7m4ZV5M1b3t8mI2bC2s0hQ5nR6t9W1xY3A=",
            "BLIND_INDEX_KEY": "a-production-blind-index-key",
            "ALLOWED_HOSTS": "dangjian.example.org",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_carry_a_strict_csp(world, login):
    response = login(world.district).get(reverse("orgs:enterprise_list"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_csp_allows_exactly_the_style_htmx_injects():
    source = (ROOT / "static/vendor/htmx-2.0.11/htmx.min.js").read_text()
    # htmx builds its indicator style from the configured class names.
    template = re.search(r"`\.\$\{t\}\{(.*?)\} `\+`\.\$\{n\} \.\$\{t\}, \.\$\{n\}\.\$\{t\}\{(.*?)\}`", source)
    assert template, "htmx's indicator style changed: recompute HTMX_INDICATOR_STYLE_HASH"
    css = (
        f".htmx-indicator{{{template.group(1)}}} "
        f".htmx-request .htmx-indicator, .htmx-request.htmx-indicator{{{template.group(2)}}}"
    )
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert settings.HTMX_INDICATOR_STYLE_HASH == f"'sha256-{digest}'"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_are_inline_free():
    """Every project template, including those added later, keeps to the CSP."""
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted(ROOT.glob("*/templates/**/*.html")):
        text = path.read_text()
        for pattern, what in INLINE:
            if pattern.search(text):
                problems.append(f"{path.relative_to(ROOT)}: {what}")
    assert not problems, problems


def test_api_docs_are_served_without_inline_script(world, login):
    client = login(world.district)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "swagger-ui" in html
    assert client.get("/api/schema/").status_code == 200

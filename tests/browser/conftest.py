"""Playwright (sync API) against pytest-django's live_server, in Debian's
Chromium at a phone's size. Skipped when Chromium is missing, unless
REQUIRE_BROWSER=1 says the run must include them."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("PLAYWRIGHT_ARTIFACTS", "test-artifacts"))
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module", autouse=True)
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls the
    tests make between browser steps are still plain synchronous calls. Allowed
    only while a browser module runs (module scope, so it is in place before the
    module's browser starts and until it closes): the variable must not leak into
    other tests or the subprocesses they start (`check --deploy` flags it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module: its event loop must be gone before the tests
    outside tests/browser run their ORM calls in this thread."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def phone_as(browser, live_server, media):
    """A phone-sized page signed in as `user` (session cookie from the test client)."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def _open(user):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=1, locale="zh-CN", is_mobile=True, has_touch=True
        )
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield _open
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

"""No page prints Python data: every demo role's pages, crawled on a small
seeded district after a nightly run, read as text without a list, a dict,
None or True where a sentence or a dash belongs."""

import re
from html import unescape
from urllib.parse import urldefrag, urlparse

import pytest
from django.core.management import call_command
from django.utils import timezone

from orgs.models import User
from stats.run import compute_stats

ROLES = ("district", "leader", "street", "secretary", "secretary2", "instructor")
# Python's spelling of data; none of it belongs in a Chinese page's text.
RAW = re.compile(r"\['|\{'|\bNone\b|\bTrue\b|\bFalse\b")
SKIP = ("/accounts/logout/", "/admin/", "/api/", "/i18n/", "/static/", "/media/")
PAGE_LIMIT = 80


def page_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"]+)"', html):
        url = urldefrag(unescape(href))[0]
        parsed = urlparse(url)
        if parsed.scheme or parsed.netloc or not url.startswith("/") or url.startswith(SKIP):
            continue
        if "/export" in parsed.path or parsed.path.endswith((".xlsx", ".csv", ".pdf")):
            continue
        found.append(url)
    return found


@pytest.fixture
def seeded(db):
    today = timezone.localdate()
    call_command("seed_demo", "--enterprises", "60", "--seed", "5", "--as-of", today.isoformat())
    compute_stats(on=today)


def test_no_page_shows_python_data(seeded, client):
    # One seeded district for all roles: seeding is the slow part.
    offending = []
    for username in ROLES:
        client.force_login(User.objects.get(username=username))
        offending += crawl(client, username)
    assert not offending, "\n".join(offending)


def crawl(client, username: str) -> list[str]:
    queue, seen, offending = ["/"], set(), []
    # One visit per path and query shape, so a list's pages do not crowd out the rest.
    shapes = set()
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        parsed = urlparse(url)
        shape = (re.sub(r"\d+", "N", parsed.path), tuple(sorted(k.split("=")[0] for k in parsed.query.split("&"))))
        if url in seen or shape in shapes:
            continue
        seen.add(url)
        shapes.add(shape)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.insert(0, response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for match in RAW.finditer(page_text(html)):
            text = page_text(html)
            offending.append(f"{username} {url}: …{text[max(match.start() - 40, 0) : match.end() + 40].strip()}…")
        queue.extend(links(html))
    assert len(seen) > 3, (username, seen)
    return offending

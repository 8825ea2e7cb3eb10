"""Walk the pages a user reaches by following links, as they would, and hand
back the text a person reads on each (what a screen reader would say: text
nodes, titles, placeholders, labels), without scripts or styles.

One page per URL pattern (``/orgs/enterprises/17/`` stands for every
enterprise page), so a walk over a seeded district stays short."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

# What a walk must not follow: leaving, downloads, the admin and the API.
SKIP = ("/logout", "/admin/", "/api/", "/static/", "/media/", "export", "download", ".xlsx", "/i18n/", "/accounts/")
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


@dataclass
class Text:
    """One piece of text as shown, and the language its element declares."""

    text: str
    lang: str | None


@dataclass
class _Page(HTMLParser):
    texts: list[Text] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    _hidden: int = 0
    _langs: list[tuple[str, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def _lang(self) -> str | None:
        return next((lang for _, lang in reversed(self._langs) if lang), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag not in self.VOID:
            self._langs.append((tag, a.get("lang")))
        lang = a.get("lang") or self._lang()
        for name in READ_ATTRIBUTES:
            if a.get(name):
                self.texts.append(Text(a[name] or "", lang))
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.texts.append(Text(a["value"] or "", lang))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1
        for i in range(len(self._langs) - 1, -1, -1):
            if self._langs[i][0] == tag:
                del self._langs[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(Text(data.strip(), self._lang()))


def pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def walk(client, start: str = "/", *, depth: int = 2, limit: int = 150) -> Iterator[tuple[str, list[Text]]]:
    """Yield (url, texts) for every HTML page reached from ``start`` within
    ``depth`` clicks, one page per URL pattern and query-string shape."""
    queue: list[tuple[str, int]] = [(start, 0)]
    patterns: set[str] = set()
    visited = 0
    while queue and visited < limit:
        url, level = queue.pop(0)
        response = client.get(url)
        visited += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        yield url, page.texts
        if level >= depth:
            continue
        for href in page.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or any(s in href for s in SKIP):
                continue
            key = pattern(parts.path) + "?" + "&".join(sorted(re.sub(r"=.*", "", q) for q in parts.query.split("&")))
            if key in patterns:
                continue
            patterns.add(key)
            queue.append((parts.path + (f"?{parts.query}" if parts.query else ""), level + 1))

"""English translation catalog: switching language must show English.

The UI strings use Chinese msgids; locale/en/LC_MESSAGES/django.po holds the
English translations and django.mo is its compiled form.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdfi]|%%|%[sd]")


def _unquote(line):
    return ast.literal_eval(line)


def parse_po(path):
    """Return a list of entries: dicts with msgid, msgid_plural, msgstr (list) and flags."""
    entries = []
    entry = None
    field = None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            field = ("msgid_plural", None)
            entry["msgid_plural"] = _unquote(line[len("msgid_plural ") :])
        elif line.startswith("msgid "):
            field = ("msgid", None)
            entry["msgid"] = _unquote(line[len("msgid ") :])
        elif line.startswith("msgstr["):
            idx = int(line[len("msgstr[") : line.index("]")])
            field = ("msgstr", idx)
            entry["msgstr"][idx] = _unquote(line[line.index("]") + 1 :].strip())
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            entry["msgstr"][0] = _unquote(line[len("msgstr ") :])
        elif line.startswith('"') and field is not None:
            name, idx = field
            if name == "msgstr":
                entry["msgstr"][idx] += _unquote(line)
            else:
                entry[name] += _unquote(line)
    finish()
    return [e for e in entries if e["msgid"] != ""]


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalog():
    assert PO_PATH.exists(), "English catalog is missing"
    assert MO_PATH.exists(), "English catalog is not compiled"
    entries = parse_po(PO_PATH)
    assert len(entries) > 100
    return entries


def test_en_is_a_configured_language():
    assert "en" in dict(settings.LANGUAGES)
    assert Path(settings.BASE_DIR) / "locale" in [Path(p) for p in settings.LOCALE_PATHS]


def test_every_entry_is_translated_and_not_fuzzy(catalog):
    untranslated = [e["msgid"] for e in catalog if not all(s.strip() or s == " " for s in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in catalog if "fuzzy" in e["flags"]]
    assert not untranslated, untranslated[:10]
    assert not fuzzy, fuzzy[:10]
    plural = [e for e in catalog if e["msgid_plural"] is not None]
    for e in plural:
        assert sorted(e["msgstr"]) == [0, 1], e["msgid"]


def test_translations_contain_no_chinese(catalog):
    han = re.compile(r"[\u4e00-\u9fff]")
    leftovers = [(e["msgid"], s) for e in catalog for s in e["msgstr"].values() if han.search(s)]
    # Yes/no import hints quote the Chinese values users literally type.
    leftovers = [pair for pair in leftovers if "是, 否" not in pair[1]]
    assert not leftovers, leftovers[:10]


def test_placeholders_are_preserved(catalog):
    mismatches = []
    for e in catalog:
        sources = {0: e["msgid"]}
        if e["msgid_plural"] is not None:
            sources = {0: e["msgid"], 1: e["msgid_plural"]}
        for idx, translated in e["msgstr"].items():
            src = sources.get(idx, sources[max(sources)])
            if placeholders(src) != placeholders(translated):
                mismatches.append((src, translated))
    assert not mismatches, mismatches[:10]


def test_gettext_returns_english():
    with translation.override("en"):
        assert translation.gettext("登录") == "Log in"
        assert translation.gettext("党建公积金") == "Party-Building Fund"
        msg = translation.gettext("此申请当前不在您的审批环节（当前状态：%(s)s）") % {"s": "X"}
        assert msg == "This application is not currently at your approval step (current status: X)"
        assert translation.ngettext("%(n)s 家", "%(n)s 家", 2) % {"n": 2} == "2 enterprises"
        assert translation.ngettext("%(n)s 家", "%(n)s 家", 1) % {"n": 1} == "1 enterprise"
    with translation.override("zh-hans"):
        assert translation.gettext("登录") == "登录"


@pytest.mark.django_db
def test_login_page_in_english_once_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Log in" in body
    assert "Password" in body
    assert "登录" not in body


@pytest.mark.django_db
def test_login_page_is_chinese_whatever_the_browser_prefers(client):
    # Only the user's explicit choice switches language, not the browser's.
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_set_language_switches_login_page_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Log in" in body

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    body = client.get("/accounts/login/").content.decode()
    assert "登录" in body

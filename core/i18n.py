"""Words written now and read later, in the reader's language.

A warning raised by the nightly run, a notification, a rating's evidence: the
application writes them once, with no one's language in force, and district
staff read them in Chinese or English. So they are stored as what was meant,
a message id and its values, and put into words when shown:

    stored = said(gettext_noop("%(org)s 任期已于%(d)s届满，请及时换届"), org=org.name, d=org.term_end)
    say(stored)          # in the language of the request
    in_chinese(stored)   # for the text column, exports and search

The message ids are the Chinese texts of the catalog, so `gettext_noop` marks
them for extraction and `say` finds their translation. A value may itself be
a stored message (an activity type's label, a period) or a list of them. A
plain string that was stored before this existed is shown through the catalog
when it is a message id as a whole, else as it is.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

Stored = dict[str, Any] | str

# What a list of stored messages is joined with, by default.
LIST_SEPARATOR = gettext_noop("、")


def said(msgid: str, /, **values: Any) -> dict[str, Any]:
    """A message to be put into words later: its id and its values (plain,
    or stored messages themselves)."""
    return {"id": str(msgid), "v": {k: _plain(v) for k, v in values.items()}}


def label(text: Any) -> dict[str, Any]:
    """A label that is a message id as a whole: a choice's label (lazy or
    not), a shipped name."""
    with translation.override("zh-hans"):
        return {"id": str(text), "v": {}}


def listed(items: Iterable[Any], separator: str = LIST_SEPARATOR) -> dict[str, Any]:
    """Stored messages shown one after another."""
    return {"list": [_plain(i) for i in items], "sep": separator}


def say(stored: Stored | None) -> str:
    """The stored message in the language in force."""
    if stored is None or stored == "":
        return ""
    if isinstance(stored, str):
        return gettext(stored)
    if "list" in stored:
        return gettext(stored.get("sep") or LIST_SEPARATOR).join(say(i) for i in stored["list"])
    values = {k: say(v) if isinstance(v, dict) else v for k, v in stored.get("v", {}).items()}
    text = gettext(stored["id"])
    if not values:
        return text
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not take the page down.
        return stored["id"] % values


def in_chinese(stored: Stored | None) -> str:
    with translation.override("zh-hans"):
        return say(stored)


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: dates as ISO text, amounts as text."""
    if isinstance(value, dict) or value is None or isinstance(value, (int, float, bool)):
        return value
    if isinstance(value, (datetime.date, Decimal)):
        return str(value)
    return str(value)

"""The exports the apps offer, by name. Each app registers a builder (in its
AppConfig.ready) that takes the user and the page's filters and answers an
`Export`: the file name, sheet title, headers, the rows and their count.

The builder re-applies the user's scope through the app's own selectors, so
the task that writes a large export rebuilds exactly the rows the page would
have sent, from nothing but the user's id and the filters."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Export:
    filename: str
    title: str
    headers: Sequence[str]
    # Called once, by whoever writes the file: the rows are read then, not when built.
    rows: Callable[[], Iterable[Sequence[Any]]]
    count: Callable[[], int]
    # How core.xlsx.xlsx_stream lays the sheet out.
    freeze: str = "A2"
    text_as_text: bool = False
    header_fill: str = ""


Params = Mapping[str, str]
Builder = Callable[[Any, Params], Export]

BUILDERS: dict[str, Builder] = {}


def register(name: str, builder: Builder) -> None:
    """`builder(user, params)` answers the Export, or raises Http404 /
    PermissionDenied when the user may not have it (the page's own answer)."""
    BUILDERS[name] = builder


def build(kind: str, user: Any, params: Params) -> Export:
    try:
        builder = BUILDERS[kind]
    except KeyError:
        raise Http404(_("没有这种导出")) from None
    return builder(user, params)

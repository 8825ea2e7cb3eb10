"""`{{ value|say }}`: a stored message (core.i18n) in the reader's language;
a list of them joined as the language joins items."""

from django import template
from django.utils.translation import gettext, gettext_noop

from core.i18n import Stored
from core.i18n import say as say_stored

register = template.Library()

ITEM_SEPARATOR = gettext_noop("；")


@register.filter
def say(value: Stored | list | tuple | None) -> str:
    if isinstance(value, (list, tuple)):
        return gettext(ITEM_SEPARATOR).join(say_stored(v) for v in value if v)
    return say_stored(value)

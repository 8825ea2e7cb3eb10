"""Formatting for dashboard figures: rates as percentages, changes with a sign."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def figure(value, is_rate) -> str:
    if value is None:
        return "—"
    return pct(value) if is_rate else intcomma(value)


@register.filter
def change(value, is_rate) -> str:
    """The change since last month: percentage points for rates, counts otherwise."""
    if value is None:
        return ""
    if value == 0:
        return _("持平")
    sign = "+" if value > 0 else "−"
    if is_rate:
        return _("%(sign)s%(v).1f个百分点") % {"sign": sign, "v": abs(value) * 100}
    return f"{sign}{intcomma(abs(value))}"


@register.filter
def trend_class(value, figure_name) -> str:
    """Up is good, except for 应建未建 where up is bad."""
    if not value:
        return "flat"
    good = value > 0
    if figure_name == "should_form":
        good = not good
    return "up" if good else "down"


@register.simple_tag
def dash_url(q, name="orgs:dashboard", **overrides) -> str:
    qs = q.querystring(**overrides)
    url = reverse(name)
    return f"{url}?{qs}" if qs else url


@register.simple_tag
def panel_url(q, panel, **overrides) -> str:
    """The list behind a number of a panel (stars, alerts) under the query's filters."""
    qs = q.querystring(sort="", **overrides)
    return f"{reverse('orgs:dashboard_list', args=[panel])}?{qs}"


@register.simple_tag
def export_url(q, table) -> str:
    qs = q.querystring(sort="")
    url = reverse("orgs:dashboard_export", args=[table])
    return f"{url}?{qs}" if qs else url


@register.filter
def sort_for(q, key) -> str:
    """Clicking a column sorts descending first (the biggest numbers are what
    people look for), clicking again flips it; names sort ascending first."""
    first, second = (key, f"-{key}") if key == "name" else (f"-{key}", key)
    return second if q.sort == first else first


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def stars(n) -> str:
    return "★" * n if n else "—"


@register.filter
def local_link(value) -> str:
    """Warning links are paths inside this site; anything else (another host,
    a javascript: URL) is dropped rather than rendered as a link."""
    value = (value or "").strip()
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return ""

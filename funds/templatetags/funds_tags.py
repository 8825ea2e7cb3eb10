"""Fund boxes other pages include: the dashboards' overview and the home page's to-do list."""

from django import template

from funds.selectors import fund_overview as _fund_overview
from funds.selectors import items_waiting_for

register = template.Library()


@register.inclusion_tag("funds/_overview.html", takes_context=True)
def fund_overview(context) -> dict:
    return {"overview": _fund_overview(user=context["request"].user)}


@register.inclusion_tag("funds/_home.html", takes_context=True)
def fund_home_items(context) -> dict:
    return {"items": items_waiting_for(user=context["request"].user), "csrf_token": context.get("csrf_token")}

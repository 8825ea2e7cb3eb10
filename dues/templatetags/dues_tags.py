from django import template

register = template.Library()


@register.filter
def rate(value):
    """A payment rate as a percentage, or a dash where nothing was due."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def yyyymm(value):
    return f"{value:%Y-%m}" if value else "—"

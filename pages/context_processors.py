from django.conf import settings

from .navigation import menu_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "site_title": settings.SITE_TITLE,
        "district_name": settings.DISTRICT_NAME,
        "nav_items": menu_for(user) if user is not None and user.is_authenticated else [],
    }

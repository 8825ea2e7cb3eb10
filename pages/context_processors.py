from django.conf import settings

from orgs.scoping import scope_for

from .navigation import menu_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "site_title": settings.SITE_TITLE,
        # The committee the user works for (a city's staff see the city's name),
        # else the installation's name.
        "district_name": scope_for(user).committee_name or settings.DISTRICT_NAME,
        "nav_items": menu_for(user) if user is not None and user.is_authenticated else [],
    }

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone, translation
from django.utils.deprecation import MiddlewareMixin


class ChosenLanguageMiddleware(MiddlewareMixin):
    """Chinese unless the user chose English with the header button.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so
    an English-language browser on a government intranet would show a
    half-familiar UI nobody asked for. Only the explicit choice (the language
    cookie set by /i18n/setlang/) switches language here.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# When the session last pushed its expiry on, in seconds since the epoch.
SESSION_TOUCHED_KEY = "_touched"


class SessionTouchMiddleware(MiddlewareMixin):
    """Keeps the idle timeout without writing the session on every request.

    The database session ends SESSION_COOKIE_AGE after its last save. Saving
    it on every request (SESSION_SAVE_EVERY_REQUEST) would make each page a
    write, so none could be served from a read replica; instead the session
    is saved when something changed it, or when its last save is more than
    SESSION_TOUCH_SECONDS old. An idle session still ends SESSION_COOKIE_AGE
    after its last use, give or take that interval. API tokens are renewed
    on the same interval (REST_KNOX MIN_REFRESH_INTERVAL).

    Listed right after SessionMiddleware, so it sees what every other
    middleware and the view did to the session before it is saved.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        session = getattr(request, "session", None)
        if session is None:
            return response
        touched = session.get(SESSION_TOUCHED_KEY)  # loads it: an expired session is empty from here on
        # An empty session is never saved; a key added here would create one for every anonymous visitor.
        if session.is_empty():
            return response
        now = int(timezone.now().timestamp())
        if session.modified or not isinstance(touched, int) or now - touched >= settings.SESSION_TOUCH_SECONDS:
            session[SESSION_TOUCHED_KEY] = now
        return response

import copy
from importlib import import_module

from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import translation


def in_admin(request):
    """Whether a request is for the admin (its address is a setting, ADMIN_URL): the admin's
    language, its private caching and its reads from the primary all follow from it."""
    return request.path_info.startswith("/" + settings.ADMIN_URL)


# The JSON API's address: one for every language (defrel.urls), its records giving both.
API_URL = "api/"


def in_api(request):
    return request.path_info.startswith("/" + API_URL)


def accepted_language(request):
    """The site's language that the request's Accept-Language asks for (Django's own reading
    of the header), else the default. The language cookie is left out: an answer that
    depends on it could not be kept by a proxy, which keys the API's answers on the header
    alone (Vary: Accept-Language, set by the locale middleware)."""
    without_cookies = copy.copy(request)
    without_cookies.COOKIES = {}
    return translation.get_language_from_request(without_cookies)


class JapaneseByDefaultMiddleware:
    """Unprefixed pages are Japanese; the admin follows the language an editor chose with
    the site's language switch (its cookie), never the browser's Accept-Language. The API,
    whose records carry both languages, says its own words (errors, its description) in the
    language a client's Accept-Language asks for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not translation.get_language_from_path(request.path_info):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if in_api(request):
                language = accepted_language(request)
            elif in_admin(request) and chosen in dict(settings.LANGUAGES):
                language = chosen
            else:
                language = settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


NUL = "\x00"


def has_nul(request):
    """Whether the address or a form field holds a NUL character. Only the path, the query
    string and the POSTed form fields are read: files in a multipart body are never scanned
    (the parser has already set them aside), and the body is parsed once, as the view and the
    CSRF check would parse it anyway."""
    if NUL in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or NUL in query:
        return True
    if request.method == "POST":
        return any(NUL in name or any(NUL in value for value in values)
                   for name, values in request.POST.lists())
    return False


class RefuseNulMiddleware:
    """A NUL character in an address or a form is a 400 Bad Request page.

    PostgreSQL refuses NUL in text (SQLite stores it), so a filter, lookup or URL converter
    that passed one on would crash with a 500 on one database only. Django's forms already
    refuse NUL in a CharField; this refuses it everywhere else, once.

    Last in settings.MIDDLEWARE, so the 400 page is in the language of the address (the
    locale middleware) and carries every security header (CSP, X-Frame-Options)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""):
            # Not a key we made, and looking it up would crash on PostgreSQL: a new, empty
            # session, as without the cookie (whose removal the session middleware then sends).
            request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        if has_nul(request):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)

from django.conf import settings
from django.utils import translation


class JapaneseByDefaultMiddleware:
    """Unprefixed pages are Japanese; the admin follows the language an editor chose with
    the site's language switch (its cookie), never the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not translation.get_language_from_path(request.path_info):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            in_admin = request.path_info.startswith("/" + settings.ADMIN_URL)
            language = chosen if in_admin and chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

from django.conf import settings
from django.utils import translation


class JapaneseByDefaultMiddleware:
    """Pages outside the language-prefixed site (the admin) are Japanese unless the editor
    chose English with the language switch; the browser's Accept-Language is not enough."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefixed = translation.get_language_from_path(request.path_info)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not prefixed and not chosen:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)

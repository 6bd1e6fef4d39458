"""The language switch's helper."""
from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def this_page_in(context, lang_code):
    """The address of the page being drawn, in ``lang_code`` (/en/meetings/x/ → /meetings/x/).

    Django's set_language translates ``next`` itself, but it runs under the unprefixed
    Japanese URLs and cannot resolve an /en/… address, so an English page would send the
    reader back to English; the page hands over the translated address instead."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), lang_code)

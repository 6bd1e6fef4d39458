"""The page being drawn in another language: one rule for the language links, the canonical
address and the hreflang alternates."""
from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()

# Open Graph names a locale by language and territory; the English pages are British English.
OPEN_GRAPH_LOCALES = {"ja": "ja_JP", "en": "en_GB"}


def page_in(request, lang_code, *, absolute=False):
    """The address of ``request``'s page in ``lang_code``, query string kept
    (/en/meetings/?country=AU ↔ /meetings/?country=AU); absolute (with scheme and host) for
    the head's links, which crawlers read out of context."""
    here = request.get_full_path()
    path = translate_url(here, lang_code)
    if path == here and lang_code != get_language():
        # No such page (a 404 under /en/…): the front page in that language, not this again.
        path = translate_url("/", lang_code)
    return request.build_absolute_uri(path) if absolute else path


@register.simple_tag(takes_context=True)
def this_page_in(context, lang_code, absolute=False):
    request = context.get("request")
    if request is None:
        return "/"
    return page_in(request, lang_code, absolute=absolute)


@register.simple_tag(takes_context=True)
def page_alternates(context):
    """[(hreflang, absolute address)]: the page in every language of the site, and as
    ``x-default`` the unprefixed default language (Japanese) for readers of any other."""
    request = context.get("request")
    if request is None:
        return []
    alternates = [(code, page_in(request, code, absolute=True)) for code, _name in settings.LANGUAGES]
    return alternates + [("x-default", dict(alternates)[settings.LANGUAGE_CODE])]


@register.simple_tag(takes_context=True)
def open_graph_locales(context):
    """(this page's Open Graph locale, [the other languages' ones])."""
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    return (OPEN_GRAPH_LOCALES[current],
            [OPEN_GRAPH_LOCALES[code] for code, _name in settings.LANGUAGES if code != current])

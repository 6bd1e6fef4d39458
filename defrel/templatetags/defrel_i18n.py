"""The page being drawn in another language: the language link, which keeps the reader's
query string, and one rule for the canonical address, its hreflang alternates and og:url;
and a day as each language reads it."""
import datetime

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.encoding import escape_uri_path
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from defrel import dates, links
from defrel.models import colon, noted, spaced

register = template.Library()


@register.simple_tag
def space():
    """``{% space %}`` between two translated sentences (defrel.models.spaced): the template
    then holds no whitespace of its own between them."""
    return spaced()


@register.simple_tag(name="colon")
def colon_tag():
    """``{% colon %}`` between a name and what is said of it (defrel.models.colon)."""
    return colon()


class NotedNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        # The content is rendered (escaped) HTML; the brackets come from the catalogue.
        return mark_safe(noted(self.nodelist.render(context).strip()))


@register.tag("noted")
def noted_tag(parser, token):
    """``{% noted %}ACSA{% endnoted %}``: what it holds as a note in brackets after the word
    before it (defrel.models.noted), with no whitespace of the template's own before it;
    nothing when it holds nothing (``{% noted %}{{ agreement.short_name }}{% endnoted %}``)."""
    nodelist = parser.parse(("endnoted",))
    parser.delete_first_token()
    return NotedNode(nodelist)


@register.filter
def day(value):
    """{{ day|day }}: a day as the site's dates read (defrel.dates.day_display)."""
    return dates.day_display(value)


@register.filter
def untracked(params):
    """{% querystring request.GET|untracked page=2 %}: a page's link from its own address,
    without the tracking parameters it came with (defrel.links.TRACKING_PARAMETERS)."""
    return links.untracked(params)


@register.filter
def or_here(query):
    """{% querystring … as q %}{{ q|or_here }}: with no parameter left, the page's own address
    ("."), as the facets' links write it (meetings.facets.toggled), not the bare "?" Django's
    tag gives, which a reader would share."""
    return "." if query == "?" else query


# Open Graph names a locale by language and territory; the English pages are British English.
OPEN_GRAPH_LOCALES = {"ja": "ja_JP", "en": "en_GB"}


def page_in(request, lang_code, *, query=None, absolute=False):
    """The address of ``request``'s page in ``lang_code``, its query string kept, or ``query``
    in its place (/en/meetings/?country=AU ↔ /meetings/?country=AU); absolute (with scheme
    and host) for the head's links, which crawlers read out of context."""
    if query is None:
        here = request.get_full_path()
    else:  # escaped as get_full_path() escapes it
        here = escape_uri_path(request.path) + (f"?{query}" if query else "")
    path = translate_url(here, lang_code)
    if path == here and lang_code != get_language():
        # No such page (a 404 under /en/…): the front page in that language, not this again.
        path = translate_url("/", lang_code)
    return request.build_absolute_uri(path) if absolute else path


def canonical_query(form=None, page=None):
    """The query string of the address that stands for a page: on a list, the values its
    ``form`` (its filterset's, or its own) reads, in the form's order, a repeated filter's
    sorted, without empty or invalid ones (the list leaves those out), and ``page`` unless it
    is the first; on any other page none. Tracking parameters (defrel.links.TRACKING_PARAMETERS)
    and values in another order then make no second address of the same page for a search
    engine."""
    if form is None:
        return ""
    params = []
    for name in form.fields:
        if name in form.errors:  # validated already by the view: no query of its own
            continue
        bound = form[name]
        day = getattr(form, "cleaned_data", {}).get(name)  # none for a form not bound
        if isinstance(day, datetime.date):  # one address for a day however typed (20191201)
            params.append((bound.html_name, day.isoformat()))
            continue
        values = bound.data if isinstance(bound.data, (list, tuple)) else [bound.data]
        kept = sorted({str(value) for value in values if value is not None and str(value).strip()})
        params += [(bound.html_name, value) for value in kept]
    if page is not None and page.number > 1:
        params.append(("page", page.number))
    return urlencode(params)


def canonical_in(context, lang_code):
    """The absolute address that stands for the page drawn in ``context``, in ``lang_code``:
    a list names the form it reads its query string through as ``list_form``. Made once a
    request for each language: the head asks for the page's own address twice (canonical,
    og:url) and for each language's, and each is a resolve and a reverse."""
    request = context["request"]
    made = request.__dict__.setdefault("_defrel_canonical", {})
    if lang_code not in made:
        query = canonical_query(context.get("list_form"), context.get("page_obj"))
        made[lang_code] = page_in(request, lang_code, query=query, absolute=True)
    return made[lang_code]


@register.simple_tag(takes_context=True)
def this_page_in(context, lang_code):
    """The page in ``lang_code`` for a reader switching language: the whole query string
    kept (a search's too), since the reader asked for it, but tracking parameters."""
    request = context.get("request")
    if request is None:
        return "/"
    if links.TRACKING_PARAMETERS.intersection(request.GET):  # else kept exactly as typed
        return page_in(request, lang_code, query=links.untracked(request.GET).urlencode())
    return page_in(request, lang_code)


@register.simple_tag(takes_context=True)
def canonical_address(context):
    """The canonical address of the page drawn (link rel=canonical, og:url)."""
    if context.get("request") is None:
        return ""
    return canonical_in(context, get_language() or settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def page_alternates(context):
    """[(hreflang, absolute address)]: the page's canonical address in every language of the
    site, and as ``x-default`` the unprefixed default language (Japanese) for readers of any
    other."""
    if context.get("request") is None:
        return []
    alternates = [(code, canonical_in(context, code)) for code, _name in settings.LANGUAGES]
    return alternates + [("x-default", dict(alternates)[settings.LANGUAGE_CODE])]


@register.simple_tag(takes_context=True)
def open_graph_locales(context):
    """(this page's Open Graph locale, [the other languages' ones])."""
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    return (OPEN_GRAPH_LOCALES[current],
            [OPEN_GRAPH_LOCALES[code] for code, _name in settings.LANGUAGES if code != current])

"""A record's address for the many links of one page: reverse() once per route and language,
then the record's key put in its place; and a record's one address for a key typed in
another letter case.

A list page links each of its 50 rows and their partners: some 200 reverse() calls, about
20 µs each (bench/NOTES.md). The route is reversed once with a stand-in key, and each key
that reverse() would write unchanged (letters, digits, "-" and "_") takes the stand-in's
place; any other key goes through reverse() itself."""
import html
import re
from functools import lru_cache, wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from defrel.models import letter_case_twin

PLAIN = re.compile(r"[-\w]+\Z", re.ASCII)
# What a link to the site may carry for its sender's statistics (a newsletter's, an ad's, a
# social network's): nothing a page reads, so no address the site writes repeats it. The
# canonical address keeps a page's own parameters alone (defrel_i18n.canonical_query); the
# links a page writes from its own address (pages, facets, its search form) drop these.
TRACKING_PARAMETERS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
                                 "fbclid", "gclid"})
STAND_IN = "defrel-key-stand-in"


@lru_cache(maxsize=256)
def route(viewname, language, prefix, urlconf):
    """The address of ``viewname`` for the stand-in key (the arguments: what reverse() reads)."""
    return reverse(viewname, urlconf=urlconf, args=[STAND_IN])


def address(viewname, key):
    """reverse(viewname, args=[key]), the same string."""
    key = str(key)
    if not PLAIN.match(key):
        return reverse(viewname, args=[key])
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return route(viewname, get_language(), get_script_prefix(), urlconf).replace(STAND_IN, key, 1)


def escaped(text):
    """conditional_escape(text), the same string, quicker for a plain str (a name, an address):
    the standard library's html.escape rather than format_html(), whose checks for lazy
    strings cost more than the escaping itself (bench/NOTES.md, "A list page's links")."""
    return html.escape(text) if type(text) is str else conditional_escape(text)


def untracked(params):
    """A copy of the QueryDict ``params`` without TRACKING_PARAMETERS."""
    kept = params.copy()
    for name in TRACKING_PARAMETERS.intersection(kept):
        del kept[name]
    return kept


def moved(request, viewname, key):
    """A permanent redirect to ``viewname``'s address for ``key``, in the language of the
    address asked for, its query string kept."""
    query = request.META.get("QUERY_STRING")
    return redirect(reverse(viewname, args=[key]) + (f"?{query}" if query else ""), permanent=True)


def moved_to_twin(request, model, field, typed):
    """A permanent redirect to the address, under the view asked for, of the record whose
    ``field`` differs from ``typed`` only in letter case; None when no record's does."""
    stored = letter_case_twin(model, field, typed)
    return None if stored is None else moved(request, request.resolver_match.view_name, stored)


def key_in_any_case(model):
    """A record page's view that answers an address whose key differs from a record's only
    in letter case (/meetings/2024-07-PH-2PLUS2/, as a reader may type or a mail program
    may change it) with a permanent redirect to the record's own address. The key is looked
    for again only once the page is not found: the key as stored costs no query more, and a
    key that no record has, in any case, stays a 404."""
    def decorate(view):
        @wraps(view)
        def view_or_moved(request, **kwargs):
            try:
                return view(request, **kwargs)
            except Http404:
                (field, typed), = kwargs.items()  # the route's one argument names the field
                response = moved_to_twin(request, model, field, typed)
                if response is None:
                    raise
                return response
        return view_or_moved
    return decorate

"""A record's address for the many links of one page: reverse() once per route and language,
then the record's key put in its place.

A list page links each of its 50 rows and their partners: some 200 reverse() calls, about
20 µs each (bench/NOTES.md). The route is reversed once with a stand-in key, and each key
that reverse() would write unchanged (letters, digits, "-" and "_") takes the stand-in's
place; any other key goes through reverse() itself."""
import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

PLAIN = re.compile(r"[-\w]+\Z", re.ASCII)
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

"""Hostile values for addresses and forms, shared by the public and the admin tests.

Values come percent-encoded, ready to be put in a path or a query string as they are, so that
they can also hold what no Python text encodes to: surrogates, overlong and cut UTF-8."""
import re
from urllib.parse import quote, unquote

from hypothesis import strategies as st

# Bytes a browser never sends but a person (or a script) can type into an address.
RAW = ["%00", "%ED%A0%80", "%ED%BF%BF", "%C0%80", "%FF", "%E3%81", "%0D%0A", "%09", "%7F",
       "%C2%85", "%E2%80%AE", "%2500", "%", "%G0", "%2F", "+"]
# Values a form of ours never sends where a key, an id, a choice, a year or a page belongs.
ODD = ["abc", "-1", "0", "1.5", "99999999999999999999", "2024-13-40", "'", '"', "<b>", "..",
       "_5F", "a,b", "AU", "2024", "None", "null", "[]", "\x00", "\x01\x02\x1f", "\ufeff", "\u3000"]


def encoded(text):
    return quote(text, safe="")


PIECES = st.one_of(
    st.text(max_size=12).map(encoded),  # any character: control characters, NUL, emoji…
    st.sampled_from(RAW),
    st.sampled_from(ODD).map(encoded),
    # no lone surrogate (UTF-8 cannot encode one; RAW sends its bytes): one made quote() raise
    st.builds(lambda char, n: encoded(char * n), st.characters(exclude_categories=["Cs"]), st.integers(500, 3000)),
)
VALUES = st.lists(PIECES, max_size=3).map("".join)
# A path segment: a slash would only make another (unknown) address.
SEGMENTS = st.lists(PIECES, min_size=1, max_size=3).map("".join).filter(lambda s: s and "/" not in unquote(s))


def query(pairs):
    """A query string from (name, already encoded value) pairs."""
    return "&".join(f"{encoded(name)}={value}" for name, value in pairs)


def has_nul(url):
    return "\x00" in unquote(url)


ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def fill(route, values):
    """``route`` ("countries/<str:code>/") with each converter replaced by the next value."""
    values = iter(values)
    return ROUTE_PARAM.sub(lambda _match: next(values), route)


def converters(route):
    return ROUTE_PARAM.findall(route)


def body(response):
    """The whole body, a streamed one (the CSV exports) read to its end."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def error_page(response):
    """The number an error page shows (400, 404…), or None for another page."""
    found = re.search(rb'<p class="code" aria-hidden="true">(\d+)</p>', response.content)
    return int(found.group(1)) if found else None

"""Reading pages as a person would, in either language."""
import re

from django.urls import reverse
from django.utils import translation

from bench.client import ChangeForm


def text(response, start=None):
    """The page as a reader sees it (tags dropped, whitespace collapsed), from the element
    with id ``start`` on when given."""
    html = response.content.decode()
    if start:
        html = html[html.index(f'id="{start}"'):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def table_row(response, row_id):
    """The HTML of the table row ``<tr id="row_id">`` (a partner's row of the agreements matrix)."""
    html = response.content.decode()
    return html[html.index(f'<tr id="{row_id}">'):].split("</tr>")[0]


def get(client, name, *args, lang="ja", **params):
    """The response for the page ``name`` in ``lang``; interface wording is checked on the
    English page (lang="en"), since the Japanese catalogue translates it."""
    with translation.override(lang):  # restored afterwards, so reverse() in tests stays Japanese
        return client.get(reverse(name, args=args), params)


def form_fields(response):
    """The change form of ``response`` as a browser would post it: {name: [values]}."""
    reader = ChangeForm()
    reader.feed(response.content.decode())
    posted = {}
    for name, value in reader.data:
        if name and "__prefix__" not in name:
            posted.setdefault(name, []).append(value)
    return posted

"""Reading pages as a person would, in either language."""
import re
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import translation


def text(response, start=None):
    """The page as a reader sees it (tags dropped, whitespace collapsed), from the element
    with id ``start`` on when given."""
    html = response.content.decode()
    if start:
        html = html[html.index(f'id="{start}"'):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def get(client, name, *args, lang="ja", **params):
    """The response for the page ``name`` in ``lang``; interface wording is checked on the
    English page (lang="en"), since the Japanese catalogue translates it."""
    with translation.override(lang):  # restored afterwards, so reverse() in tests stays Japanese
        return client.get(reverse(name, args=args), params)


class FormReader(HTMLParser):
    """The fields a browser would post from the admin's change form (the form whose id ends
    in ``_form``): inputs, ticked boxes, chosen options and text areas, without the blank
    templates the admin copies for "add another" (``__prefix__``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self.inside, self.select, self.textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id", "").endswith("_form")
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on" if "checked" in attrs else "")))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            self.fields.append((name, value.removeprefix("\n")))
            self.textarea = None


def form_fields(response):
    """The change form of ``response`` as a browser would post it: {name: [values]}."""
    reader = FormReader()
    reader.feed(response.content.decode())
    posted = {}
    for name, value in reader.fields:
        if name and "__prefix__" not in name:
            posted.setdefault(name, []).append(value)
    return posted

"""sitemap.xml: every public list and record page, in Japanese (/…) and English (/en/…),
each address with its alternates (hreflang), so a search engine indexes both languages
as one page. Served as an index of sections, each small enough for the protocol."""
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from meetings.models import Agreement, Engagement, Exercise, Meeting
from partners.models import Country, Official


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True  # the unprefixed Japanese page, for readers of any other language
    # The protocol allows 50,000 addresses a file; every item is written once per language.
    limit = 20_000


class ListSitemap(BilingualSitemap):
    """The lists and overview pages (their filtered views are left to the lists' links)."""

    changefreq = "weekly"
    names = [
        "meetings:home", "meetings:meeting-list", "partners:country-list", "partners:official-list",
        "meetings:agreement-list", "meetings:agreement-matrix", "meetings:exercise-list",
        "meetings:engagement-list", "meetings:timeline", "meetings:data-dictionary", "meetings:coverage",
    ]

    def items(self):
        return self.names

    def location(self, item):
        return reverse(item)


class RecordSitemap(BilingualSitemap):
    """One kind of record page, read with only the column its address needs."""

    def __init__(self, model, key):
        super().__init__()
        self.model, self.key = model, key

    def items(self):
        return self.model.objects.order_by(self.key).only(self.key)


SITEMAPS = {
    "lists": ListSitemap(),
    "meetings": RecordSitemap(Meeting, "key"),
    "agreements": RecordSitemap(Agreement, "key"),
    "exercises": RecordSitemap(Exercise, "key"),
    "engagements": RecordSitemap(Engagement, "key"),
    "countries": RecordSitemap(Country, "code"),
    "officials": RecordSitemap(Official, "slug"),
}

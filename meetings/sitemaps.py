"""sitemap.xml: every public list and record page, in Japanese (/…) and English (/en/…),
each address with its alternates (hreflang), so a search engine indexes both languages
as one page. Served as an index of sections, each small enough for the protocol."""
from urllib.parse import quote

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

from defrel.changes import inline_models
from defrel.models import Source
from meetings.models import Agreement, Engagement, Exercise, Meeting
from partners.models import Country, Official, Position


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True  # the unprefixed Japanese page, for readers of any other language
    # Addresses a file (the protocol allows 50,000; each item is one per language): a page of
    # 5,000 takes about 1.5 s to draw with its alternates, one of 20,000 six.
    limit = 5_000


class ListSitemap(BilingualSitemap):
    """The lists and overview pages (their filtered views are left to the lists' links)."""

    changefreq = "weekly"
    names = [
        "meetings:home", "meetings:meeting-list", "partners:country-list", "partners:official-list",
        "meetings:agreement-list", "meetings:agreement-matrix", "meetings:exercise-list",
        "meetings:engagement-list", "meetings:timeline", "meetings:charts", "partners:office-list",
        "meetings:source-list", "meetings:data-dictionary", "meetings:coverage",
    ]

    def items(self):
        return self.names

    def location(self, item):
        return reverse(item)


class RecordSitemap(BilingualSitemap):
    """One kind of record page, read as its keys alone; each address of a page drawn with the
    day its record last changed (<lastmod>), read for that page's records only."""

    PLACEHOLDER = "__key__"  # a slug, so that every converter takes it

    def __init__(self, model, key, url_name):
        super().__init__()
        self.model, self.key, self.url_name = model, key, url_name
        self.patterns = {}

    def items(self):
        return list(self.model.objects.order_by(self.key).values_list(self.key, flat=True))

    def get_urls(self, *args, **kwargs):
        self.patterns = {}  # per page drawn: the URL configuration may differ between requests
        urls = super().get_urls(*args, **kwargs)
        written = self.last_written({url["item"][0] for url in urls})  # item: (key, language)
        for url in urls:
            url["lastmod"] = written.get(url["item"][0])
        return urls

    def last_written(self, keys):
        """{key: when the record, or an inline row of its (a meeting's participant, an
        agreement's milestone), was last written} of the records with ``keys``, from their
        history, in one query (each newest entry found through its history's record index).
        A record with no history (written around the admin and the imports) has none."""
        streams = [(self.model.history, self.model._meta.pk.attname),
                   *((inline.history, field.attname) for inline, field in inline_models(self.model))]
        times = {f"written_{i}": Subquery(history.filter(**{field: OuterRef("pk")})
                                          .order_by("-history_date").values("history_date")[:1])
                 for i, (history, field) in enumerate(streams)}
        rows = self.model.objects.filter(**{f"{self.key}__in": keys}).annotate(**times)
        return {key: max(filter(None, found), default=None)
                for key, *found in rows.values_list(self.key, *times)}

    def location(self, key):
        # reverse() once per language and page, not for each of the page's 80,000 addresses
        # and alternates (three quarters of the time of a page of 100,000 meetings).
        language = get_language()
        if language not in self.patterns:
            self.patterns[language] = reverse(self.url_name, args=[self.PLACEHOLDER])
        # quoted as reverse() quotes an argument
        return self.patterns[language].replace(self.PLACEHOLDER, quote(key, safe=RFC3986_SUBDELIMS + "/~:@"))


SITEMAPS = {
    "lists": ListSitemap(),
    "meetings": RecordSitemap(Meeting, "key", "meetings:meeting-detail"),
    "agreements": RecordSitemap(Agreement, "key", "meetings:agreement-detail"),
    "exercises": RecordSitemap(Exercise, "key", "meetings:exercise-detail"),
    "engagements": RecordSitemap(Engagement, "key", "meetings:engagement-detail"),
    "countries": RecordSitemap(Country, "code", "partners:country-detail"),
    "officials": RecordSitemap(Official, "slug", "partners:official-detail"),
    "offices": RecordSitemap(Position, "key", "partners:office-detail"),
    "sources": RecordSitemap(Source, "key", "meetings:source-detail"),
}

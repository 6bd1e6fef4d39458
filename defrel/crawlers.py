"""robots.txt: crawlers read the records and the lists, not every combination of filters
(a query string each, millions of them) nor the full exports, which are for people to take
away and cost a database scan each."""
from django.http import HttpResponse
from django.urls import reverse

# "*" and "$" are wildcards every major crawler reads (RFC 9309).
KEPT_OUT = [
    # Facet combinations, searches and pages of a list. Every address without a query string
    # is its own canonical one (defrel_i18n.canonical_query keeps only what a list reads),
    # so a page crawlers may read never names as canonical one they may not.
    "/*?",
    "/*.csv$", "/*.json$", "/*.ndjson$",  # exports of a list, wherever served
    "/api/", "/en/api/",  # the JSON API
    "/data/*.", "/en/data/*.",  # the data downloads (/data/ itself, the data dictionary, stays)
]


def robots_txt(request):
    # The admin is not listed: its address may be chosen (ADMIN_URL) so as not to be known,
    # and it answers nobody without a login.
    # The sitemap's later pages (?p=2) are addresses with a query string too: the longer rule wins.
    lines = ["User-agent: *", "Allow: /sitemap", *(f"Disallow: {path}" for path in KEPT_OUT), "",
             f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

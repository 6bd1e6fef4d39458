from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import URLResolver, include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from defrel.crawlers import robots_txt
from defrel.middleware import API_URL
from meetings.sitemaps import SITEMAPS
from defrel.health import healthz
from meetings.views.quality import data_quality


def read_only(patterns):
    """``patterns`` with every view answering GET and HEAD alone, and any other method a 405
    naming those two (Allow): the public site changes nothing, and a POST drawn as a page
    would pass for one. Exempt from the CSRF check, which would otherwise answer first with a
    403 asking for a token these pages never hand out; they take no write to protect."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            read_only(pattern.url_patterns)
        else:
            pattern.callback = csrf_exempt(require_safe(pattern.callback))
    return patterns


urlpatterns = read_only([
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    # (looked up per request: hashed static names exist only after collectstatic)
    path("favicon.ico", lambda request: redirect(static("defrel/favicon.svg"), permanent=True)),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
         name="sitemap-index"),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
])
urlpatterns += [
    # The admin's language form posts here (the public site's switch is links).
    path("healthz", healthz, name="healthz"),  # one address for every language: a machine asks
    path("i18n/", include("django.conf.urls.i18n")),
    # One address for every language: the JSON gives both (_ja/_en), like the CSV.
    path(API_URL, include("meetings.api.urls")),
    path(f"{settings.ADMIN_URL}quality/", data_quality, name="data-quality"),
    path(settings.ADMIN_URL, admin.site.urls),
]
# Japanese at /meetings/…, English at /en/meetings/…: a shared link keeps its language.
urlpatterns += read_only(i18n_patterns(
    path("partners/", include("meetings.partner_urls")),
    path("", include("meetings.urls")),
    prefix_default_language=False,
))

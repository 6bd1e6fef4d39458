"""Public pages a browser, nginx or a CDN may keep: an anonymous GET of a public page carries
an ``ETag`` and ``Last-Modified`` from the data stamp (defrel.stamp) and the deployment
(defrel.deployed), is answered ``304 Not Modified`` without being drawn when the reader
already has it, and says ``Cache-Control: public, max-age=DEFREL_PUBLIC_MAX_AGE`` with how long
it may be shown stale (see :func:`kept_for`). The admin and every page for a signed-in user say
``private, no-store``: what an editor sees must never be kept for someone else. A view that
says no one may keep its answer (``never_cache``: /healthz) is left as it says."""
import datetime
import functools
import hashlib

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition

from defrel import dated, deployed, replicas, stamp
from defrel.kept import cached
from defrel.middleware import in_admin
from defrel.models import Source


def signed_in(request):
    """Whether the reader is signed in. Without a session cookie nobody is, and the session is
    left untouched: reading it would make the response say ``Vary: Cookie``, which no proxy
    can keep for everyone."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


def public(request):
    """A GET or HEAD of a page under the public site (not the admin), by a reader not signed in."""
    return (request.method in ("GET", "HEAD")
            and not in_admin(request)
            and not signed_in(request))


def newest_source_year():
    """defrel.dated.newest_source_year() (the last year an open end counts in), kept until a
    source changes: one read of the cache a request instead of a query each time a count or a
    filter asks for it."""
    return cached("newest-source-year", dated.newest_source_year, stamp.token(Source))


def etag(request, *args, **kwargs):
    # The data, the language, the day (a status "today" changes at midnight in Tokyo) and the
    # deployment (a page the new code draws differently).
    day = timezone.localdate().isoformat()
    return hashlib.sha256(f"{stamp.token()}:{translation.get_language()}:{day}:{deployed.version()}"
                          .encode()).hexdigest()[:32]


def last_modified(request, *args, **kwargs):
    # Not before midnight (a page's statuses "today" are as new as the day) nor before the
    # deployment's files were written, as in the ETag.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    newest = max(midnight, datetime.datetime.fromtimestamp(deployed.written(), datetime.timezone.utc))
    changed = stamp.last_changed()
    return max(changed, newest) if changed else newest


def kept_for():
    """The Cache-Control directives of a page that may be kept: its max-age, then how long the
    copy kept may still be shown while a new one is asked for in the background
    (``stale-while-revalidate``, RFC 5861) and while no app server answers
    (``stale-if-error``). nginx honours both (the README's production section)."""
    return {"max_age": settings.DEFREL_PUBLIC_MAX_AGE,
            "stale_while_revalidate": settings.DEFREL_PUBLIC_STALE_WHILE_REVALIDATE,
            "stale_if_error": settings.DEFREL_PUBLIC_STALE_IF_ERROR}


def never_kept(response):
    """Whether the view said that no one may keep its answer (``never_cache``: no-store)."""
    return "no-store" in (part.strip() for part in response.get("Cache-Control", "").split(","))


class PublicCacheMiddleware:
    """Last in settings.MIDDLEWARE: it calls the view itself, through Django's ``condition``
    decorator, once every other middleware has seen the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if never_kept(response):
            pass  # as its view says: /healthz must be answered by the server itself, never a copy
        elif getattr(request, "defrel_public", False) and response.status_code in (200, 304):
            if response.cookies:  # a cookie is one reader's: never kept for another
                patch_cache_control(response, private=True, **kept_for())
            else:
                patch_cache_control(response, public=True, **kept_for())
        elif not getattr(request, "defrel_public", False):
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_view(self, request, view, args, kwargs):
        request.defrel_public = public(request)
        if not request.defrel_public:
            return None
        # Every stamp is read once, before the data: the ETag and the page's cached parts
        # agree, and neither can be newer than what the page draws.
        try:
            with stamp.reading(), dated.newest_source_year_from(functools.cache(newest_source_year)):
                return condition(etag_func=etag, last_modified_func=last_modified)(view)(request, *args, **kwargs)
        except Exception as error:  # Django hands process_exception only what the view raises
            response = replicas.answer_from_primary(request, error)
            if response is None:
                raise
            return response

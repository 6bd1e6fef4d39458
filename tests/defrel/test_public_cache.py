"""Public pages carry an ETag and Last-Modified from the data stamp, answer a conditional
request with 304 without drawing the page, and say how long a proxy may keep them; the admin
and a signed-in editor's pages say private, no-store."""
import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from defrel.http_cache import PublicCacheMiddleware
from defrel.models import DataStamp
from tests.meetings.factories import AgreementEventFactory, AgreementFactory
from tests.pages import text
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db



@pytest.fixture
def gsomia(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        korea = CountryFactory(code="KR", name_en="Republic of Korea", region="northeast_asia")
        agreement = AgreementFactory(parties=[korea], key="kr-gsomia", short_name="GSOMIA")
        AgreementEventFactory(agreement=agreement, kind="concluded", date="2016-11")
    return agreement


def matrix(client, **headers):
    return client.get(reverse("meetings:agreement-matrix"), headers=headers)


def test_a_repeated_request_is_answered_not_modified_without_drawing_the_page(client, gsomia, django_assert_max_num_queries):
    first = matrix(client)
    assert "GSOMIA" in text(first) and first["ETag"] and first["Last-Modified"]
    with django_assert_max_num_queries(1):  # the data stamps, nothing else
        again = matrix(client, if_none_match=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    assert f"max-age={settings.DEFREL_PUBLIC_MAX_AGE}" in again["Cache-Control"]
    assert matrix(client, if_modified_since=first["Last-Modified"]).status_code == 304


def test_an_edit_gives_the_page_anew_with_a_new_etag(client, gsomia, django_capture_on_commit_callbacks):
    first = matrix(client)
    with django_capture_on_commit_callbacks(execute=True):
        gsomia.short_name = "GSOMIA (renamed)"
        gsomia.save()
    after = matrix(client, if_none_match=first["ETag"])
    assert after.status_code == 200 and "GSOMIA (renamed)" in text(after)
    assert after["ETag"] != first["ETag"]
    assert matrix(client, if_none_match=after["ETag"]).status_code == 304


def test_each_language_has_its_own_etag(client, gsomia):
    japanese = matrix(client)
    english = client.get("/en" + reverse("meetings:agreement-matrix"), headers={"if_none_match": japanese["ETag"]})
    assert english.status_code == 200 and "Agreements matrix" in text(english)
    assert english["ETag"] != japanese["ETag"]


def test_an_anonymous_page_may_be_kept_by_a_proxy(client, gsomia):
    response = matrix(client)
    assert not response.cookies
    assert "public" in response["Cache-Control"]


def test_an_anonymous_export_may_be_kept_by_a_proxy(client, gsomia):
    response = client.get(reverse("meetings:agreement-export"))
    assert "kr-gsomia" in b"".join(response.streaming_content).decode()
    assert not response.cookies
    assert response["Cache-Control"] == (
        f"public, max-age={settings.DEFREL_PUBLIC_MAX_AGE}, "
        f"stale-while-revalidate={settings.DEFREL_PUBLIC_STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={settings.DEFREL_PUBLIC_STALE_IF_ERROR}")


def test_a_page_that_sets_a_cookie_is_kept_by_the_browser_only(rf):
    def view(request):
        response = HttpResponse("a reader's own")
        response.set_cookie("mine", "1")
        return response

    request = rf.get(reverse("meetings:agreement-matrix"))
    request.user = AnonymousUser()
    middleware = PublicCacheMiddleware(lambda request: middleware.process_view(request, view, (), {}))
    response = middleware(request)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_the_health_check_is_never_kept_nor_shown_stale(client):
    """/healthz says whether this server can serve now: no proxy may answer it with a copy, so
    its never_cache is left as the view said it, without the public pages' directives."""
    response = client.get("/healthz")
    assert response.status_code == 200 and b'"database"' in response.content
    directives = {part.strip().partition("=")[0] for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives
    assert not directives & {"public", "stale-while-revalidate", "stale-if-error"}


def test_the_admin_is_private_and_never_stored(editor_client, gsomia):
    response = editor_client.get(reverse("admin:meetings_agreement_changelist"))
    assert "kr-gsomia" in response.content.decode()  # the agreement listed: the page was drawn for the editor
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert "public" not in response["Cache-Control"]


def test_a_signed_in_editors_public_page_is_private_and_never_stored(editor_client, gsomia):
    response = matrix(editor_client, if_none_match="*", if_modified_since=http_date())
    assert response.status_code == 200 and "GSOMIA" in text(response)
    assert not response.has_header("ETag")
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_a_page_kept_since_before_midnight_is_drawn_anew(client, gsomia):
    """Statuses "today" change at midnight (Tokyo), whatever the data does."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    DataStamp.objects.update(changed=midnight - datetime.timedelta(days=2))  # no edit since
    yesterday = midnight - datetime.timedelta(seconds=1)
    response = matrix(client, if_modified_since=http_date(yesterday.timestamp()))
    assert response.status_code == 200 and "GSOMIA" in text(response)


def test_a_new_deployment_gives_the_page_anew_with_a_new_etag(client, gsomia, monkeypatch):
    # A deployment may draw the same data differently (a template, a translation): a reader's
    # page kept under the old ETag, or since before its files were written, is not current.
    from defrel import deployed

    first = matrix(client)
    written = timezone.now() + datetime.timedelta(hours=1)
    monkeypatch.setattr(deployed, "current", lambda: ("next-deployment", written.timestamp()))
    after = matrix(client, if_none_match=first["ETag"])
    assert after.status_code == 200 and "GSOMIA" in text(after)
    assert after["ETag"] != first["ETag"]
    assert after["Last-Modified"] == http_date(written.timestamp())
    assert matrix(client, if_modified_since=first["Last-Modified"]).status_code == 200

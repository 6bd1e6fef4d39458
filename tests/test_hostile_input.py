"""Whatever a visitor types into a URL, the public site answers with a page, never a 500,
on SQLite and on PostgreSQL (which refuses NUL in text), and whatever an editor typed into a
record is shown as text, never run as HTML.

The addresses are read from the URLconf and the parameters from the pages' own forms and
links, so a new page or filter is tried without anyone adding it here."""
import re

import pytest
from django.conf import settings as django_settings
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import Agreement, Engagement, Exercise
from tests import hostile
from tests.meetings.factories import (
    AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory, ParticipationFactory,
)
from tests.pages import text
from tests.partners.factories import CountryFactory, TenureFactory
from tests.shared_data import made_once

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'

LISTS = ["meetings:meeting-list", "meetings:agreement-list", "meetings:exercise-list",
         "meetings:timeline", "meetings:agreement-matrix", "partners:official-list",
         "meetings:meeting-export", "meetings:engagement-list", "meetings:engagement-export"]
PARAMS = ["country", "official", "year", "month", "level", "kind", "format", "occasion", "q",
          "sort", "page", "as_of", "party", "status", "role", "service"]


def make_records():
    """A record of every kind with what an editor might have typed into it (once for the
    module: each test reads them, none changes them)."""
    au = CountryFactory(code="AU", name_ja=f"豪{SCRIPT}")
    meeting = MeetingFactory(countries=[au], title_ja=f"会談{SCRIPT}", summary_ja=SCRIPT)
    ParticipationFactory(meeting=meeting, official=TenureFactory(official__name_ja=f"人{SCRIPT}").official)
    AgreementFactory(parties=[au], title_ja=f"協定{SCRIPT}")
    ExerciseFactory(countries=[au], name_ja=f"訓練{SCRIPT}")
    EngagementFactory(countries=[au], title_ja=f"寄港{SCRIPT}", japan_side_ja=SCRIPT, location_ja=SCRIPT,
                      summary_ja=SCRIPT, officials=[meeting.participants.first()])
    EngagementFactory(countries=[au], date="", title_ja=f"未定{SCRIPT}")
    return meeting


records = made_once(make_records)


@pytest.mark.parametrize("name, args", [
    ("meetings:meeting-list", []), ("meetings:meeting-detail", "meeting"), ("meetings:home", []),
    ("partners:country-detail", ["AU"]), ("meetings:agreement-list", []), ("meetings:exercise-list", []),
    ("meetings:timeline", []), ("partners:official-list", []), ("meetings:engagement-list", []),
    ("meetings:engagement-detail", "engagement"),
])
def test_what_editors_typed_is_shown_as_text(client, records, name, args):
    keys = {"meeting": [records.key], "engagement": [Engagement.objects.dated().get().key]}
    url = reverse(name, args=keys[args] if isinstance(args, str) else args)
    page = client.get(url).content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(LISTS),
       params=st.dictionaries(st.sampled_from(PARAMS),
                              st.one_of(st.text(max_size=30), st.sampled_from(
                                  ["2024", "-1", "99999999999999999999", "2024-13-40", "AU", "0", "'", "%"])),
                              max_size=5))
def test_any_query_string_gets_a_page_not_an_error(client, records, name, params):
    response = client.get(reverse(name), params)
    if name.endswith("-export") and refused(response):
        assert refused(response) <= set(params), (name, params)
        return
    expected = {400} if any("\x00" in value for value in params.values()) else {200, 404}
    assert response.status_code in expected, (name, params, response.status_code)


# --- every address and parameter, with hostile values --------------------------------------

API = "api/"  # answers a bad parameter with a 400 in JSON: tried in tests/api/test_guarantees.py


def public_routes(patterns=None, prefix=""):
    """Every public route of defrel.urls ("partners/countries/<str:code>/"), in Japanese and
    under /en/; the admin's addresses are tried in test_hostile_admin, the API's in tests/api."""
    routes = []
    for pattern in get_resolver("defrel.urls").url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if isinstance(pattern.pattern, LocalePrefixPattern):
                for language in ("", "en/"):
                    routes += public_routes(pattern.url_patterns, prefix + language)
            else:
                routes += public_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif not (prefix + str(pattern.pattern)).startswith((django_settings.ADMIN_URL, API)):
            routes.append(prefix + str(pattern.pattern))
    return routes


ROUTES = public_routes()
OK = {200, 301, 302, 404}  # a page, a redirect (the language switch) or "no such record"


def refused(response):
    """The parameters an export refused (a 400 in plain text, a line a bad filter), or none:
    a file of every row would pass for the filtered one."""
    if response.status_code != 400 or not response["Content-Type"].startswith("text/plain"):
        return set()
    return {line.split(": ", 1)[0] for line in response.content.decode().splitlines()}


def answered(client, url):
    """The response to ``url``, checked: NUL anywhere is a 400 page, anything else a page."""
    response = client.get(url)
    hostile.body(response)  # an export is streamed: a failure would come while reading it
    if hostile.has_nul(url):
        assert response.status_code == 400, (url, response.status_code)
        assert hostile.error_page(response) == 400, url
    elif "/export.csv?" in url and refused(response):
        assert refused(response) <= set(re.findall(r"[?&]([^=&]+)=", url)), url
    else:
        assert response.status_code in OK, (url, response.status_code)
        if response.status_code == 404:
            assert hostile.error_page(response) == 404, url
    return response


def test_the_routes_are_read_from_the_urlconf():
    assert "partners/countries/<str:code>/" in ROUTES
    assert "en/meetings/<slug:key>/" in ROUTES
    assert not [r for r in ROUTES if r.startswith(django_settings.ADMIN_URL)]


@pytest.mark.parametrize("url", [
    "/partners/countries/%00/", "/en/partners/countries/%00/", "/meetings/?level=%00",
    "/meetings/?country=%00", "/exercises/?country=%00", "/meetings/?occasion=%00",
])
def test_nul_in_a_public_address_is_a_bad_request_page(client, records, url):
    response = client.get(url)
    assert response.status_code == 400
    assert hostile.error_page(response) == 400
    assert response["Content-Security-Policy"]  # the 400 page passed every middleware


def test_the_bad_request_page_speaks_the_language_of_the_address(client, records):
    response = client.get("/en/partners/countries/%00/")
    assert response.status_code == 400
    assert '<html lang="en">' in response.content.decode()
    assert "Bad request" in text(response)
    assert '<html lang="ja">' in client.get("/partners/countries/%00/").content.decode()


@pytest.mark.parametrize("route", ROUTES)
def test_nul_in_any_part_of_every_public_address_is_a_bad_request(client, records, route):
    names = hostile.converters(route)
    for spoiled in range(len(names)):
        answered(client, "/" + hostile.fill(route, ["AU" if i != spoiled else "A%00U"
                                                    for i in range(len(names))]))
    answered(client, "/" + hostile.fill(route, ["AU"] * len(names)) + "?x=%00")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(route=st.sampled_from([r for r in ROUTES if hostile.converters(r)]), data=st.data())
def test_any_value_in_any_public_address_gets_a_page(client, records, route, data):
    values = [data.draw(hostile.SEGMENTS, label=name) for name in hostile.converters(route)]
    answered(client, "/" + hostile.fill(route, values))


@pytest.fixture
def offered(client, records):
    """(the addresses of every public page, with the records' keys, and every parameter name
    their forms and links send)."""
    fixed = [r for r in ROUTES if not hostile.converters(r)]
    detailed = {}
    for record in (records, records.countries.first(), records.participants.first(),
                   Agreement.objects.get(), Exercise.objects.get(), Engagement.objects.dated().get(),
                   records.participants.first().tenures.first().position, records.source):
        with translation.override("ja"):
            match = resolve(record.get_absolute_url())
        detailed[match.route] = match.kwargs
        detailed[match.route + "feed/"] = match.kwargs  # a partner's and an official's feed
    detailed["sitemap-<section>.xml"] = {"section": "meetings"}
    for name in ("meetings:table-csv", "meetings:table-ndjson"):  # a whole table, named by its slug
        with translation.override("ja"):
            match = resolve(reverse(name, args=["meetings"]))
        detailed[match.route] = match.kwargs
    urls = ["/" + r for r in fixed] + [
        "/" + hostile.fill(r, [detailed[r.removeprefix("en/")][name] for name in hostile.converters(r)])
        for r in ROUTES if r.removeprefix("en/") in detailed]
    assert len(urls) == len(ROUTES), "a public route whose record the fixture does not make"
    names = set(PARAMS)
    for url in urls:
        page = hostile.body(client.get(url)).decode()
        names |= set(re.findall(r'name="([\w-]+)"', page)) | set(re.findall(r"[?&](?:amp;)?([\w-]+)=", page))
    return urls, sorted(names - {"csrfmiddlewaretoken"})


def test_the_parameters_are_read_from_the_pages(offered):
    _urls, names = offered
    assert {"country", "official", "party", "as_of", "year", "kind", "q"} <= set(names)


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_parameter_of_any_public_page_gets_a_page(client, offered, data):
    urls, names = offered
    url = data.draw(st.sampled_from(urls), label="page")
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(names), hostile.VALUES), min_size=1, max_size=4),
                      label="parameters")
    answered(client, url + "?" + hostile.query(pairs))


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(form=st.dictionaries(st.sampled_from(["language", "next"]), st.text(max_size=30) | st.sampled_from(
    ["en", "ja", "//evil.example", "/en/\x00", "javascript:alert(1)", "/a\r\nSet-Cookie: x=1"])))
def test_any_language_switch_gets_a_redirect(client, form):
    """The admin's language form (the public site posts no form)."""
    response = client.post(reverse("set_language"), form)
    if any("\x00" in value for value in form.values()):
        assert response.status_code == 400
        assert hostile.error_page(response) == 400
    else:
        assert response.status_code in (302, 204), (form, response.status_code)
        assert "evil.example" not in response.get("Location", "")

"""The conventions of a bilingual public site: cookie-free pages whose language switch is a
link, canonical and hreflang links, sitemap.xml, robots.txt and Open Graph cards."""
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from meetings.views.profiles import OfficialList
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    ParticipationFactory, SourceFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def records():
    australia = CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")
    official = OfficialFactory(slug="marles-richard", name_ja="マールズ", name_en="Richard Marles", country=australia)
    meeting = MeetingFactory(key="2024-05-au-defmin", countries=[australia],
                             summary_ja="ハワイで会談した。", summary_en="They met in Hawaii.")
    ParticipationFactory(meeting=meeting, official=official)
    agreement = AgreementFactory(key="au-acsa", parties=[australia], title_ja="日豪ACSA", title_en="Japan–Australia ACSA")
    AgreementEventFactory(agreement=agreement)
    return {
        "meeting": meeting, "agreement": agreement, "official": official, "country": australia,
        "exercise": ExerciseFactory(key="pitch-black-24", countries=[australia]),
        "engagement": EngagementFactory(key="2024-05-au-port-call", countries=[australia]),
    }


def public_urls(records):
    """Every kind of public page, as a reader reaches it (lists with a query string too)."""
    with translation.override("ja"):
        return [
            reverse("meetings:home"), reverse("meetings:timeline"), reverse("meetings:agreement-matrix"),
            reverse("meetings:meeting-list"), reverse("meetings:meeting-list") + "?country=AU&year=2024",
            reverse("meetings:agreement-list"), reverse("meetings:exercise-list"),
            reverse("meetings:engagement-list"), reverse("partners:country-list"),
            reverse("partners:official-list"), reverse("meetings:data-dictionary"), reverse("meetings:coverage"),
            *(records[kind].get_absolute_url()
              for kind in ("meeting", "agreement", "exercise", "engagement", "country", "official")),
            reverse("meetings:feed"), reverse("partners:country-feed", args=["AU"]),
            reverse("partners:official-feed", args=["marles-richard"]),
            reverse("meetings:meeting-export"), "/sitemap.xml", "/sitemap-meetings.xml", "/robots.txt",
            "/no-such-page/",
        ]


def head_links(response):
    """{(rel, hreflang): href} of the page's <link> elements."""
    html = response.content.decode()
    links = {}
    for tag in re.findall(r"<link [^>]+>", html):
        attrs = dict(re.findall(r'(\w[\w:-]*)="([^"]*)"', tag))
        links[(attrs.get("rel"), attrs.get("hreflang") or attrs.get("type"))] = unescape(attrs["href"])
    return links


def meta(response, prop):
    return [unescape(v) for v in re.findall(rf'<meta property="{prop}" content="([^"]*)"', response.content.decode())]


def test_anonymous_pages_set_no_cookie_and_do_not_vary_on_it(client, records):
    """A proxy may keep any public page for everyone: no CSRF token, no session, no cookie."""
    for url in public_urls(records):
        for address in (url, "/en" + url if not url.endswith((".xml", ".txt")) else url):
            response = client.get(address)
            assert response.status_code in (200, 404), address
            assert not response.cookies, (address, list(response.cookies))
            assert "Cookie" not in response.get("Vary", ""), (address, response.get("Vary"))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_public_pages_refuse_every_method_but_reading_them(records, method):
    """The public site changes nothing: a POST (or a PUT, PATCH, DELETE) is a 405 naming the
    methods it takes, from a browser as from a script without a CSRF token; the same
    addresses still answer GET and HEAD."""
    browser = Client(enforce_csrf_checks=True)
    for url in public_urls(records)[:-1]:  # the last: no such page, whatever the method
        for address in (url, "/en" + url if not url.endswith((".xml", ".txt")) else url):
            response = getattr(browser, method)(address, {"q": "x"} if method == "post" else "")
            assert (response.status_code, response.get("Allow")) == (405, "GET, HEAD"), (method, address)
            assert response.content == b"", address
    for address in (records["meeting"].get_absolute_url(), "/en/meetings/export.csv", "/robots.txt"):
        assert browser.head(address).status_code == 200, address
    assert browser.get("/en/meetings/?country=AU").context["page_obj"].object_list[0] == records["meeting"]


def test_the_admin_keeps_its_csrf_token_and_its_language_form(client, admin_client):
    login = client.get(reverse("admin:login"))
    assert "csrftoken" in login.cookies
    index = admin_client.get(reverse("admin:index"))
    assert 'name="csrfmiddlewaretoken"' in index.content.decode()
    assert f'action="{reverse("set_language")}"' in index.content.decode()
    admin_client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    assert "Data quality" in admin_client.get(reverse("admin:index")).content.decode()


def test_language_link_canonical_and_alternates_keep_the_page_and_its_query_string(client, records):
    response = client.get("/meetings/?country=AU&year=2024")
    html = response.content.decode()
    switch = re.search(r'<p class="language"><a href="([^"]+)" hreflang="en"', html)
    assert unescape(switch.group(1)) == "/en/meetings/?country=AU&year=2024"
    header = html[:html.index("<main")]
    assert 'method="post"' not in header and "csrfmiddlewaretoken" not in header  # (the site search is a GET)
    links = head_links(response)
    assert links[("canonical", None)] == "http://testserver/meetings/?country=AU&year=2024"
    assert links[("alternate", "ja")] == "http://testserver/meetings/?country=AU&year=2024"
    assert links[("alternate", "en")] == "http://testserver/en/meetings/?country=AU&year=2024"
    assert links[("alternate", "x-default")] == "http://testserver/meetings/?country=AU&year=2024"

    english = client.get("/en/meetings/?country=AU&year=2024")
    switch = re.search(r'<p class="language"><a href="([^"]+)" hreflang="ja"', english.content.decode())
    assert unescape(switch.group(1)) == "/meetings/?country=AU&year=2024"
    links = head_links(english)
    assert links[("canonical", None)] == "http://testserver/en/meetings/?country=AU&year=2024"
    assert links[("alternate", "x-default")] == "http://testserver/meetings/?country=AU&year=2024"


def test_a_record_page_links_its_other_language(client, records):
    response = client.get("/en/partners/officials/marles-richard/")
    links = head_links(response)
    assert links[("canonical", None)] == "http://testserver/en/partners/officials/marles-richard/"
    assert links[("alternate", "ja")] == "http://testserver/partners/officials/marles-richard/"
    assert 'href="/partners/officials/marles-richard/" hreflang="ja"' in response.content.decode()


def test_a_record_pages_canonical_address_card_and_alternates_leave_out_tracking_parameters(client, records):
    response = client.get("/meetings/2024-05-au-defmin/?utm_source=x&fbclid=1")
    links = head_links(response)
    assert links[("canonical", None)] == "http://testserver/meetings/2024-05-au-defmin/"
    assert meta(response, "og:url") == ["http://testserver/meetings/2024-05-au-defmin/"]
    assert links[("alternate", "en")] == "http://testserver/en/meetings/2024-05-au-defmin/"
    assert links[("alternate", "x-default")] == "http://testserver/meetings/2024-05-au-defmin/"
    assert not disallowed(robots_rules(client), "/meetings/2024-05-au-defmin/")


def test_a_lists_canonical_address_keeps_its_own_filters_alone_in_its_order(client, records):
    response = client.get("/en/meetings/?utm_source=x&year=2024&q=&level=&country=AU&page=1&sort=")
    links = head_links(response)
    assert links[("canonical", None)] == "http://testserver/en/meetings/?country=AU&year=2024"
    assert links[("alternate", "ja")] == "http://testserver/meetings/?country=AU&year=2024"
    assert links[("alternate", "x-default")] == "http://testserver/meetings/?country=AU&year=2024"
    first_page = head_links(client.get("/meetings/?country=AU&page=1"))[("canonical", None)]
    assert first_page == head_links(client.get("/meetings/?country=AU"))[("canonical", None)]
    assert first_page == "http://testserver/meetings/?country=AU"


def test_the_agreements_matrix_on_a_past_day_is_its_own_canonical_address(client, records):
    """The matrix as of 2019-12-01 shows other statuses than today's: its canonical address and
    alternates keep the day (a valid one alone), and leave out what else the address carries."""
    links = head_links(client.get("/en/agreements/matrix/?utm_source=x&as_of=2019-12-01&fbclid=1"))
    assert links[("canonical", None)] == "http://testserver/en/agreements/matrix/?as_of=2019-12-01"
    assert links[("alternate", "ja")] == "http://testserver/agreements/matrix/?as_of=2019-12-01"
    assert links[("alternate", "x-default")] == "http://testserver/agreements/matrix/?as_of=2019-12-01"
    typed = head_links(client.get("/agreements/matrix/?as_of=20191201"))  # the same day, typed otherwise
    assert typed[("canonical", None)] == "http://testserver/agreements/matrix/?as_of=2019-12-01"
    for query in ("?as_of=2019-13-40", "?as_of=", ""):
        links = head_links(client.get("/agreements/matrix/" + query))
        assert links[("canonical", None)] == "http://testserver/agreements/matrix/", query
        assert links[("alternate", "en")] == "http://testserver/en/agreements/matrix/", query


def test_a_later_page_of_a_list_is_its_own_canonical_address(client, records, monkeypatch):
    monkeypatch.setattr(OfficialList, "paginate_by", 1)
    OfficialFactory(slug="conroy-pat", name_en="Pat Conroy", country=records["country"])
    response = client.get("/partners/officials/?page=2&fbclid=1&country=AU&q=")
    canonical = head_links(response)[("canonical", None)]
    assert canonical == "http://testserver/partners/officials/?country=AU&page=2"


def sitemap_entries(client):
    """{address: {hreflang: alternate}} of every section the index lists."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    entries = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        section = ET.fromstring(client.get(loc.text.removeprefix("http://testserver")).content)
        for url in section.iter(f"{SITEMAP}url"):
            entries[url.find(f"{SITEMAP}loc").text] = {
                link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
    return entries


def test_sitemap_lists_every_record_and_list_in_both_languages(client, records):
    entries = sitemap_entries(client)
    for kind in ("meeting", "agreement", "exercise", "engagement", "country", "official"):
        with translation.override("ja"):
            path = records[kind].get_absolute_url()
        ja, en = f"http://testserver{path}", f"http://testserver/en{path}"
        assert ja in entries and en in entries, kind
        assert entries[en] == {"ja": ja, "en": en, "x-default": ja}
    for name in ("meetings:meeting-list", "partners:country-list", "meetings:coverage", "meetings:timeline"):
        with translation.override("ja"):
            path = reverse(name)
        assert f"http://testserver{path}" in entries and f"http://testserver/en{path}" in entries, name
    assert not any("?" in address for address in entries)  # no facet combinations


def test_sitemap_lists_the_sources_offices_and_charts_in_both_languages(client, records):
    source = SourceFactory(key="wp2025")
    office = PositionFactory(key="au-defence-minister", country=records["country"])
    entries = sitemap_entries(client)
    with translation.override("ja"):
        lists = ("meetings:charts", "meetings:source-list", "partners:office-list")
        paths = [source.get_absolute_url(), office.get_absolute_url(), *(reverse(name) for name in lists)]
    for path in paths:
        ja, en = f"http://testserver{path}", f"http://testserver/en{path}"
        assert entries.get(en) == {"ja": ja, "en": en, "x-default": ja}, path
        assert ja in entries, path
        assert not disallowed(robots_rules(client), path), path


def robots_rules(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = [line.split(":", 1) for line in response.content.decode().splitlines() if ":" in line]
    return [(field.strip().lower(), value.strip()) for field, value in lines]


def disallowed(rules, path):
    """Whether a crawler reading ``rules`` as RFC 9309 says (``*`` any characters, ``$`` the
    end, the longest matching rule wins) keeps out of ``path``: Python's robotparser knows no
    wildcards."""
    matching = [(len(pattern), field == "disallow") for field, pattern in rules
                if field in ("allow", "disallow") and pattern
                and re.match(re.escape(pattern).replace(r"\*", ".*").replace(r"\$", "$"), path)]
    return max(matching, key=lambda rule: (rule[0], not rule[1]), default=(0, False))[1]


def test_robots_txt_keeps_crawlers_out_of_facets_and_exports_and_points_to_the_sitemap(client, records):
    rules = robots_rules(client)
    assert ("user-agent", "*") in rules
    assert ("sitemap", "http://testserver/sitemap.xml") in rules
    for path in ("/meetings/?country=AU", "/en/meetings/?country=AU&year=2024", "/meetings/?page=2",
                 "/meetings/export.csv", "/en/meetings/export.csv?country=AU", "/api/meetings/",
                 "/en/api/meetings/", "/data/meetings.csv", "/data/meetings.ndjson", "/data/defrel-2025.zip",
                 "/meetings/export.json"):
        assert disallowed(rules, path), path
    for path in ("/", "/en/", "/meetings/", "/meetings/2024-05-au-defmin/", "/en/partners/countries/AU/",
                 "/data/", "/coverage/", "/feed/", "/sitemap.xml", "/sitemap-meetings.xml?p=2"):
        assert not disallowed(rules, path), path


def test_record_pages_carry_an_open_graph_card(client, records):
    titles = {"meeting": records["meeting"].title_ja, "agreement": "日豪ACSA",
              "exercise": records["exercise"].name_ja, "engagement": records["engagement"].title_ja,
              "country": "オーストラリア", "official": "マールズ"}
    for kind, title in titles.items():
        response = client.get(records[kind].get_absolute_url())
        assert meta(response, "og:title") == [title], kind
        assert meta(response, "og:url") == [head_links(response)[("canonical", None)]], kind
        assert meta(response, "og:type") == ["profile" if kind == "official" else "article"], kind
        assert meta(response, "og:locale") == ["ja_JP"] and meta(response, "og:locale:alternate") == ["en_GB"]
        assert meta(response, "og:description")[0], kind
    english = client.get("/en/meetings/2024-05-au-defmin/")
    assert meta(english, "og:description") == ["They met in Hawaii."]
    assert meta(english, "og:locale") == ["en_GB"] and meta(english, "og:locale:alternate") == ["ja_JP"]
    assert meta(english, "og:url") == ["http://testserver/en/meetings/2024-05-au-defmin/"]
    assert meta(client.get("/meetings/"), "og:title") == []  # lists are not cards


def test_a_missing_page_names_no_canonical_address(client, records):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert ("canonical", None) not in head_links(response)
    assert '<p class="language"><a href="/" hreflang="ja"' in response.content.decode()  # the front page
    assert '<p class="language"><a href="/en/" hreflang="en"' in client.get("/no-such-page/").content.decode()

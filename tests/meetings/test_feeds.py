"""Atom feeds of new and changed records: overall, per partner and per official."""
import re
import xml.etree.ElementTree as ET
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from defrel import stamp
from meetings import feeds
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    ParticipationFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    """[(title, link, published, updated)] of the feed at ``url``, in its order."""
    response = client.get(url)
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [(e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href"),
             e.find(f"{ATOM}published").text, e.find(f"{ATOM}updated").text) for e in feed.iter(f"{ATOM}entry")]


def links(client, url):
    return [e[1].removeprefix("http://testserver") for e in entries(client, url)]


@pytest.fixture
def committed():
    """Writes as if committed: the data stamp changes, as it does after a commit (a test's
    transaction never commits), and what was kept under the old one is not used."""
    @contextmanager
    def writes():
        yield
        stamp.bump()
    return writes


@pytest.fixture
def australia():
    return CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")


def test_a_change_puts_the_record_at_the_top_of_the_feed(client, australia, committed):
    first = MeetingFactory(key="2024-05-au-defmin", countries=[australia])
    MeetingFactory(key="2024-06-au-chod", countries=[australia])
    ExerciseFactory(key="pitch-black-24", countries=[australia])
    assert links(client, reverse("meetings:feed"))[0] == "/exercises/pitch-black-24/"

    with committed():  # a new data stamp, as after an editor's save
        first.title_ja = "日豪防衛相会談(改)"
        first.save()
    found = entries(client, reverse("meetings:feed"))
    assert [link for _t, link, *_ in found][:2] == ["http://testserver/meetings/2024-05-au-defmin/",
                                                    "http://testserver/exercises/pitch-black-24/"]
    title, _link, published, updated = found[0]
    assert "日豪防衛相会談(改)" in title
    assert published < updated  # first written when it was added, updated when it changed


def test_a_new_milestone_puts_its_agreement_at_the_top(client, australia, committed):
    agreement = AgreementFactory(key="au-acsa", parties=[australia])
    MeetingFactory(key="2024-05-au-defmin", countries=[australia])
    assert links(client, reverse("meetings:feed"))[0] == "/meetings/2024-05-au-defmin/"
    with committed():
        AgreementEventFactory(agreement=agreement, kind="entered_into_force", date="2017-09")
    assert links(client, reverse("meetings:feed"))[0] == "/agreements/au-acsa/"


def test_a_partners_feed_lists_its_records_only(client, australia):
    india = CountryFactory(code="IN")
    MeetingFactory(key="2024-05-au-defmin", countries=[australia])
    AgreementFactory(key="au-acsa", parties=[australia])
    EngagementFactory(key="2024-05-au-port-call", countries=[australia])
    MeetingFactory(key="2024-08-in-defmin", countries=[india])
    assert sorted(links(client, reverse("partners:country-feed", args=["AU"]))) == [
        "/agreements/au-acsa/", "/engagements/2024-05-au-port-call/", "/meetings/2024-05-au-defmin/"]
    assert links(client, reverse("partners:country-feed", args=["IN"])) == ["/meetings/2024-08-in-defmin/"]
    assert client.get(reverse("partners:country-feed", args=["XX"])).status_code == 404


def test_a_partners_feed_typed_in_lower_case_leads_to_its_one_address(client, australia):
    """/partners/countries/au/feed/, as a reader may type it, as the partner's page does."""
    MeetingFactory(key="2024-05-au-defmin", countries=[australia])
    for typed, expected in (("au", "/partners/countries/AU/feed/"), ("Au", "/partners/countries/AU/feed/")):
        response = client.get(f"/partners/countries/{typed}/feed/?x=1")
        assert (response.status_code, response["Location"]) == (301, expected + "?x=1")
    english = client.get("/en/partners/countries/au/feed/")
    assert (english.status_code, english["Location"]) == (301, "/en/partners/countries/AU/feed/")
    assert links(client, english["Location"]) == ["/en/meetings/2024-05-au-defmin/"]
    assert client.get("/partners/countries/xx/feed/").status_code == 404


def test_an_officials_feed_typed_in_another_case_leads_to_its_one_address(client, australia):
    """/partners/officials/Marles-Richard/feed/, as the official's page answers it."""
    marles = OfficialFactory(slug="marles-richard", country=australia)
    ParticipationFactory(meeting=MeetingFactory(key="2024-05-au-defmin", countries=[australia]), official=marles)
    english = client.get("/en/partners/officials/Marles-Richard/feed/?x=1")
    assert (english.status_code, english["Location"]) == (301, "/en/partners/officials/marles-richard/feed/?x=1")
    assert links(client, "/en/partners/officials/marles-richard/feed/") == ["/en/meetings/2024-05-au-defmin/"]
    assert client.get("/partners/officials/Nobody/feed/").status_code == 404


@pytest.mark.parametrize("small_scope", [1000, 1])
def test_a_partners_feed_is_the_same_however_many_records_it_has(client, australia, monkeypatch, small_scope):
    """A partner with many records is found through EXISTS instead of a list of ids."""
    monkeypatch.setattr(feeds, "SMALL_SCOPE", small_scope)
    india = CountryFactory(code="IN")
    marles = OfficialFactory(slug="marles-richard", country=australia)
    for key in ("2024-05-au-defmin", "2024-06-au-chod"):
        ParticipationFactory(meeting=MeetingFactory(key=key, countries=[australia]), official=marles)
    MeetingFactory(key="2024-08-in-defmin", countries=[india])
    EngagementFactory(key="2024-05-au-port-call", countries=[australia], officials=[marles])
    EngagementFactory(key="2024-05-in-port-call", countries=[india])
    expected = ["/engagements/2024-05-au-port-call/", "/meetings/2024-06-au-chod/", "/meetings/2024-05-au-defmin/"]
    assert links(client, reverse("partners:country-feed", args=["AU"])) == expected
    assert links(client, reverse("partners:official-feed", args=["marles-richard"])) == expected


def test_an_officials_feed_lists_the_meetings_and_engagements_they_took_part_in(client, australia, committed):
    marles = OfficialFactory(slug="marles-richard", country=australia)
    attended = MeetingFactory(key="2024-05-au-defmin", countries=[australia])
    ParticipationFactory(meeting=attended, official=marles)
    EngagementFactory(key="2024-05-au-port-call", countries=[australia], officials=[marles])
    MeetingFactory(key="2024-06-au-chod", countries=[australia])
    url = reverse("partners:official-feed", args=["marles-richard"])
    assert links(client, url) == ["/engagements/2024-05-au-port-call/", "/meetings/2024-05-au-defmin/"]
    with committed():
        ParticipationFactory(meeting=attended, official=OfficialFactory(country=australia))  # a participant added
    assert links(client, url)[0] == "/meetings/2024-05-au-defmin/"


def test_english_feed_is_in_english_and_links_english_pages(client, australia):
    MeetingFactory(key="2024-05-au-defmin", countries=[australia], title_en="Japan–Australia Defense Ministerial Meeting",
                   summary_en="They met in Hawaii.")
    response = client.get("/en/feed/")
    feed = ET.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    entry = next(feed.iter(f"{ATOM}entry"))
    assert entry.find(f"{ATOM}title").text == "Meeting: Japan–Australia Defense Ministerial Meeting (May 2024)"
    assert entry.find(f"{ATOM}summary").text == "They met in Hawaii."
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/en/meetings/2024-05-au-defmin/"


def test_japanese_feed_titles_its_entries_in_japanese_typography(client, australia):
    MeetingFactory(key="2024-05-au-defmin", countries=[australia], title_ja="日豪防衛相会談", date="2024-05")
    AgreementFactory(key="au-acsa", parties=[australia], title_ja="日豪ACSA")
    titles = {link: title for title, link, _published, _updated in entries(client, "/feed/")}
    assert titles == {"http://testserver/meetings/2024-05-au-defmin/": "会談：日豪防衛相会談（2024年5月）",
                      "http://testserver/agreements/au-acsa/": "協定：日豪ACSA"}


def test_pages_link_the_feeds_they_belong_to(client, australia):
    OfficialFactory(slug="marles-richard", country=australia)
    feed = 'rel="alternate" type="application/atom+xml" href="{}"'
    home = client.get("/").content.decode()
    assert feed.format("/feed/") in home
    country = client.get("/en/partners/countries/AU/").content.decode()
    assert feed.format("/en/feed/") in country and feed.format("/en/partners/countries/AU/feed/") in country
    official = client.get("/partners/officials/marles-richard/").content.decode()
    assert feed.format("/partners/officials/marles-richard/feed/") in official


def test_readers_see_a_link_to_each_feed_on_the_page(client, australia):
    """Browsers no longer show a page's feeds from its head: a reader finds them by a link
    in the page itself, the site's in the footer, a partner's and an official's on theirs."""
    OfficialFactory(slug="marles-richard", country=australia, name_en="Richard Marles", name_ja="マールズ")

    def body(url):
        return client.get(url).content.decode().partition("<body")[2]

    link = '<a href="{}" type="application/atom+xml">{}</a>'
    assert link.format("/feed/", "新規・更新された記録（Atomフィード）") in body("/meetings/")
    assert link.format("/en/feed/", "New and changed records (Atom feed)") in body("/en/")
    assert link.format("/en/partners/countries/AU/feed/", "New and changed records with Australia (Atom feed)") \
        in body("/en/partners/countries/AU/")
    assert link.format("/partners/countries/AU/feed/", "オーストラリアとの新規・更新された記録（Atomフィード）") \
        in body("/partners/countries/AU/")
    assert link.format("/en/partners/officials/marles-richard/feed/",
                       "New and changed records of Richard Marles (Atom feed)") in body("/en/partners/officials/marles-richard/")
    assert link.format("/partners/officials/marles-richard/feed/", "マールズの新規・更新された記録（Atomフィード）") \
        in body("/partners/officials/marles-richard/")


def test_every_feed_names_its_author_as_atom_requires(client, australia):
    """RFC 4287 4.1.1: a feed whose entries name no author names one itself, or feed readers
    and validators refuse it."""
    official = OfficialFactory(slug="marles-richard", country=australia)
    ParticipationFactory(meeting=MeetingFactory(key="2024-05-au-defmin", countries=[australia]), official=official)
    for url in ("/feed/", "/en/partners/countries/AU/feed/", "/partners/officials/marles-richard/feed/"):
        feed = ET.fromstring(client.get(url).content)
        authors = [a.find(f"{ATOM}name").text for a in feed.findall(f"{ATOM}author")]
        assert authors == ["defrel"], url


def feed_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_feed_queries_do_not_grow_with_rows(client, australia, committed):
    marles = OfficialFactory(slug="marles-richard", country=australia)
    urls = [reverse("meetings:feed"), reverse("partners:country-feed", args=["AU"]),
            reverse("partners:official-feed", args=["marles-richard"])]
    counts = []
    for n in (3, 30):
        with committed():
            for i in range(n):
                meeting = MeetingFactory(countries=[australia])
                ParticipationFactory(meeting=meeting, official=marles)
                AgreementEventFactory(agreement=AgreementFactory(parties=[australia]))
                ExerciseFactory(countries=[australia])
                EngagementFactory(countries=[australia], officials=[marles])
        counts.append([feed_queries(client, url) for url in urls])
    assert counts[0] == counts[1]
    assert re.search(r"<entry>", client.get(urls[0]).content.decode())

"""Offices over time: an office's holders in succession as far as the record knows, who came
before and after each (with the gaps the record shows), and whom each met in that office."""
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partners.models import Tenure, successions
from tests.built import built_at_once
from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.pages import text
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
@built_at_once()
def office():
    """Japan's defence minister held by A, then B (from the day A left), then A again after a
    gap; each met a foreign minister once or twice in the office."""
    japan, partner = CountryFactory(code="JP"), CountryFactory(code="AU", name_en="Australia")
    position = PositionFactory(key="jp-minister", country=japan, title_en="Minister of Defense",
                               title_ja="防衛大臣")
    a, b = (OfficialFactory(country=japan, name_en=n, slug=n.lower()) for n in ("Aoki", "Baba"))
    guest, other = (OfficialFactory(country=partner, name_en=n, slug=n.lower()) for n in ("Guest", "Other"))
    first = TenureFactory(official=a, position=position, date="2019-01-10/2021-03")
    middle = TenureFactory(official=b, position=position, date="2021-04-01/2022-06-30")
    last = TenureFactory(official=a, position=position, date="2024-10-01/..")
    for key, date, host, met in (("m1", "2020-05", a, guest), ("m2", "2021-05", b, guest),
                                 ("m3", "2021-06", b, guest), ("m4", "2025-01", a, other)):
        meeting = MeetingFactory(key=key, date=date)
        ParticipationFactory(meeting=meeting, official=host)
        ParticipationFactory(meeting=meeting, official=met)
    return {"position": position, "tenures": (first, middle, last), "a": a, "b": b}


def test_succession_follows_the_record_and_marks_its_gaps(office):
    first, middle, last = office["tenures"]
    around = successions(Tenure.objects.filter(position=office["position"])
                         .select_related("position").in_succession())
    assert around[first] == (None, middle)
    assert around[middle] == (first, last)
    assert around[last] == (middle, None)
    assert not middle.gap_after(first)  # A left in March 2021, B began on 1 April
    assert last.gap_after(middle)  # June 2022 to October 2024: no holder on record


def test_an_office_page_lists_each_tenure_with_its_own_meetings_and_counterparts(client, office):
    with translation.override("en"):
        page = client.get(office["position"].get_absolute_url()).content.decode()
    holders = page[page.index('id="holders"'):]
    # A's two tenures are told apart: one meeting in the first, one in the third.
    aoki_first = holders.index("Aoki")
    baba = holders.index("Baba")
    aoki_again = holders.index("Aoki", baba)
    assert aoki_first < baba < aoki_again
    assert "Guest" in holders[aoki_first:baba] and "Other" not in holders[aoki_first:baba]
    assert "2 meetings in this office" in holders[baba:aoki_again]
    assert "Guest" in holders[baba:aoki_again]
    assert "Other" in holders[aoki_again:] and "Guest" not in holders[aoki_again:]
    assert holders.count("the record knows no holder in between") == 1


def test_an_officials_page_names_predecessor_and_successor(client, office):
    with translation.override("en"):
        page = client.get(office["b"].get_absolute_url()).content.decode()
    offices = page[page.index('id="tenures"'):page.index('id="timeline"')]
    assert "Preceded by" in offices and "Succeeded by" in offices
    assert offices.count(office["a"].get_absolute_url()) == 2  # before and after B
    assert "the record knows no holder in between" in offices  # the gap before A's return


def test_office_pages_take_the_same_queries_whatever_the_holders(client, office):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    url = office["position"].get_absolute_url()
    before = [queries(url), queries("/partners/offices/"), queries(office["a"].get_absolute_url())]
    for n in range(5):
        holder = OfficialFactory(country=office["position"].country)
        TenureFactory(official=holder, position=office["position"], date=f"20{10 + n}-01/20{10 + n}-06")
        meeting = MeetingFactory(key=f"extra-{n}", date=f"20{10 + n}-03")
        ParticipationFactory(meeting=meeting, official=holder)
        ParticipationFactory(meeting=meeting, official=OfficialFactory())
    cache.clear()  # the pages drawn afresh, as before (the test's writes never commit)
    assert [queries(url), queries("/partners/offices/"), queries(office["a"].get_absolute_url())] == before


def test_the_office_list_groups_offices_by_country_japan_first(client, office):
    PositionFactory(country=CountryFactory(code="AU"), title_en="Minister for Defence")
    with translation.override("en"):
        page = client.get("/en/partners/offices/").content.decode()
    assert page.index("Minister of Defense") < page.index("Minister for Defence")


def test_the_partners_offices_are_under_their_regions_in_the_partners_lists_order(client, office):
    """Region headings, in the white paper's order of regions as on the partners' list (the
    offices were in the order of the regions' codes, with no heading to say so)."""
    PositionFactory(country=CountryFactory(code="DJ", name_en="Djibouti", region="africa"),
                    title_en="Minister of Defence of Djibouti")
    PositionFactory(country=CountryFactory(code="AU", name_en="Australia", region="oceania"),
                    title_en="Minister for Defence")
    with translation.override("en"):
        page = client.get("/en/partners/offices/").content.decode()
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page)
    assert headings[1:] == ["Oceania", "Africa"], headings  # oceania before africa, as the list has them
    assert page.index("Minister for Defence") < page.index("Minister of Defence of Djibouti")


def test_the_office_list_downloads_the_offices_and_their_holders_whole(client, office):
    """The list shows every position: it links to the positions and tenures tables, as every
    list links to its rows as data."""
    with translation.override("en"):
        page = client.get("/en/partners/offices/").content.decode()
    assert '<a href="/en/data/positions.csv">Download all: Positions (CSV)</a>' in page
    assert '<a href="/en/data/positions.ndjson">Download all: Positions (NDJSON)</a>' in page
    assert '<a href="/en/data/tenures.csv">Download all: Tenures (CSV)</a>' in page
    listed = set(re.findall(r'href="/en/partners/offices/([^"/]+)/"', page))
    downloaded = client.get("/en/data/positions.csv").getvalue().decode("utf-8-sig").splitlines()[1:]
    assert {row.split(",")[0] for row in downloaded} == listed == {"jp-minister"}
    assert "全件ダウンロード：在任期間（NDJSON）" in client.get("/partners/offices/").content.decode()


def test_a_shared_link_to_an_officials_page_names_their_offices(client, office):
    """An official's page is described (its description and its Open Graph card) by the
    offices held on record, not only by the country's name."""
    def described(url):
        page = client.get(url).content.decode()
        return (re.search(r'<meta name="description" content="([^"]*)"', page).group(1),
                re.search(r'<meta property="og:description" content="([^"]*)"', page).group(1))

    country = office["a"].country
    with translation.override("en"):
        english = described("/en/partners/officials/aoki/")
    assert english == (f"Aoki ({country.name_en}) · Minister of Defense (10 January 2019 – March 2021)"
                       " · Minister of Defense (since 1 October 2024)",) * 2
    assert described("/partners/officials/baba/")[1] == \
        f"{office['b'].name_ja}（{country.name_ja}） · 防衛大臣（2021年4月1日～2022年6月30日）"


def test_the_admin_list_of_officials_names_their_offices_in_the_editors_language(editor_client, office):
    url = reverse("admin:partners_official_changelist")
    assert "防衛大臣（2019年1月10日～2021年3月）" in text(editor_client.get(url))
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text(editor_client.get(url))
    assert "Minister of Defense (" in page and "防衛大臣" not in page

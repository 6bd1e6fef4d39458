"""Where a meeting took place: derived and stored on every write path, filtered and counted
on the meetings list, drawn on the charts page."""
import pytest
import tablib
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from meetings.models import Meeting
from meetings.models.venues import Venue
from meetings.resources import MeetingResource
from tests.meetings.factories import MeetingFactory, OccasionFactory
from tests.pages import text
from tests.partners.factories import CountryFactory
from tests.curated import load_curated

pytestmark = pytest.mark.django_db


def venue(meeting):
    return Meeting.objects.values_list("venue", flat=True).get(pk=meeting.pk)


@pytest.fixture
def places():
    return {code: CountryFactory(code=code, region=region) for code, region in (
        ("JP", "northeast_asia"), ("AU", "oceania"), ("SG", "southeast_asia"))}


def test_the_rule_in_its_order(places):
    jp, au, sg = places["JP"], places["AU"], places["SG"]
    assert venue(MeetingFactory(key="video", countries=[au], host_country=jp, format="video")) == Venue.REMOTE
    assert venue(MeetingFactory(key="margins", countries=[au], host_country=sg,
                                occasion=OccasionFactory())) == Venue.MULTILATERAL
    assert venue(MeetingFactory(key="tokyo", countries=[au], host_country=jp)) == Venue.JAPAN
    assert venue(MeetingFactory(key="canberra", countries=[au], host_country=au)) == Venue.PARTNER
    assert venue(MeetingFactory(key="singapore", countries=[au], host_country=sg)) == Venue.THIRD
    assert venue(MeetingFactory(key="nowhere", countries=[au])) == Venue.UNKNOWN


def test_a_change_of_partners_or_fields_changes_it(places):
    jp, au, sg = places["JP"], places["AU"], places["SG"]
    meeting = MeetingFactory(countries=[au], host_country=sg)
    assert venue(meeting) == Venue.THIRD
    meeting.countries.add(sg)  # Singapore becomes a partner of the meeting
    assert venue(meeting) == Venue.PARTNER
    sg.meetings.remove(meeting)  # from the other side
    assert venue(meeting) == Venue.THIRD
    meeting.countries.clear()
    meeting.host_country = jp
    meeting.save()
    assert venue(meeting) == Venue.JAPAN
    meeting.format = "phone"
    meeting.save(update_fields=["format"])
    assert venue(meeting) == Venue.REMOTE


def test_an_import_stores_it(places):
    headers = MeetingResource().get_export_headers()
    cells = dict.fromkeys(headers, "")
    cells.update(key="2024-05-au-dmm", date="2024-05", count="1", title_ja="日豪防衛相会談",
                 title_en="Japan–Australia Defense Ministerial Meeting", kind="talks", level="ministerial",
                 format="in_person", countries="AU", host_country="AU")
    result = MeetingResource().import_data(tablib.Dataset([cells[h] for h in headers], headers=headers),
                                           dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Meeting.objects.get(key="2024-05-au-dmm").venue == Venue.PARTNER


def test_the_curated_data_knows_where_its_meetings_took_place():
    load_curated()
    assert Meeting.objects.get(key="2024-07-ph-2plus2").venue == Venue.PARTNER  # in Manila
    assert Meeting.objects.exclude(venue=Venue.UNKNOWN).count() > Meeting.objects.filter(venue=Venue.UNKNOWN).count()


def test_the_meetings_list_filters_and_counts_by_it(client, places):
    MeetingFactory(key="in-tokyo", title_en="In Tokyo", countries=[places["AU"]], host_country=places["JP"])
    MeetingFactory(key="by-video", title_en="By video", countries=[places["AU"]], format="video")
    with translation.override("en"):
        page = text(client.get("/en/meetings/", {"venue": "japan"}))
        everything = text(client.get("/en/meetings/"))
    assert "In Tokyo" in page and "By video" not in page
    assert "in Japan 1" in everything and "by video or telephone 1" in everything


def test_the_charts_page_draws_each_picture_in_constant_queries(client, places):
    def queries():
        cache.clear()  # drawn anew (in a test the data stamp stays as it was: nothing commits)
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/en/charts/")
        return len(captured), page.content.decode()

    MeetingFactory(key="a", date="2023-05", countries=[places["AU"]], host_country=places["JP"])
    before, _ = queries()
    for n in range(5):
        MeetingFactory(key=f"b{n}", date=f"20{10 + n}-05", countries=[places["SG"]], host_country=places["SG"])
    after, page = queries()
    assert after == before
    # each bar's numbers, as a screen reader reads them
    assert 'aria-label="Oceania 1"' in page and 'aria-label="in Japan 1"' in page
    assert page.count('aria-label="in the partner&#x27;s country 1"') == 5  # 2010 to 2014
    assert page.count('aria-label="Southeast Asia 1"') == 5

"""sitemap.xml's <lastmod>: the day a record last changed, read from its history."""
import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from defrel.models import Source
from meetings.models import Meeting, Participation
from tests.built import built_at_once
from tests.meetings.factories import MeetingFactory, ParticipationFactory, SourceFactory
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def at(day):
    """A time in the history (03:00 UTC: the same day in Tokyo, the site's time zone)."""
    return datetime.datetime.combine(day, datetime.time(3), tzinfo=datetime.timezone.utc)


def lastmods(client, section):
    """{address: its <lastmod> or None} of a sitemap section."""
    urlset = ET.fromstring(client.get(reverse("sitemap-section", args=[section])).content)
    return {url.findtext(f"{SITEMAP}loc").removeprefix("http://testserver"): url.findtext(f"{SITEMAP}lastmod")
            for url in urlset.iter(f"{SITEMAP}url")}


def test_a_records_lastmod_is_the_day_it_or_its_inline_rows_last_changed(client):
    au = CountryFactory(code="AU")
    edited = MeetingFactory(key="edited", countries=[au])
    attended = MeetingFactory(key="attended", countries=[au])
    Meeting.history.filter(id=edited.pk).update(history_date=at(datetime.date(2024, 5, 1)))
    Meeting.history.filter(id=attended.pk).update(history_date=at(datetime.date(2023, 1, 10)))
    participant = ParticipationFactory(meeting=attended)
    # a participant added later is a change of the meeting's page
    Participation.history.filter(id=participant.pk).update(history_date=at(datetime.date(2025, 2, 3)))
    found = lastmods(client, "meetings")
    assert {found["/meetings/edited/"], found["/en/meetings/edited/"]} == {"2024-05-01"}
    assert {found["/meetings/attended/"], found["/en/meetings/attended/"]} == {"2025-02-03"}


def test_a_record_without_history_has_no_lastmod(client):
    SourceFactory(key="wp2025")
    Source.history.all().delete()  # as written by a bulk load that records no history
    assert lastmods(client, "sources") == {"/sources/wp2025/": None, "/en/sources/wp2025/": None}


@pytest.mark.parametrize("n", [2, 20])
def test_the_sitemaps_queries_do_not_grow_with_its_records(client, django_assert_num_queries, n):
    au = CountryFactory(code="AU")
    with built_at_once():
        for i in range(n):
            ParticipationFactory(meeting=MeetingFactory(key=f"m{i}", countries=[au]))
    with django_assert_num_queries(3):  # the keys, their count, their pages' times
        assert len(lastmods(client, "meetings")) == 2 * n

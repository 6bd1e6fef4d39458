"""One meaning of "in year Y" on every page (DatedQuerySet.in_period): a record counts in every
year its period overlaps, so a meeting over the turn of the year is in both years."""
import re
from datetime import date as calendar_date

import pytest
from django.http import QueryDict
from django.urls import reverse

from meetings.filters import MeetingFilter
from meetings.models import Engagement, Meeting
from meetings.views.profiles import encounters_by_level
from tests.meetings.factories import EngagementFactory, MeetingFactory, ParticipationFactory, SourceFactory
from tests.pages import text
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def turn_of_year():
    korea = CountryFactory(code="KR")
    official = OfficialFactory(slug="shin-won-sik", country=korea)
    for key, date, title in [("kr-turn", "2023-12/2024-01", "年越しの協議"),
                             ("kr-2022", "2022-06", "前年の協議")]:
        meeting = MeetingFactory(key=key, date=date, title_ja=title, countries=[korea])
        ParticipationFactory(meeting=meeting, official=official)
    return korea, official


@pytest.mark.parametrize("year", [2023, 2024])
def test_a_meeting_over_the_turn_of_the_year_is_in_both_years_on_every_page(client, turn_of_year, year):
    pages = {
        "meeting list": reverse("meetings:meeting-list"),
        "timeline": reverse("meetings:timeline"),
        "country profile": reverse("partners:country-detail", args=["KR"]),
        "official page": reverse("partners:official-detail", args=["shin-won-sik"]),
    }
    for name, url in pages.items():
        shown = text(client.get(url, {"year": year}))
        assert "年越しの協議" in shown and "前年の協議" not in shown, name


def test_year_counts_and_charts_count_it_in_both_years(client, turn_of_year):
    facets = MeetingFilter(QueryDict(""), queryset=Meeting.objects.all()).facets(QueryDict(""))
    [years] = [f for f in facets if f.param == "year"]
    assert [(c.value, c.count) for c in years.choices] == [("2024", 1), ("2023", 1), ("2022", 1)]
    chart = encounters_by_level(Meeting.objects.all())
    assert [(bar.label, bar.total) for bar in chart.bars] == [("2024", 1), ("2023", 1), ("2022", 1)]
    html = client.get(reverse("meetings:timeline")).content.decode()
    assert re.findall(r'href="\?year=(\d{4})"', html) == ["2024", "2023", "2022"]


def test_an_open_end_counts_through_the_year_under_way_in_filters_and_counts_alike(client):
    """A meeting "since April 2022" is in every year from 2022 to this one, whatever else is
    counted with it (a partner's meetings alone), and in no year to come, when a source speaks
    for this year."""
    korea = CountryFactory(code="KR")
    this_year = calendar_date.today().year
    MeetingFactory(date="2022-04/..", countries=[korea], source=SourceFactory(key="new", date=f"{this_year}-01"))
    MeetingFactory(date="2024-05", countries=[CountryFactory(code="AU")])
    expected = [(year, 1 + (year == 2024)) for year in range(2022, this_year + 1)]
    assert sorted((r["year"], r["n"]) for r in Meeting.objects.per_year()) == expected
    assert [Meeting.objects.in_period(year).count() for year in (2023, this_year, this_year + 1, 2100)] == [1, 1, 0, 0]
    facets = MeetingFilter(QueryDict("country=KR"), queryset=Meeting.objects.all()).facets(QueryDict("country=KR"))
    [years] = [f for f in facets if f.param == "year"]
    assert sorted((int(c.value), c.count) for c in years.choices) == [(y, 1) for y in range(2022, this_year + 1)]
    for year in (2023, this_year):
        assert MeetingFilter(QueryDict(f"country=KR&year={year}"), queryset=Meeting.objects.all()).qs.count() == 1


def test_an_open_end_counts_no_later_than_the_year_of_the_newest_source():
    """Six talks "since April 2024" in a paper of July 2025 say nothing of the years after it:
    not in its counts, its charts, its year filters nor its profiles' charts."""
    korea = CountryFactory(code="KR")
    MeetingFactory(date="2024-04/..", count=6, level="chiefs_of_defence", countries=[korea],
                   source=SourceFactory(key="wp", date="2025-07"))
    MeetingFactory(date="2019-11-17", countries=[korea], source=SourceFactory(key="old", date="2019-11-17"))
    assert sorted((r["year"], r["n"]) for r in Meeting.objects.per_year()) == [(2019, 1), (2024, 1), (2025, 1)]
    assert [Meeting.objects.in_period(year).count() for year in (2024, 2025, 2026, 2027)] == [1, 1, 0, 0]
    chart = encounters_by_level(Meeting.objects.all())
    assert [(bar.label, bar.total) for bar in chart.bars if bar.total] == [("2025", 6), ("2024", 6), ("2019", 1)]
    assert chart.bars[0].label == "2025"  # no year after the newest source's, empty or not
    assert MeetingFilter(QueryDict("year=2026"), queryset=Meeting.objects.all()).qs.count() == 0


def test_an_open_end_counts_through_the_year_under_way_when_no_source_is_dated():
    this_year = calendar_date.today().year
    MeetingFactory(date="2022-04/..", source=SourceFactory(key="undated", date=""))
    assert [r["year"] for r in sorted(Meeting.objects.per_year(), key=lambda r: r["year"])] == list(
        range(2022, this_year + 1))


def test_an_open_end_beginning_in_a_year_to_come_counts_in_that_year():
    later = calendar_date.today().year + 2
    MeetingFactory(date=f"{later}-04/..")
    assert [(r["year"], r["n"]) for r in Meeting.objects.per_year()] == [(later, 1)]
    assert [Meeting.objects.in_period(year).count() for year in (later - 1, later, later + 1)] == [0, 1, 0]


def test_an_undated_engagement_counts_in_no_year_of_a_count_or_chart():
    EngagementFactory(date="2022")
    EngagementFactory(date="2024-05")
    EngagementFactory(date="")
    assert sorted((r["year"], r["n"]) for r in Engagement.objects.per_year()) == [(2022, 1), (2024, 1)]
    assert sum(Engagement.objects.in_period(year).count() for year in (2022, 2023, 2024)) == 2

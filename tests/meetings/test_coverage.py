"""The page saying what the data covers: every number counted from the database."""
import re

import pytest
from django.urls import reverse

from defrel import stamp
from tests.meetings.factories import (
    AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory, SourceFactory,
)
from tests.pages import get, text
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


def year_row(response, year):
    """The cells of ``year``'s row in the table of records per year."""
    html = response.content.decode()
    table = html[html.index('class="results coverage-years"'):]
    row = re.search(rf"<tr><th scope=\"row\">{year}</th>(.*?)</tr>", table).group(1)
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]


@pytest.fixture
def data():
    australia = CountryFactory(code="AU", name_en="Australia")
    united_states = CountryFactory(code="US", name_en="United States")
    vietnam = SourceFactory(key="vn-2021-defmin", title_en="Japan–Viet Nam Defense Ministerial Meeting (Summary)",
                            date="2021-11-23", publisher_en="Ministry of Defense")
    for month in ("2024-05", "2024-06", "2024-11"):
        MeetingFactory(date=month, countries=[australia])
    MeetingFactory(date="2025-02", countries=[australia, united_states], count=3)
    MeetingFactory(date="2021-09", countries=[australia], source=vietnam)
    ExerciseFactory(date="2024-11", countries=[australia])
    EngagementFactory(date="", countries=[australia])
    AgreementFactory(key="us-au-rdte-arrangement", parties=[united_states, australia],
                     title_en="Japan–Australia–U.S. RDT&E Arrangement")
    return australia, united_states


def test_counts_per_year_come_from_the_database(client, data):
    australia, _ = data
    response = get(client, "meetings:coverage", lang="en")
    # meetings (a record of three encounters counts three, as in the charts), milestones,
    # exercises, engagements, meetings from the White Paper
    assert year_row(response, 2024) == [3, 0, 1, 0, 3]
    assert year_row(response, 2025) == [3, 0, 0, 0, 3]
    assert year_row(response, 2021) == [1, 0, 0, 0, 0]
    page = text(response)
    assert "In the charts, 2024 holds 3 of the 7 meetings counted (43%)." in page
    assert "3 of the 6 meetings counted from it are in 2024, and its latest record is dated February 2025" in page
    assert "0 exercises and 1 engagements have no date of their own" in page

    MeetingFactory(date="2024-12", countries=[australia])
    stamp.bump()  # as after a commit (a test's transaction never commits)
    assert year_row(get(client, "meetings:coverage", lang="en"), 2024) == [4, 0, 1, 0, 4]


def test_each_source_with_its_records_and_the_period_they_span(client, data):
    page = text(get(client, "meetings:coverage", lang="en"))
    assert ("Defense of Japan 2025 publisher not recorded in the text · July 2025 4 0 1 1 May 2024 to February 2025"
            in page)
    assert re.search(r"Japan–Viet Nam Defense Ministerial Meeting \(Summary\) Ministry of Defense · "
                     r"[^·]*2021 1 0 0 0 September 2021 ", page), page
    assert page.index("Defense of Japan 2025") < page.index("Japan–Viet Nam")  # the long source first


def test_what_is_not_in_the_data_names_the_alliance_and_counts_what_the_us_appears_in(client, data):
    page = text(get(client, "meetings:coverage", lang="en"))
    assert "None of the five documents lists a Japan–US alliance agreement" in page
    assert "Meetings with the United States as the only partner: 0." in page
    assert "The United States appears in the data's meetings only beside other partners." in page
    assert re.search(r"Japan–Australia–U\.S\. RDT&amp;E Arrangement \((United States, Australia|Australia, United States)\)", page), page

    MeetingFactory(date="2024-07", countries=[data[1]])
    stamp.bump()
    page = text(get(client, "meetings:coverage", lang="en"))
    assert "Meetings with the United States as the only partner: 1." in page
    assert "only beside other partners" not in page


def test_every_footer_and_every_chart_links_the_page(client, data):
    coverage = reverse("meetings:coverage")
    home = client.get(reverse("meetings:home")).content.decode()
    footer = home[home.index('<footer class="site-footer">'):]
    assert f'href="{coverage}"' in footer
    chart = home[home.index('<figure class="chart">'):home.index("</figure>")]
    assert f'href="{coverage}#per-year"' in chart
    profile = client.get(data[0].get_absolute_url()).content.decode()
    assert f'href="{coverage}#per-year"' in profile[profile.index('<figure class="chart">'):]
    english = client.get("/en/meetings/").content.decode()
    assert 'href="/en/coverage/"' in english[english.index('<footer class="site-footer">'):]


def test_the_page_is_in_both_languages(client, data):
    japanese = get(client, "meetings:coverage")
    assert japanese.content.decode().startswith("<!doctype html>") and '<html lang="ja">' in japanese.content.decode()
    assert year_row(japanese, 2024) == [3, 0, 1, 0, 3]
    english = get(client, "meetings:coverage", lang="en")
    assert "<h1>What the data covers</h1>" in english.content.decode()


def test_a_sources_date_is_called_its_date_not_its_publication(client, data):
    # A press conference's record is dated by the day it was held, not the day it was posted.
    html = get(client, "meetings:coverage", lang="en").content.decode()
    head = html[html.index('class="results coverage-sources"'):].split("</thead>")[0]
    assert '<th scope="col">Date</th>' in head and "Published" not in head


def test_the_page_says_through_which_year_an_open_end_counts(client, data):
    """The newest source's year: the charts count nothing of the years after it."""
    MeetingFactory(date="2024-04/..", count=6)  # from the White Paper of 2025-07
    page = text(get(client, "meetings:coverage", lang="en"))
    assert "counts in every year through 2025, the year of the newest source" in page
    assert "最も新しい出典の年である2025年まで" in text(get(client, "meetings:coverage"))
    assert year_row(get(client, "meetings:coverage", lang="en"), 2025) == [9, 0, 0, 0, 9]

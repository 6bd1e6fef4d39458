"""The reader's side of engagements: the list with its facets, an engagement's page, the CSV
export, and their place on the timeline, the country and the official pages."""
import re

import pytest
from django.urls import reverse

from meetings.resources import EngagementResource
from tests.meetings.factories import (
    AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory, SourceFactory,
)
from tests.meetings.test_exports import download, rows
from tests.meetings.test_views_lists import facet_counts, page
from tests.pages import get, text
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ph():
    return CountryFactory(code="PH", name_ja="フィリピン", name_en="Philippines")


@pytest.fixture
def vn():
    return CountryFactory(code="VN", name_ja="ベトナム", name_en="Viet Nam")


@pytest.fixture
def some(ph, vn):
    """A port call and a planned OSA delivery with the Philippines, capacity building with
    Viet Nam, and an undated equipment transfer to both."""
    return {
        "port": EngagementFactory(key="ph-port", date="2024-05", countries=[ph], services="msdf",
                                  title_ja="護衛艦「むらさめ」のマニラ寄港", title_en="JS Murasame at Manila"),
        "osa": EngagementFactory(key="ph-osa", kind="osa", status="planned", date="2025-03", countries=[ph],
                                 services="", japan_side_ja="", title_ja="沿岸監視レーダーの供与", title_en="Coastal radar delivery"),
        "cb": EngagementFactory(key="vn-cb", kind="capacity_building", date="2023-11", countries=[vn],
                                services="gsdf|asdf", japan_side_ja="陸上自衛隊", title_ja="人道支援・災害救援セミナー",
                                title_en="HA/DR seminar"),
        "undated": EngagementFactory(key="undated-transfer", kind="equipment_transfer", date="",
                                     countries=[ph, vn], services="", japan_side_ja="",
                                     title_ja="装備品の移転",
                                     title_en="Equipment transfer"),
    }


# --- the list ---------------------------------------------------------------------------------

def test_the_list_shows_every_engagement_newest_first_the_undated_last(client, some):
    html = page(client, "meetings:engagement-list")
    order = [html.index(some[k].title_ja) for k in ("osa", "port", "cb", "undated")]
    assert order == sorted(order)
    assert "2024年5月" in html and "2023年11月" in html
    english = page(client, "meetings:engagement-list", lang="en")
    assert "4 engagements" in english and "May 2024" in english and "undated" in english
    assert "planned or announced" in english


def test_oldest_first_still_puts_the_undated_last(client, some):
    html = page(client, "meetings:engagement-list", "?sort=date")
    order = [html.index(some[k].title_ja) for k in ("cb", "port", "osa", "undated")]
    assert order == sorted(order)


@pytest.mark.parametrize("query, shown", [
    ("?kind=osa", {"osa"}),
    ("?status=planned", {"osa"}),
    ("?country=VN", {"cb", "undated"}),
    ("?country=PH&country=VN", {"undated"}),
    ("?year=2024", {"port"}),
    ("?service=asdf", {"cb"}),
    ("?service=msdf", {"port"}),
    ("?q=むらさめ", {"port"}),
    ("?q=radar", {"osa"}),
])
def test_each_filter_keeps_the_engagements_it_names(client, some, query, shown):
    html = page(client, "meetings:engagement-list", query)
    assert {k for k, e in some.items() if e.title_ja in html} == shown


def test_facets_count_what_each_choice_would_give(client, some):
    html = page(client, "meetings:engagement-list", "?country=PH", lang="en")
    assert facet_counts(html, "country") == {"Philippines": 3, "Viet Nam": 1}
    assert facet_counts(html, "kind") == {"port call": 1, "equipment transfer": 1,
                                          "Official Security Assistance": 1}
    assert facet_counts(html, "status") == {"carried out": 2, "planned or announced": 1}
    assert facet_counts(html, "year") == {"2025": 1, "2024": 1}  # the undated in no year
    assert facet_counts(html, "service") == {"MSDF": 1}
    assert facet_counts(page(client, "meetings:engagement-list", lang="en"), "service") == {
        "GSDF": 1, "MSDF": 1, "ASDF": 1}


def test_the_list_has_pages(client, ph, monkeypatch):
    from meetings.views import lists

    monkeypatch.setattr(lists, "PER_PAGE", 2)
    for i in range(5):
        EngagementFactory(key=f"e{i}", date=f"2020-0{i + 1}", countries=[ph], title_ja=f"寄港{i}")
    first, last = page(client, "meetings:engagement-list"), page(client, "meetings:engagement-list", "?page=3")
    assert "寄港4" in first and "寄港3" in first and "寄港2" not in first
    assert "寄港0" in last and "寄港4" not in last


# --- the detail page --------------------------------------------------------------------------

def test_the_detail_page_shows_every_field_and_links(client, ph):
    minister = OfficialFactory(slug="nakatani-gen", name_ja="中谷元", name_en="Nakatani Gen")
    agreement = AgreementFactory(key="ph-osa-notes", title_ja="OSAに関する交換公文", parties=[ph])
    meeting = MeetingFactory(key="2024-07-ph-2plus2", title_ja="日比「2+2」", countries=[ph])
    exercise = ExerciseFactory(key="kamandag", name_ja="カマンダグ", countries=[ph])
    EngagementFactory(
        key="ph-osa-radar", kind="osa", status="planned", date="2024-05", countries=[ph],
        title_ja="沿岸監視レーダーの供与", title_en="Coastal radar delivery",
        japan_side_ja="防衛装備庁", japan_side_en="ATLA", services="joint", officials=[minister],
        location_ja="マニラ", location_en="Manila", host_country=ph, agreement=agreement,
        meeting=meeting, exercise=exercise, summary_ja="レーダーを供与する。",
        summary_en="Radars are to be delivered.", source=SourceFactory(),
        source_excerpt="フィリピンに対し沿岸監視レーダーを供与することを決定した")
    html = page(client, "meetings:engagement-detail", "", "ph-osa-radar")
    for shown in ("<h1>沿岸監視レーダーの供与</h1>", "2024年5月", "防衛装備庁", "マニラ", "レーダーを供与する。",
                  "フィリピンに対し沿岸監視レーダーを供与することを決定した", "令和7年版防衛白書"):
        assert shown in html, shown
    for record in (ph, minister, agreement, meeting, exercise):
        assert f'href="{record.get_absolute_url()}"' in html, record
    assert f'href="{reverse("meetings:engagement-list")}?country=PH"' in html
    english = page(client, "meetings:engagement-detail", "", "ph-osa-radar", lang="en")
    for shown in ("<h1>Coastal radar delivery</h1>", "May 2024", "Official Security Assistance",
                  "planned or announced", "ATLA", "Manila", "Nakatani Gen", "Radars are to be delivered.",
                  "Joint"):
        assert shown.lower() in english.lower(), shown


def test_an_undated_engagement_reads_undated(client, some):
    assert "undated" in page(client, "meetings:engagement-detail", "", "undated-transfer", lang="en")


def test_an_unknown_engagement_is_not_found(client):
    assert client.get(reverse("meetings:engagement-detail", args=["nope"])).status_code == 404


# --- the export -------------------------------------------------------------------------------

def test_the_export_has_the_resource_columns_and_the_listed_rows_in_order(client, some):
    text_ = download(client, "meetings:engagement-export", "?country=PH")
    assert text_.startswith("\ufeff" + ",".join(EngagementResource().get_export_headers()))
    exported = rows(text_)
    assert [r["key"] for r in exported] == ["ph-osa", "ph-port", "undated-transfer"]
    port = exported[1]
    assert (port["kind"], port["date"], port["date_lower"], port["date_upper"]) == (
        "port_call", "2024-05", "2024-05-01", "2024-05-31")
    assert port["countries"] == "PH" and port["services"] == "msdf"
    assert (exported[2]["date"], exported[2]["date_lower"]) == ("", "")
    assert exported[2]["countries"] == "PH|VN"
    assert [r["key"] for r in rows(download(client, "meetings:engagement-export", "?service=asdf"))] == ["vn-cb"]


def test_export_cells_are_formula_safe(client, ph):
    EngagementFactory(title_en="=HYPERLINK(\"http://evil.example\",\"x\")", countries=[ph])
    [row] = rows(download(client, "meetings:engagement-export"))
    assert row["title_en"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"


# --- the timeline and the profiles ------------------------------------------------------------

def test_the_timeline_shows_dated_engagements_and_not_the_undated(client, some):
    shown = text(get(client, "meetings:timeline"))
    assert "護衛艦「むらさめ」のマニラ寄港" in shown and "人道支援・災害救援セミナー" in shown
    assert "装備品の移転" not in shown
    only = text(get(client, "meetings:timeline", kind="engagement", year="2024", lang="en"))
    assert "JS Murasame at Manila" in only and "HA/DR seminar" not in only
    assert "May 2024" in only


def test_the_country_profile_shows_its_engagements_and_its_undated_apart(client, some):
    response = get(client, "partners:country-detail", "PH")
    timeline = text(response, start="timeline")
    assert "護衛艦「むらさめ」のマニラ寄港" in timeline and "2024年5月" in timeline
    assert "人道支援・災害救援セミナー" not in timeline
    undated = text(response, start="undated")
    assert "装備品の移転" in undated and "護衛艦「むらさめ」のマニラ寄港" not in undated
    html = response.content.decode()
    dated_part = html[html.index('id="timeline"'):html.index('id="undated"')]
    assert "装備品の移転" not in dated_part
    # Narrowed to a year, the undated (in no year) are not listed.
    assert 'id="undated"' not in get(client, "partners:country-detail", "PH", year="2024").content.decode()


def test_the_country_profile_charts_engagements_by_the_period_rule(client, some, ph):
    EngagementFactory(key="ph-span", date="2022-12/2023-01", countries=[ph])
    html = get(client, "partners:country-detail", "PH", lang="en").content.decode()
    chart = html[html.index('id="engagements-per-year"'):]
    bars = re.findall(r'<th scope="row">(\d{4})</th>.*?<td class="num">(\d+)</td>', chart, re.S)
    assert bars[:4] == [("2025", "1"), ("2024", "1"), ("2023", "1"), ("2022", "1")]


def test_the_official_page_shows_the_engagements_naming_them(client, ph):
    official = OfficialFactory(slug="nakatani-gen", country=ph)
    EngagementFactory(key="with", title_ja="部隊間交流", date="2024-05", countries=[ph], officials=[official])
    EngagementFactory(key="undated-with", title_ja="留学生の受入れ", date="", countries=[ph], officials=[official])
    EngagementFactory(key="without", title_ja="別の寄港", date="2024-05", countries=[ph])
    response = get(client, "partners:official-detail", "nakatani-gen")
    html = response.content.decode()
    dated_part = html[html.index('id="timeline"'):html.index('id="undated"')]
    assert "部隊間交流" in dated_part and "2024年5月" in dated_part
    assert "留学生の受入れ" in text(response, start="undated")
    assert "別の寄港" not in html


def test_counts_and_navigation_name_engagements(client, some, ph):
    home = text(get(client, "meetings:home", lang="en"))
    assert "4 engagements" in home
    assert f'href="{reverse("meetings:engagement-list")}"' in get(client, "meetings:home").content.decode()
    countries = text(get(client, "partners:country-list", lang="en"), start="region-1")
    assert re.search(r"Philippines — 0 0 0 3 ", countries)


def test_a_meeting_lists_the_engagements_announced_at_it(client, ph):
    meeting = MeetingFactory(countries=[ph], key="ph-talks")
    EngagementFactory(key="ph-port", countries=[ph], meeting=meeting, title_ja="フィリピンへの寄港", date="2024-06")
    shown = text(client.get(reverse("meetings:meeting-detail", args=["ph-talks"])))
    assert "この会談で発表されたその他の交流" in shown and "フィリピンへの寄港" in shown and "2024年6月" in shown
    quiet = MeetingFactory(countries=[ph], key="ph-quiet")
    assert "この会談で発表された" not in text(client.get(quiet.get_absolute_url()))

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bench.synth import synth
from meetings.filters import MeetingFilter
from meetings.models import Meeting
from meetings.views import lists
from partners.models import Country
from tests.built import built_at_once
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory, OccasionFactory,
    ParticipationFactory, SourceFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def au():
    return CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")


@pytest.fixture
def us():
    return CountryFactory(code="US", name_ja="米国", name_en="United States")


def page(client, name, query="", *args, lang="ja"):
    """The page's HTML; interface wording is checked on the English page (lang="en"), since
    the Japanese catalogue translates it."""
    with translation.override(lang):  # restored afterwards, so reverse() in tests stays Japanese
        response = client.get(reverse(name, args=args) + query)
    assert response.status_code == 200
    return response.content.decode()


def facet_counts(html, param):
    """{label: count} of one facet."""
    section = html.split(f'id="facet-{param}"', 1)[1].split("</ul>", 1)[0]
    return {
        re.sub(r"<[^>]+>.*", "", label).strip(): int(n)
        for label, n in re.findall(r'<a [^>]*>(.*?) <span class="count">(\d+)</span>', section, re.S)
    }


# --- meeting list -----------------------------------------------------------------------------

def test_meeting_list_shows_meetings_newest_first_with_partial_dates(client, au):
    MeetingFactory(key="old", date="2023", title_ja="日豪防衛相会談", countries=[au])
    MeetingFactory(key="new", date="2024-05", title_ja="日豪首脳会談", countries=[au])
    html = page(client, "meetings:meeting-list")
    assert html.index("日豪首脳会談") < html.index("日豪防衛相会談")
    assert "2024年5月" in html and "2023年" in html
    assert "2 meetings" in page(client, "meetings:meeting-list", lang="en")


def test_sort_date_puts_the_oldest_first(client, au):
    MeetingFactory(date="2023", title_ja="古い会談", countries=[au])
    MeetingFactory(date="2024-05", title_ja="新しい会談", countries=[au])
    html = page(client, "meetings:meeting-list", "?sort=date")
    assert html.index("古い会談") < html.index("新しい会談")


def test_english_pages_show_english_titles(client, au):
    MeetingFactory(date="2024-05", countries=[au])
    html = client.get("/en/meetings/").content.decode()
    assert "Japan–Australia Defense Ministerial Meeting" in html
    assert "May 2024" in html


def test_country_filter_keeps_only_meetings_with_that_partner(client, au, us):
    MeetingFactory(title_ja="日豪会談", countries=[au])
    MeetingFactory(title_ja="日米会談", countries=[us])
    html = page(client, "meetings:meeting-list", "?country=AU")
    assert "日豪会談" in html and "日米会談" not in html


def test_repeated_countries_select_meetings_with_all_of_them(client, au, us):
    MeetingFactory(title_ja="日豪会談", countries=[au])
    MeetingFactory(title_ja="日米豪会談", countries=[au, us])
    html = page(client, "meetings:meeting-list", "?country=AU&country=US")
    assert "日米豪会談" in html and "日豪会談" not in html


def test_country_facet_counts_the_filtered_meetings_of_each_partner(client, au, us):
    kr = CountryFactory(code="KR", name_ja="韓国", name_en="Korea")
    MeetingFactory(countries=[au])
    MeetingFactory(countries=[au, us])
    MeetingFactory(countries=[au, us, kr])
    MeetingFactory(countries=[us])
    assert facet_counts(page(client, "meetings:meeting-list"), "country") == {
        "オーストラリア": 3, "米国": 3, "韓国": 1,
    }
    # Within the Australian meetings: the United States is in two of them, Korea in one.
    assert facet_counts(page(client, "meetings:meeting-list", "?country=AU"), "country") == {
        "オーストラリア": 3, "米国": 2, "韓国": 1,
    }


def test_official_facet_counts_meetings_per_participant(client, au):
    kihara = OfficialFactory(slug="kihara-minoru", name_ja="木原稔", name_en="Kihara Minoru")
    marles = OfficialFactory(slug="marles-richard", name_ja="マールズ", name_en="Richard Marles", country=au)
    for officials in ([kihara, marles], [kihara], [marles]):
        meeting = MeetingFactory(countries=[au])
        for official in officials:
            ParticipationFactory(meeting=meeting, official=official)
    html = page(client, "meetings:meeting-list", "?official=kihara-minoru", lang="en")
    assert facet_counts(html, "official") == {"Kihara Minoru": 2, "Richard Marles": 1}
    assert "1 meeting" not in html and "2 meetings" in html


def test_single_valued_facets_count_what_choosing_them_would_give(client, au):
    MeetingFactory(level="ministerial", countries=[au])
    MeetingFactory(level="ministerial", countries=[au])
    MeetingFactory(level="leaders", countries=[au])
    html = page(client, "meetings:meeting-list", "?level=leaders", lang="en")
    counts = facet_counts(html, "level")
    assert counts["ministerial"] == 2 and counts["leaders"] == 1
    assert "1 meeting" in html


def test_facet_links_keep_the_other_filters_and_reset_the_page(client, au, us):
    MeetingFactory(countries=[au, us], level="ministerial")
    html = page(client, "meetings:meeting-list", "?country=AU&q=%E4%BC%9A%E8%AB%87&page=1")
    assert "?country=AU&amp;country=US&amp;q=%E4%BC%9A%E8%AB%87" in html
    assert "?country=AU&amp;q=%E4%BC%9A%E8%AB%87&amp;level=ministerial" in html
    # the selected choice links to the list without it
    assert 'href="?q=%E4%BC%9A%E8%AB%87" aria-current="true"' in html


def test_removing_the_only_filter_links_to_the_list_unfiltered(client, au):
    MeetingFactory(countries=[au])
    html = page(client, "meetings:meeting-list", "?country=AU")
    assert '<a href="." aria-current="true">オーストラリア' in html
    assert 'href="?"' not in html


def test_year_filter_and_facet_count_an_interval_in_each_year(client, au):
    MeetingFactory(title_ja="年越しの協議", date="2023-12/2024-01", countries=[au])
    MeetingFactory(title_ja="五月の会談", date="2024-05", countries=[au])
    html = page(client, "meetings:meeting-list", "?year=2023")
    assert "年越しの協議" in html and "五月の会談" not in html
    assert facet_counts(html, "year") == {"2024": 2, "2023": 1}


def test_month_filter_needs_a_year_and_narrows_to_the_month(client, au):
    MeetingFactory(title_ja="五月の会談", date="2024-05-17", countries=[au])
    MeetingFactory(title_ja="六月の会談", date="2024-06", countries=[au])
    html = page(client, "meetings:meeting-list", "?year=2024&month=5")
    assert "五月の会談" in html and "六月の会談" not in html
    assert "Choose a year to filter by month." in page(client, "meetings:meeting-list", "?month=5",
                                                        lang="en")


def test_the_years_beside_a_month_lead_to_the_whole_year_they_count(client, au):
    """The year facet counts whole years; its links leave the month behind (a link keeping it
    led to fewer meetings than it said, and the chosen year's own to "choose a year")."""
    MeetingFactory(title_ja="五月の会談", date="2024-05-17", countries=[au])
    MeetingFactory(title_ja="六月の会談", date="2025-06", countries=[au])
    filterset = MeetingFilter(QueryDict("year=2024&month=5"), queryset=Meeting.objects.all())
    (years,) = [f for f in filterset.facets(QueryDict("year=2024&month=5")) if f.param == "year"]
    assert {c.value: (c.count, c.href) for c in years.choices} == {
        "2025": (1, "?year=2025"), "2024": (1, ".")}


@pytest.mark.parametrize("query", ["?year=abc", "?year=20245", "?month=13&year=2024", "?country=XX",
                                   "?level=emperor", "?sort=sideways", "?page=999", "?occasion=nope"])
def test_bad_filter_values_give_a_message_not_an_error(client, au, query):
    MeetingFactory(title_ja="日豪防衛相会談", countries=[au])
    html = page(client, "meetings:meeting-list", query)
    assert "日豪防衛相会談" in html  # the other filters (none) still apply
    if query != "?page=999":
        assert 'role="alert"' in html


def test_search_finds_japanese_and_english_titles_and_names(client, au):
    MeetingFactory(title_ja="日豪防衛相会談", title_en="Japan–Australia Defense Ministerial Meeting",
                   countries=[au])
    MeetingFactory(title_ja="日米首脳会談", title_en="Japan–U.S. Summit", countries=[CountryFactory()])
    assert "日豪防衛相会談" in page(client, "meetings:meeting-list", "?q=Australia")
    assert "日米首脳会談" not in page(client, "meetings:meeting-list", "?q=Australia")
    assert "日米首脳会談" in page(client, "meetings:meeting-list", "?q=首脳")


def test_search_finds_a_meeting_by_the_aliases_of_an_agreement_signed_there(client, au):
    meeting = MeetingFactory(title_ja="日韓防衛相会談", countries=[au])
    MeetingFactory(title_ja="無関係の会談", countries=[au])
    gsomia = AgreementFactory(title_ja="日韓秘密軍事情報保護協定", short_name="GSOMIA",
                              aliases="秘密軍事情報保護協定\n情報保護協定")
    AgreementEventFactory(agreement=gsomia, meeting=meeting, kind="signed", date="2016-11")
    for q in ("GSOMIA", "情報保護協定"):
        html = page(client, "meetings:meeting-list", f"?q={q}")
        assert "日韓防衛相会談" in html and "無関係の会談" not in html


def test_meeting_list_has_fifty_rows_a_page(client, au):
    with built_at_once():
        MeetingFactory.create_batch(51, countries=[au])
    first = page(client, "meetings:meeting-list")
    assert first.count('<th scope="row">') == 50
    assert "?page=2" in first
    assert page(client, "meetings:meeting-list", "?page=2").count('<th scope="row">') == 1


def test_export_link_carries_the_same_filters(client, au):
    MeetingFactory(countries=[au])
    html = page(client, "meetings:meeting-list", "?country=AU&year=2024&page=1")
    assert reverse("meetings:meeting-export") + "?country=AU&amp;year=2024" in html


@pytest.mark.parametrize("name, export", [
    ("meetings:meeting-list", "meetings:meeting-export"), ("meetings:exercise-list", "meetings:exercise-export"),
    ("meetings:agreement-list", "meetings:agreement-export"),
    ("meetings:engagement-list", "meetings:engagement-export"), ("partners:official-list", "partners:official-export"),
])
def test_export_link_leaves_out_a_filter_the_list_refused(client, au, name, export):
    """The list shows the error and its rows without that filter: its export link gives
    those rows (the export itself refuses the bad value)."""
    html = page(client, name, "?country=XX&party=XX&year=abc&kind=x&utm_source=y&q=z&page=1")
    links = re.findall(r'href="(' + re.escape(reverse(export)) + r'[^"]*)"', html)
    assert links == [reverse(export) + "?q=z"]


@built_at_once()
def many_meetings(n):
    au = CountryFactory(code="AU")
    occasion = OccasionFactory()
    for i in range(n):
        meeting = MeetingFactory(countries=[au, CountryFactory()], occasion=occasion)
        for _ in range(2):
            tenure = TenureFactory()
            ParticipationFactory(meeting=meeting, official=tenure.official)


@pytest.mark.parametrize("n", [3, 30])
def test_meeting_list_queries_do_not_grow_with_rows(client, django_assert_max_num_queries, n):
    many_meetings(n)
    with django_assert_max_num_queries(21):  # + the "where" facet; + the names of partners, officials, occasions counted; + the name boxes' suggestions
        html = page(client, "meetings:meeting-list",
                    "?country=AU&year=2024&occasion=shangri-la&level=ministerial", lang="en")
    assert f"{n} meetings" in html


# --- meeting detail ---------------------------------------------------------------------------

@pytest.fixture
def kihara():
    official = OfficialFactory(slug="kihara-minoru", name_ja="木原稔", name_en="Kihara Minoru")
    TenureFactory(official=official, date="2023-09-13/2024-10-01",
                  position=PositionFactory(country=official.country, title_ja="防衛大臣",
                                           title_en="Minister of Defense"))
    TenureFactory(official=official, date="2024-10-02/..",
                  position=PositionFactory(country=official.country, title_ja="内閣官房長官",
                                           title_en="Chief Cabinet Secretary"))
    return official


def test_meeting_detail_shows_the_title_each_participant_held_that_day(client, au, kihara):
    then = MeetingFactory(key="2024-05-au-defmin", date="2024-05", countries=[au])
    later = MeetingFactory(key="2025-01-au", date="2025-01", countries=[au])
    for meeting in (then, later):
        ParticipationFactory(meeting=meeting, official=kihara)
    html = page(client, "meetings:meeting-detail", "", "2024-05-au-defmin")
    assert "防衛大臣 <a href=\"%s\">木原稔</a>" % reverse("partners:official-detail", args=["kihara-minoru"]) in html
    assert "内閣官房長官" not in html
    assert "内閣官房長官" in page(client, "meetings:meeting-detail", "", "2025-01-au")


def test_meeting_detail_says_how_each_participant_is_known(client, au, kihara):
    meeting = MeetingFactory(key="m", date="2024-05", countries=[au])
    ParticipationFactory(meeting=meeting, official=kihara, known_from="excerpt")
    ParticipationFactory(meeting=meeting, official=OfficialFactory(name_en="Richard Marles", country=au),
                         known_from="public_record")
    html = re.sub(r"\s+", " ", page(client, "meetings:meeting-detail", "", "m", lang="en"))
    items = re.findall(r"<li>.*?</li>", html.split('class="participants"')[1])[:2]
    (kihara_item,) = [i for i in items if "Kihara Minoru" in i]
    (marles_item,) = [i for i in items if "Richard Marles" in i]
    assert "named in the quoted sentence" in kihara_item and "public record" not in kihara_item
    assert "Richard Marles" in marles_item and "identified from public record" in marles_item
    assert "One participant is not named for this meeting in the source" in html


def test_meeting_detail_shows_the_record_and_its_source(client, au):
    exercise = ExerciseFactory(name_ja="タリスマン・セイバー")
    meeting = MeetingFactory(key="m", date="2024-05", count=6, title_ja="日豪防衛相会談",
                             location_ja="ハワイ", occasion=OccasionFactory(), sequence=11,
                             summary_ja="防衛協力について議論", countries=[au])
    meeting.exercises.add(exercise)
    raa = AgreementFactory(title_ja="日豪円滑化協定", short_name="RAA")
    AgreementEventFactory(agreement=raa, meeting=meeting, kind="signed", date="2024-05")
    html = page(client, "meetings:meeting-detail", "", "m")
    for text in ("<h1>日豪防衛相会談</h1>", "2024年5月", "ハワイ", "シャングリラ会合",
                 "防衛協力について議論", "タリスマン・セイバー", "日豪円滑化協定"):
        assert text in html, text
    english = page(client, "meetings:meeting-detail", "", "m", lang="en")
    assert "6 encounters" in english and "No. 11" in english
    assert '<blockquote class="excerpt" lang="ja"><p>2024年5月、木原防衛大臣(当時)' in html
    assert "令和7年版防衛白書" in html
    assert reverse("partners:country-detail", args=["AU"]) in html
    assert reverse("meetings:meeting-list") + "?country=AU" in html
    assert reverse("meetings:agreement-detail", args=[raa.key]) in html
    assert reverse("meetings:exercise-detail", args=[exercise.key]) in html


def test_unknown_meeting_is_not_found(client):
    response = client.get(reverse("meetings:meeting-detail", args=["no-such-meeting"]))
    assert response.status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_meeting_detail_queries_do_not_grow_with_participants(client, django_assert_max_num_queries, n):
    with built_at_once():
        meeting = MeetingFactory(key="m", countries=[CountryFactory() for _ in range(n)])
        for _ in range(n):
            ParticipationFactory(meeting=meeting, official=TenureFactory().official)
            AgreementEventFactory(meeting=meeting)
    with django_assert_max_num_queries(6):
        html = page(client, "meetings:meeting-detail", "", "m")
    assert html.count("役職") == n


@pytest.mark.parametrize("milestones, exercises, engagements, queries",
                         [(0, 0, 0, 4), (1, 0, 0, 5), (0, 1, 0, 5), (0, 0, 1, 5), (2, 2, 2, 7)])
def test_meeting_detail_asks_for_milestones_exercises_and_engagements_only_when_there_are_some(
        client, django_assert_num_queries, milestones, exercises, engagements, queries):
    """The meeting, its participants with their titles, its partners; then its agreement
    milestones, exercises and the engagements announced at it only if it has any
    (MeetingQuerySet.for_page)."""
    meeting = MeetingFactory(key="m", countries=[CountryFactory()])
    ParticipationFactory(meeting=meeting, official=TenureFactory().official)
    for i in range(milestones):
        AgreementEventFactory(meeting=meeting, agreement__title_ja=f"試験協定{i}")
    meeting.exercises.set(ExerciseFactory(name_ja=f"試験演習{i}") for i in range(exercises))
    for i in range(engagements):
        EngagementFactory(meeting=meeting, title_ja=f"試験寄港{i}")
    with django_assert_num_queries(queries):
        html = page(client, "meetings:meeting-detail", "", "m")
    assert html.count("試験協定") == milestones and html.count("試験演習") == exercises
    assert html.count("試験寄港") == engagements
    english = page(client, "meetings:meeting-detail", "", "m", lang="en")
    assert ("Agreement milestones" in english) == bool(milestones)
    assert ("Engagements announced at this meeting" in english) == bool(engagements)


# --- agreements -------------------------------------------------------------------------------

@pytest.fixture
def gsomia():
    kr = CountryFactory(code="KR", name_ja="韓国", name_en="Republic of Korea")
    agreement = AgreementFactory(key="kr-gsomia", title_ja="日韓秘密軍事情報保護協定", parties=[kr],
                                 aliases="秘密軍事情報保護協定\n情報保護協定\nGSOMIA")
    meeting = MeetingFactory(key="2016-11-kr", title_ja="日韓署名式", date="2016-11-23", countries=[kr])
    for kind, date in [("concluded", "2016-11"), ("termination_notified", "2019-08"),
                       ("notice_suspended", "2019-11"), ("notice_withdrawn", "2023-03")]:
        AgreementEventFactory(agreement=agreement, kind=kind, date=date,
                              meeting=meeting if kind == "concluded" else None,
                              source_excerpt=f"{kind}の抜粋")
    return agreement


def test_agreement_list_shows_status_as_of_a_day(client, gsomia, au):
    AgreementFactory(title_ja="日豪物品役務相互提供協定", kind="acsa", parties=[au])
    html = page(client, "meetings:agreement-list", "?as_of=2019-09-01")
    assert "日韓秘密軍事情報保護協定" in html and "日豪物品役務相互提供協定" in html
    assert "status-notice_given" in html
    html = page(client, "meetings:agreement-list", "?as_of=2019-09-01&status=notice_given")
    assert "日韓秘密軍事情報保護協定" in html and "日豪物品役務相互提供協定" not in html
    html = page(client, "meetings:agreement-list", "?as_of=2019-12-01&status=notice_given")
    assert "日韓秘密軍事情報保護協定" not in html


def test_agreement_list_filters_by_party_kind_and_alias(client, gsomia, au):
    AgreementFactory(title_ja="日豪物品役務相互提供協定", kind="acsa", short_name="ACSA", parties=[au])
    assert "日豪物品役務相互提供協定" not in page(client, "meetings:agreement-list", "?party=KR")
    assert "日韓秘密軍事情報保護協定" not in page(client, "meetings:agreement-list", "?kind=acsa")
    html = page(client, "meetings:agreement-list", "?q=情報保護協定")
    assert "日韓秘密軍事情報保護協定" in html and "日豪物品役務相互提供協定" not in html


def test_agreement_facets_count_parties_and_kinds(client, gsomia, au):
    kr = gsomia.parties.get()
    AgreementFactory(kind="acsa", parties=[au, kr])
    AgreementFactory(kind="acsa", parties=[au])
    html = page(client, "meetings:agreement-list", "?party=AU", lang="en")
    assert facet_counts(html, "party") == {"Australia": 2, "Republic of Korea": 1}
    assert facet_counts(html, "kind") == {"Acquisition and Cross-Servicing Agreement": 2}


def test_bad_as_of_gives_a_message_and_today(client, gsomia):
    html = page(client, "meetings:agreement-list", "?as_of=2024-13-40", lang="en")
    assert "“2024-13-40” is not a day such as 2019-12-01." in html
    assert "General Security of Military Information Agreement" in html


def test_agreement_detail_draws_the_lifecycle(client, gsomia):
    html = page(client, "meetings:agreement-detail", "", "kr-gsomia", lang="en")
    lifecycle = html.split('<ol class="lifecycle">', 1)[1].split("</ol>", 1)[0]
    positions = [lifecycle.index(t) for t in ("November 2016", "August 2019", "November 2019", "March 2023")]
    assert positions == sorted(positions)
    assert "concluded" in lifecycle and "notice withdrawn" in lifecycle
    assert "termination_notifiedの抜粋" in lifecycle
    assert "/en" + reverse("meetings:meeting-detail", args=["2016-11-kr"]) in lifecycle
    # its other names, the Japanese ones marked as Japanese on the English page
    assert '<span lang="ja">秘密軍事情報保護協定</span> / <span lang="ja">情報保護協定</span> / GSOMIA' in html
    assert "status-in_force" in html


def test_agreement_without_dated_milestones_shows_the_stated_status(client):
    AgreementFactory(key="acsa", kind="acsa", stated_status="in_force")
    html = page(client, "meetings:agreement-detail", "", "acsa", lang="en")
    assert "The sources give no dated milestone." in html
    assert "They state its status as: in force." in html


def test_a_document_the_source_says_was_signed_without_a_date_reads_signed_in_both_languages(client):
    AgreementFactory(key="in-declaration", kind="joint_declaration", stated_status="signed",
                     source=SourceFactory(key="wp2025", date="2025-07"))
    english = unescape(page(client, "meetings:agreement-detail", "", "in-declaration", lang="en"))
    assert "signed by the source’s date" in english and "(signed by July 2025; on an unknown date)" in english
    assert "They state its status as: signed." in english and "in force" not in english
    japanese = page(client, "meetings:agreement-detail", "", "in-declaration")
    assert "出典の時点で署名済み" in japanese and "（2025年7月の時点で署名済み。署名日は不明）" in japanese
    assert "出典の記載による状況：署名。" in japanese and "発効" not in japanese


def test_unknown_agreement_is_not_found(client):
    assert client.get(reverse("meetings:agreement-detail", args=["nope"])).status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_agreement_pages_queries_do_not_grow(client, django_assert_max_num_queries, n):
    kr = CountryFactory(code="KR")
    with built_at_once():
        for i in range(n):
            agreement = AgreementFactory(key=f"a{i}", parties=[kr, CountryFactory()])
            AgreementEventFactory(agreement=agreement, meeting=MeetingFactory())
            AgreementEventFactory(agreement=agreement, kind="entered_into_force", date="2017")
    with django_assert_max_num_queries(7):  # + the data stamps (the ETag), + the party box's suggestions
        html = page(client, "meetings:agreement-list", "?party=KR", lang="en")
    assert f"{n} agreements" in html
    with django_assert_max_num_queries(4):  # + the data stamps (the ETag)
        page(client, "meetings:agreement-detail", "", "a0")


# --- exercises --------------------------------------------------------------------------------

def test_exercise_list_filters_by_country_year_role_and_search(client, au, us):
    ExerciseFactory(name_ja="タリスマン・セイバー", name_en="Talisman Sabre", date="2023-07", countries=[au, us], japan_role="participant")
    ExerciseFactory(name_ja="フリーダム・エッジ", date="2024-11", countries=[us], japan_role="host")
    assert "フリーダム・エッジ" not in page(client, "meetings:exercise-list", "?country=AU")
    assert "タリスマン・セイバー" not in page(client, "meetings:exercise-list", "?year=2024")
    assert "タリスマン・セイバー" not in page(client, "meetings:exercise-list", "?role=host")
    assert "タリスマン・セイバー" not in page(client, "meetings:exercise-list", "?q=Freedom")
    html = page(client, "meetings:exercise-list", "?country=US")
    assert facet_counts(html, "country") == {"米国": 2, "オーストラリア": 1}


def test_exercise_bad_year_gives_a_message(client):
    ExerciseFactory(name_ja="フリーダム・エッジ")
    html = page(client, "meetings:exercise-list", "?year=abc")
    assert 'role="alert"' in html and "フリーダム・エッジ" in html


def test_exercise_detail_shows_partners_meetings_and_source(client, au):
    exercise = ExerciseFactory(key="fe2", name_ja="フリーダム・エッジ", series="Freedom Edge", edition="2",
                               series_ja="フリーダム・エッジ", services="msdf|asdf", countries=[au],
                               source_excerpt="日米韓共同訓練「フリーダム・エッジ」")
    MeetingFactory(title_ja="視察を伴う会談", countries=[au]).exercises.add(exercise)
    html = page(client, "meetings:exercise-detail", "", "fe2")
    for text in ("<h1>フリーダム・エッジ</h1>", "2024年11月", "<dd>フリーダム・エッジ（2）</dd>",
                 "視察を伴う会談", "日米韓共同訓練「フリーダム・エッジ」", "オーストラリア", "<dd>海自、空自</dd>"):
        assert text in html, text
    assert "Freedom Edge" not in html  # the series in the page's language
    english = page(client, "meetings:exercise-detail", "", "fe2", lang="en")
    assert "MSDF, ASDF" in english and "<dd>Freedom Edge (2)</dd>" in english
    # a series with no Japanese name recorded is given in English rather than not at all
    ExerciseFactory(key="tt", series="Tropic Twilight")
    assert "<dd>Tropic Twilight</dd>" in page(client, "meetings:exercise-detail", "", "tt")
    assert client.get(reverse("meetings:exercise-detail", args=["nope"])).status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_exercise_list_queries_do_not_grow(client, django_assert_max_num_queries, n):
    au = CountryFactory(code="AU")
    with built_at_once():
        for _ in range(n):
            ExerciseFactory(countries=[au, CountryFactory()], host_country=CountryFactory())
    with django_assert_max_num_queries(12):  # + the names of the partners counted; + the name boxes' suggestions (two)
        html = page(client, "meetings:exercise-list", "?country=AU&year=2024", lang="en")
    assert f"{n} exercises" in html


# --- data dictionary --------------------------------------------------------------------------

def test_data_dictionary_lists_every_export_column_with_its_meaning(client):
    from meetings.resources import MeetingResource

    html = page(client, "meetings:data-dictionary", lang="en")
    for column in MeetingResource().get_export_headers():
        assert f"<code>{column}</code>" in html
    assert "Each participant&#x27;s title on the meeting&#x27;s date" in html
    assert "2024-04/.." in html and "“|”" in html
    for title in ("Agreement milestones", "Tenures", "Positions", "Officials"):
        assert title in html


def test_every_export_column_has_a_description():
    from meetings import dictionary

    assert dictionary.missing() == []


def test_data_dictionary_is_also_a_csv_file(client):
    with translation.override("en"):
        url = reverse("meetings:data-dictionary")
    response = client.get(url + "?format=csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffexport,column,natural_key,meaning,form")
    assert "tenures,official,yes,The person" in text



@pytest.mark.parametrize("query", ["", "?country=S001", "?sort=date", "?level=working&sort=date",
                                   "?q={name}", "?q={name}&sort=date", "?q={name}&level=ministerial"])
def test_pages_together_hold_every_row_once_in_order(client, monkeypatch, query):
    """Pages are read by their ids first (CountedPaginator.page), and a search's pages are
    slices of the ids it found in the list's order (FoundPaginator): together the pages must
    still be the whole filtered, sorted list, each row once, including the last, short page."""
    synth(meetings=120, seed=5)
    monkeypatch.setattr(lists, "PER_PAGE", 3)
    params = QueryDict(query.lstrip("?").format(name=Country.objects.get(code="S001").name_en))
    expected = [m.key for m in MeetingFilter(params, queryset=Meeting.objects.all()).qs]
    assert len(expected) > 3 * 2
    shown, number = [], 1
    while True:
        response = client.get(reverse("meetings:meeting-list") + f"?{params.urlencode()}&page={number}")
        page_obj = response.context["page_obj"]
        shown += [m.key for m in page_obj.object_list]
        if not page_obj.has_next():
            break
        number += 1
    assert shown == expected


@pytest.mark.parametrize("query", ["", "&sort=date"])
def test_a_search_page_reads_its_rows_by_their_ids_alone(client, monkeypatch, query):
    """The search reads the ids it finds in the list's order, so the page is a slice of them:
    the meetings table is read twice (the search, the page's rows), not a third time to sort
    the ids found and cut out the page's."""
    synth(meetings=120, seed=5)
    monkeypatch.setattr(lists, "PER_PAGE", 10)
    name = Country.objects.get(code="S001").name_en
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("meetings:meeting-list") + f"?q={name}{query}&page=2")
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "meetings_meeting"."id"')]
    assert len(reads) == 2, reads
    expected = [m.key for m in MeetingFilter(QueryDict(f"q={name}{query}"), queryset=Meeting.objects.all()).qs]
    assert len(expected) > 20
    assert [m.key for m in response.context["page_obj"].object_list] == expected[10:20]


@pytest.mark.parametrize("query", ["q={name}", "q={name}&level=ministerial", "q={name}&country=S002&year=2015"])
def test_a_search_counts_the_same_by_its_ids_as_by_searching_again(monkeypatch, query):
    """Facets and totals under a search come from the ids it found; above FOUND_IDS_LIMIT
    matches, from the values the request read (again, when an earlier request found too many
    to keep) and, for the many-to-many facets, from its ids where the database joins any
    number (SQLite), else from the search repeated. Every way must give the same figures."""
    from meetings import faceted

    synth(meetings=300, seed=7)
    params = QueryDict(query.format(name=Country.objects.get(code="S001").name_en))

    def figures(stamp, clear=True):
        if clear:
            cache.clear()  # nothing found by one way is read by the other
        filterset = MeetingFilter(params, queryset=Meeting.objects.all())
        facets = [(f.param, [(c.value, c.label, c.count) for c in f.choices]) for f in filterset.facets(params)]
        keys = [m.key for m in filterset.matching]
        return facets, filterset.count(params, stamp), lists.encounters(filterset, params), keys

    by_ids = figures("by-ids")
    monkeypatch.setattr(faceted, "FOUND_IDS_LIMIT", 0)
    monkeypatch.setattr(faceted, "ids_joined_at_any_number", lambda: True)
    assert by_ids == figures("too-many-to-keep")
    assert by_ids == figures("too-many-to-keep", clear=False)  # the search read again
    monkeypatch.setattr(faceted, "ids_joined_at_any_number", lambda: False)
    assert by_ids == figures("searching-again")
    assert by_ids == figures("searching-again", clear=False)
    assert by_ids[1] > 0 and by_ids[2] >= by_ids[1]
    counted = {param for param, choices in by_ids[0] if choices}
    assert {"country", "official", "level", "year"} <= counted


@pytest.mark.parametrize("query", ["country=S001", "country=S001&year=2015", "level=ministerial&sort=date",
                                   "country=S002&official={slug}"])
def test_a_filtered_list_counts_the_same_from_its_few_rows_as_in_the_database(query):
    """A filtered selection of at most FEW_ROWS rows is read once and its facets and totals
    counted from those rows; above it, each facet groups the rows in the database. Both ways
    give the same figures, and the few rows are read in one query, not one a facet."""
    from meetings import faceted
    from partners.models import Official

    synth(meetings=300, seed=7)
    slug = Official.objects.filter(participations__meeting__countries__code="S002").values_list(
        "slug", flat=True).first()
    params = QueryDict(query.format(slug=slug))

    def figures(stamp):
        cache.clear()
        filterset = MeetingFilter(params, queryset=Meeting.objects.all())
        with CaptureQueriesContext(connection) as queries:
            facets = [(f.param, [(c.value, c.label, c.count) for c in f.choices])
                      for f in filterset.facets(params)]
        counted = filterset.count(params, stamp)
        keys = [m.key for m in filterset.matching]
        grouped = [q["sql"] for q in queries if 'AS "n" FROM "meetings_meeting" WHERE' in q["sql"]
                   and '"meetings_meeting"."id" >= ' not in q["sql"]]  # not the blocks of a facet of every row
        return (facets, counted, lists.encounters(filterset, params), keys), grouped

    (few, grouped_few) = figures("few")
    assert 0 < few[1] <= faceted.FEW_ROWS
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(faceted, "FEW_ROWS", 0)
        (in_database, grouped) = figures("in-the-database")
    assert few == in_database
    assert grouped_few == [] and len(grouped) >= 4, grouped_few or grouped  # kind, format, venue …
    counted = {param for param, choices in few[0] if choices}
    assert {"country", "official", "level", "year"} <= counted


@pytest.mark.parametrize("query", ["year=2015", "level=ministerial", "year=2015&month=3&sort=date"])
def test_a_facet_of_every_row_is_summed_from_the_blocks(query):
    """When a facet's own filter is the only one set (the years beside ?year=2015), it counts
    every row: its choices are the unfiltered list's, summed from the blocks, and the same as
    counted from scratch; the whole table is not grouped again for them."""
    from meetings import unfiltered

    synth(meetings=300, seed=7)
    params = QueryDict(query)

    def figures():
        cache.clear()
        filterset = MeetingFilter(params, queryset=Meeting.objects.all())
        with CaptureQueriesContext(connection) as queries:
            facets = [(f.param, [(c.value, c.label, c.count) for c in f.choices])
                      for f in filterset.facets(params)]
        return facets, [q["sql"] for q in queries]

    summed, read = figures()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(unfiltered, "whole", lambda model, spec: False)
        from_scratch, read_from_scratch = figures()
    assert summed == from_scratch
    param = query.partition("=")[0]
    assert dict(summed)[param] and len(dict(summed)[param]) > 1
    whole_table = [sql for sql in read if "GROUP BY" in sql and " WHERE " not in sql]
    assert whole_table == [], whole_table
    assert [sql for sql in read_from_scratch if "GROUP BY" in sql and " WHERE " not in sql]


def test_the_list_and_the_chart_say_which_unit_they_count(client, au):
    """Three records with Australia in 2024, one of which the source aggregates ("6回にわたる
    会談"): the list counts 3 records and says they stand for 8 encounters; the country's
    chart counts the 8 encounters and says so."""
    MeetingFactory(key="chods", date="2024-04", count=6, title_en="Chiefs of defence meetings", countries=[au])
    MeetingFactory(key="defmin", date="2024-05", countries=[au])
    MeetingFactory(key="2plus2", date="2024-09", countries=[au])
    listed = re.sub(r"<[^>]+>|\s+", " ", page(client, "meetings:meeting-list", "?country=AU", lang="en"))
    assert "3 meetings · 8 encounters in all" in listed
    row = re.sub(r"\s+", " ", page(client, "meetings:meeting-list", "?country=AU", lang="en"))
    assert row.count("(6 encounters)") == 1
    profile = re.sub(r"\s+", " ", page(client, "partners:country-detail", "", "AU", lang="en"))
    assert re.search(r'<th scope="row">2024</th>.*?<td class="num">8</td>', profile)
    assert "the list of meetings counts records" in profile


def test_every_list_says_its_count_and_its_export_alike_in_japanese(client, au):
    from tests.meetings.factories import EngagementFactory

    MeetingFactory(countries=[au])
    AgreementFactory(parties=[au])
    ExerciseFactory(countries=[au])
    EngagementFactory(countries=[au])
    for name, noun in [("meetings:meeting-list", "会談"), ("meetings:agreement-list", "協定"),
                       ("meetings:exercise-list", "訓練"), ("meetings:engagement-list", "その他の交流")]:
        shown = re.sub(r"<[^>]+>|\s+", " ", page(client, name))
        assert f"{noun}1件" in shown and f"この条件の{noun}をCSVでエクスポート" in shown, name

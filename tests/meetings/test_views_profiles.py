import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    ParticipationFactory, SourceFactory, relations_with,
)
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory

from tests.pages import get, text
from tests.shared_data import made_once

pytestmark = pytest.mark.django_db


def make_korea():
    return CountryFactory(code="KR", name_ja="大韓民国", name_en="Republic of Korea", region="northeast_asia",
                          relationship_ja="重要な隣国", relationship_en="important neighbour")


@pytest.fixture
def korea():
    return make_korea()


@pytest.fixture
def gsomia(korea):
    agreement = AgreementFactory(parties=[korea], key="kr-gsomia", title_ja="日韓秘密軍事情報保護協定",
                                 title_en="Japan–ROK GSOMIA")
    for kind, date in [("concluded", "2016-11"), ("termination_notified", "2019-08"),
                       ("notice_suspended", "2019-11"), ("notice_withdrawn", "2023-03")]:
        AgreementEventFactory(agreement=agreement, kind=kind, date=date)
    return agreement


def test_a_country_page_shows_its_agreement_with_its_status_today(client, korea, gsomia):
    page = client.get(reverse("partners:country-detail", args=["KR"]))
    assert "大韓民国" in text(page) and "重要な隣国" in text(page)
    assert re.search(r'日韓秘密軍事情報保護協定</a>.*?<span class="badge status-in_force">', page.content.decode(), re.S)


def test_a_country_page_shows_its_timeline_newest_first_with_partial_dates(client, korea, gsomia):
    MeetingFactory(countries=[korea], date="2024-07-28", key="kr-2024-07", title_ja="日韓防衛相会談",
                   title_en="Japan–ROK Defense Ministerial")
    ExerciseFactory(countries=[korea], date="2024-11", key="freedom-edge-2", name_ja="フリーダム・エッジ",
                    name_en="Freedom Edge")
    MeetingFactory(countries=[CountryFactory(code="AU")], key="not-korea", title_ja="日豪防衛相会談")
    page = get(client, "partners:country-detail", "KR")
    timeline = text(page, start="timeline")
    assert "2024年7月28日" in timeline and "2016年11月" in timeline
    assert "日豪防衛相会談" not in text(page)
    timeline = text(get(client, "partners:country-detail", "KR", lang="en"), start="timeline")
    events = r"Freedom Edge|Japan–ROK Defense Ministerial|notice withdrawn|termination notified|concluded"
    assert re.findall(events, timeline) == [
        "Freedom Edge", "Japan–ROK Defense Ministerial", "notice withdrawn", "termination notified", "concluded"]


def test_a_country_page_filters_its_timeline_by_kind_and_year(client, korea, gsomia):
    MeetingFactory(countries=[korea], date="2019-02", key="kr-2019", title_ja="日韓防衛当局間協議",
                   title_en="Japan–ROK Defense Talks")
    MeetingFactory(countries=[korea], date="2024-07", key="kr-2024", title_ja="日韓防衛相会談",
                   title_en="Japan–ROK Defense Ministerial")
    page = get(client, "partners:country-detail", "KR", lang="en", kind="meeting", year="2019")
    timeline = text(page, start="timeline")
    assert "Japan–ROK Defense Talks" in timeline
    assert "Japan–ROK Defense Ministerial" not in timeline and "termination notified" not in timeline


def test_a_bad_year_is_answered_on_the_page_not_with_an_error(client, korea):
    MeetingFactory(countries=[korea], date="2024-07", title_ja="日韓防衛相会談", title_en="Japan–ROK Defense Ministerial")
    page = get(client, "partners:country-detail", "KR", lang="en", year="abc")
    assert page.status_code == 200
    assert "Enter a year such as 2024." in text(page)
    assert "Japan–ROK Defense Ministerial" in text(page)


def test_a_country_page_links_to_its_meetings_in_the_meetings_list(client, korea):
    page = client.get(reverse("partners:country-detail", args=["KR"]))
    assert f'href="{reverse("meetings:meeting-list")}?country=KR"' in page.content.decode()


def test_a_country_page_links_to_its_agreements_and_exercises_in_their_lists(client, korea, gsomia):
    """The page shows the partner's agreements; their list (with its CSV and JSON) and the
    exercises' are a link away, as the meetings' and engagements' are."""
    page = client.get(reverse("partners:country-detail", args=["KR"])).content.decode()
    assert '<a href="/agreements/?party=KR">大韓民国とのすべての協定</a>' in page
    assert '<a href="/exercises/?country=KR">大韓民国とのすべての訓練</a>' in page
    with translation.override("en"):
        page = client.get("/en/partners/countries/KR/").content.decode()
    assert '<a href="/en/agreements/?party=KR">All agreements with Republic of Korea</a>' in page
    assert '<a href="/en/exercises/?country=KR">All exercises with Republic of Korea</a>' in page


def test_a_country_page_charts_encounters_per_year(client, korea):
    MeetingFactory(countries=[korea], date="2024-07", count=6)
    MeetingFactory(countries=[korea], date="2022-03")
    page = client.get(reverse("partners:country-detail", args=["KR"]))
    rows = re.findall(r'<th scope="row">(\d{4})</th>.*?<td class="num">(\d+)</td>', page.content.decode(), re.S)
    assert rows == [("2024", "6"), ("2023", "0"), ("2022", "1")]


def test_english_names_at_the_english_address(client, korea, gsomia):
    page = client.get("/en/partners/countries/KR/")
    assert '<html lang="en">' in page.content.decode()
    assert "Republic of Korea" in text(page) and "Japan–ROK GSOMIA" in text(page)
    assert "大韓民国" not in text(page)


def test_japanese_by_default(client, korea):
    page = client.get(reverse("partners:country-detail", args=["KR"]), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ja">' in page.content.decode() and "大韓民国" in text(page)


def test_a_code_typed_in_lower_case_leads_to_the_partners_one_address(client, korea):
    page = client.get("/en/partners/countries/kr/?year=2024")
    assert (page.status_code, page["Location"]) == (301, "/en/partners/countries/KR/?year=2024")
    assert client.get("/partners/countries/xx/").status_code == 404


RECORD_PAGES = [
    ("meetings:meeting-detail", lambda korea: MeetingFactory(key="2024-07-kr-2plus2", countries=[korea])),
    ("meetings:agreement-detail", lambda korea: AgreementFactory(key="kr-gsomia", parties=[korea])),
    ("meetings:exercise-detail", lambda korea: ExerciseFactory(key="freedom-edge-24", countries=[korea])),
    ("meetings:engagement-detail", lambda korea: EngagementFactory(key="2024-05-kr-port-call", countries=[korea])),
    ("meetings:source-detail", lambda korea: SourceFactory(key="wp2025")),
    ("partners:official-detail", lambda korea: OfficialFactory(slug="kim-yong-hyun", country=korea)),
    ("partners:office-detail", lambda korea: PositionFactory(key="kr-defence-minister", country=korea)),
]


@pytest.mark.parametrize("viewname, make", RECORD_PAGES)
def test_a_key_typed_in_another_case_leads_to_the_records_one_address(client, korea, viewname, make):
    """/meetings/2024-07-KR-2PLUS2/, as a reader may type it, as a partner's code in lower case:
    the record's own address, in the language and with the query string asked for."""
    key = make(korea).natural_key()[0]
    with translation.override("en"):
        english = reverse(viewname, args=[key])
        typed = reverse(viewname, args=[key.upper()])
    page = client.get(typed + "?year=2024")
    assert (page.status_code, page["Location"]) == (301, english + "?year=2024")
    with translation.override("ja"):
        japanese, typed = reverse(viewname, args=[key]), reverse(viewname, args=[key.title()])
    page = client.get(typed)
    assert (page.status_code, page["Location"]) == (301, japanese)
    assert client.get(japanese).status_code == 200
    assert client.get(japanese.replace(key, key.upper() + "-x")).status_code == 404


@pytest.mark.parametrize("viewname, make", RECORD_PAGES)
def test_a_key_as_stored_is_not_looked_for_in_another_case(client, korea, viewname, make):
    key = make(korea).natural_key()[0]
    with CaptureQueriesContext(connection) as ran:
        assert client.get(reverse(viewname, args=[key])).status_code == 200
    assert not [query["sql"] for query in ran.captured_queries if re.search(r"\bLIKE\b|UPPER\(", query["sql"])]


def test_an_unknown_code_is_a_404_page_in_the_sites_look(client):
    page = client.get("/en/partners/countries/XX/")
    assert page.status_code == 404
    assert "Page not found" in text(page)
    assert 'class="site-header"' in page.content.decode()
    assert reverse("partners:country-list") in page.content.decode()


def test_the_country_list_groups_by_region_with_counts_that_do_not_multiply(client, korea):
    CountryFactory(code="AU", name_ja="オーストラリア", region="oceania")
    for i in range(3):
        MeetingFactory(countries=[korea], key=f"m{i}")
    for i in range(2):
        AgreementFactory(parties=[korea], key=f"a{i}")
        ExerciseFactory(countries=[korea], key=f"x{i}")
    shown = text(client.get(reverse("partners:country-list")), start="region-1")
    oceania, northeast_asia = "大洋州", "北東アジア"  # the region names in the Japanese catalogue
    assert shown.index(oceania) < shown.index("オーストラリア") < shown.index(northeast_asia) < shown.index("大韓民国")
    assert re.search(r"大韓民国 重要な隣国 3 2 2 ", shown)
    assert re.search(r"オーストラリア — 0 0 0 ", shown)


def test_an_official_page_shows_its_meetings_newest_first_with_the_title_held_that_day(client):
    kihara = OfficialFactory(name_ja="木原稔", name_en="Kihara Minoru", slug="kihara-minoru")
    minister = PositionFactory(country=kihara.country, title_ja="防衛大臣", title_en="Minister of Defense")
    secretary = PositionFactory(country=kihara.country, title_ja="内閣総理大臣補佐官", title_en="Special Advisor")
    TenureFactory(official=kihara, position=secretary, date="2022-08/2023-09-12")
    TenureFactory(official=kihara, position=minister, date="2023-09-13/2024-10-01")
    ParticipationFactory(official=kihara, meeting=MeetingFactory(date="2024-05", title_ja="日豪防衛相会談"))
    ParticipationFactory(official=kihara, meeting=MeetingFactory(date="2023-03-15", title_ja="日比協議"))
    page = client.get(reverse("partners:official-detail", args=["kihara-minoru"]))
    shown, meetings = text(page), text(page, start="timeline")
    assert re.search(r"2024年5月 .*日豪防衛相会談 .*防衛大臣 .*2023年3月15日 .*日比協議 .*内閣総理大臣補佐官", meetings)
    assert "2023年9月13日～2024年10月1日" in shown  # the tenure, with its partial dates


def test_an_official_page_links_to_the_meetings_list_filtered_by_the_official(client):
    OfficialFactory(slug="marles-richard")
    page = client.get(reverse("partners:official-detail", args=["marles-richard"]))
    assert f'href="{reverse("meetings:meeting-list")}?official=marles-richard"' in page.content.decode()


def test_an_unknown_official_is_a_404(client):
    assert client.get(reverse("partners:official-detail", args=["nobody"])).status_code == 404


def test_the_official_list_filters_by_country_and_searches_by_name(client, korea):
    OfficialFactory(country=korea, name_ja="申源湜", name_en="Shin Won-sik")
    OfficialFactory(country=korea, name_ja="金龍顕", name_en="Kim Yong-hyun")
    OfficialFactory(country=CountryFactory(code="AU"), name_ja="マールズ", name_en="Richard Marles")
    shown = text(client.get(reverse("partners:official-list"), {"country": "KR", "q": "shin"}))
    assert "申源湜" in shown and "金龍顕" not in shown and "マールズ" not in shown
    shown = text(client.get(reverse("partners:official-list"), {"country": "KR"}))
    assert "申源湜" in shown and "金龍顕" in shown and "マールズ" not in shown


def test_the_official_list_pages_keep_its_filters(client, korea, monkeypatch):
    from meetings.views import profiles as views

    monkeypatch.setattr(views.OfficialList, "paginate_by", 1)
    OfficialFactory(country=korea, name_ja="金龍顕", name_en="Kim Yong-hyun", reading="きむ よんひょん")
    OfficialFactory(country=korea, name_ja="申源湜", name_en="Shin Won-sik", reading="しん うぉんしく")
    page = client.get(reverse("partners:official-list"), {"country": "KR"})
    assert '<a href="?country=KR&amp;page=2" rel="next">' in page.content.decode()
    assert "金龍顕" in text(page) and "申源湜" not in text(page)


def test_an_official_list_page_past_the_end_shows_the_last_as_the_other_lists_do(client, korea, monkeypatch):
    """A bookmarked ?page=3 after the list has shrunk: the last page, not a “not found”."""
    from meetings.views import profiles as views

    monkeypatch.setattr(views.OfficialList, "paginate_by", 1)
    OfficialFactory(country=korea, name_ja="金龍顕", name_en="Kim Yong-hyun", reading="きむ よんひょん")
    OfficialFactory(country=korea, name_ja="申源湜", name_en="Shin Won-sik", reading="しん うぉんしく")
    past = client.get(reverse("partners:official-list"), {"country": "KR", "page": "3"})
    assert "申源湜" in text(past) and "金龍顕" not in text(past)
    assert "金龍顕" in text(client.get(reverse("partners:official-list"), {"page": "abc"}))


def test_the_official_list_says_when_a_country_is_unknown(client):
    OfficialFactory(name_ja="木原稔", name_en="Kihara Minoru")
    shown = text(get(client, "partners:official-list", lang="en", country="ZZ"))
    assert "No country or organisation is named “ZZ”." in shown and "Kihara Minoru" in shown


# Query counts: the same bound at 3 and at 30 rows of everything shown.

def make_korea_with_relations(n):
    """Korea with ``n`` of every kind of record (relations_with), once for the tests below."""
    korea = make_korea()
    relations_with(korea, n)
    return korea


korea_with_relations = made_once(make_korea_with_relations, scope="class", params=[3, 30])


class TestQueryCounts:
    def test_country_detail_queries_are_constant(self, client, korea_with_relations, django_assert_max_num_queries):
        # a count and the newest rows of each kind on the timeline, with their partners; the
        # engagements' chart, and the undated engagements with their partners; who met whom
        # (the pairs, then their names); each kind's newest dates (defrel.timeline.Entries.newest);
        # the newest source's year (the chart's open ends, kept until a source changes)
        with django_assert_max_num_queries(28):
            page = client.get(reverse("partners:country-detail", args=["KR"]))
        assert "kr-m2" in page.content.decode()
        # the country and the data stamp: its agreements, chart and timeline are kept
        with django_assert_max_num_queries(2):
            assert text(client.get(reverse("partners:country-detail", args=["KR"]))) == text(page)

    def test_country_list_queries_are_constant(self, client, korea_with_relations, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):  # + the data stamps (the ETag)
            page = client.get(reverse("partners:country-list"))
        assert "大韓民国" in text(page)

    def test_official_detail_queries_are_constant(self, client, korea_with_relations, django_assert_max_num_queries):
        slug = korea_with_relations.officials.get().slug
        # the official, the tenures, the tenures of the same offices (predecessors and successors),
        # the meetings in each tenure; the meetings, their partners and the official's part in
        # them; a count and the newest engagements, with their partners; the undated, with theirs;
        # who met whom (the pairs, then their names); each kind's newest dates
        with django_assert_max_num_queries(18):  # + the data stamps (the ETag)
            page = client.get(reverse("partners:official-detail", args=[slug]))
        assert "kr-m2" in page.content.decode()

    def test_official_list_queries_are_constant(self, client, korea_with_relations, django_assert_max_num_queries):
        with django_assert_max_num_queries(6):  # + the country filter's own lookup, the data stamps
            page = client.get(reverse("partners:official-list"), {"country": "KR"})
        assert korea_with_relations.officials.get().name in text(page)


def test_a_country_profile_shows_a_change_at_the_next_request(client, django_capture_on_commit_callbacks):
    """Its agreements, chart and timeline are kept under the data stamp, per language,
    day and selection: a committed edit shows at once, and another year is built anew."""
    with django_capture_on_commit_callbacks(execute=True):
        korea = CountryFactory(code="KR", name_ja="韓国")
        MeetingFactory(key="kr-2019", date="2019-11-17", title_ja="日韓防衛相会談", countries=[korea])
        agreement = AgreementFactory(parties=[korea], title_ja="日韓秘密軍事情報保護協定")
        AgreementEventFactory(agreement=agreement, kind="concluded", date="2016-11")
    url = reverse("partners:country-detail", args=["KR"])
    before = text(client.get(url))
    assert text(client.get(url)) == before and "日韓防衛相会談" in before
    assert "日韓防衛相会談" not in text(client.get(url + "?year=2016"))
    with django_capture_on_commit_callbacks(execute=True):
        MeetingFactory(key="kr-2024", date="2024-05", title_ja="日韓防衛相会談（二回目）", countries=[korea])
        agreement.title_ja = "日韓GSOMIA"
        agreement.save()
    after = text(client.get(url))
    assert "日韓防衛相会談（二回目）" in after
    agreements = client.get(url).content.decode().split('id="agreements"')[1].split('id="per-year"')[0]
    assert "日韓GSOMIA" in agreements
    assert "日韓GSOMIA" in text(client.get(url + "?year=2016"))
    with translation.override("en"):  # kept per language
        english = text(client.get(reverse("partners:country-detail", args=["KR"])))
    assert "Status today" in english and "Status today" not in after


def test_a_partner_with_many_records_shows_the_newest_and_says_so(client, settings, monkeypatch):
    from meetings.views import profiles as views
    from tests.meetings.factories import MeetingFactory
    from tests.partners.factories import CountryFactory

    monkeypatch.setattr(views, "PROFILE_DEPTH", 3)
    au = CountryFactory(code="AU")
    for month in range(1, 6):
        MeetingFactory(countries=[au], date=f"2024-0{month}", key=f"m{month}", title_ja=f"会談{month}")
    page = client.get(reverse("partners:country-detail", args=["AU"])).content.decode()
    assert "会談5" in page and "会談3" in page and "会談2" not in page
    assert "5件" in page and "最新の3件" in page

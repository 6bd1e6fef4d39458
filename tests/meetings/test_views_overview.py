import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, ExerciseFactory, MeetingFactory, ParticipationFactory,
    relations_with,
)
from defrel import dates
from meetings.models import Agreement, Status
from tests.partners.factories import CountryFactory, OfficialFactory

from tests.pages import get, table_row, text
from tests.shared_data import made_once

pytestmark = pytest.mark.django_db


def make_korea():
    return CountryFactory(code="KR", name_ja="大韓民国", name_en="Republic of Korea", region="northeast_asia")


@pytest.fixture
def korea():
    return make_korea()


@pytest.fixture
def gsomia(korea):
    agreement = AgreementFactory(parties=[korea], key="kr-gsomia", short_name="GSOMIA",
                                 title_ja="日韓秘密軍事情報保護協定", title_en="Japan–ROK GSOMIA")
    for kind, date in [("concluded", "2016-11"), ("termination_notified", "2019-08"),
                       ("notice_suspended", "2019-11"), ("notice_withdrawn", "2023-03")]:
        AgreementEventFactory(agreement=agreement, kind=kind, date=date)
    return agreement


# The agreements matrix

def korea_row(page):
    return table_row(page, "KR")


def test_the_matrix_answers_what_was_in_force_with_korea_on_a_day(client, gsomia, korea):
    raa = AgreementFactory(parties=[korea], key="kr-future", short_name="FUTURE", kind="raa")
    AgreementEventFactory(agreement=raa, kind="negotiation_started", date="2024-01")
    page = client.get(reverse("meetings:agreement-matrix"), {"as_of": "2019-12-01"})
    row = korea_row(page)
    assert "2019年12月1日時点の状況" in text(page)  # the day as the site's dates read, not 2019-12-01
    with translation.override("en"):
        english = client.get(reverse("meetings:agreement-matrix"), {"as_of": "2019-12-01"})
    assert "status on 1 December 2019" in text(english)
    assert f'href="{reverse("meetings:agreement-detail", args=["kr-gsomia"])}">GSOMIA</a>' in row
    assert 'class="badge status-in_force"' in row
    assert "FUTURE" not in row  # nothing had happened to it yet


def test_each_cell_of_the_matrix_holds_the_status_its_agreement_gives(gsomia, korea):
    """The matrix reads the agreements' partners and milestones at once and hands them over:
    each partner's cells hold exactly its agreements that had begun, with status_on()'s
    answer for the day, under the column of their kind."""
    from meetings.views.matrix import agreements_matrix

    australia = CountryFactory(code="AU", name_en="Australia", region="oceania")
    japan = CountryFactory(code="JP", name_en="Japan", region="northeast_asia")
    shared = AgreementFactory(parties=[korea, australia, japan], key="three", kind="raa")
    AgreementEventFactory(agreement=shared, kind="signed", date="2018-05")
    AgreementEventFactory(agreement=shared, kind="entered_into_force", date="2020-01-15")
    AgreementFactory(parties=[australia], key="undated", kind="acsa", stated_status="in_force")
    for day in ["2015-01-01", "2018-06-01", "2019-09-01", "2020-02-01", "2024-01-01"]:
        day = datetime.date.fromisoformat(day)
        matrix = agreements_matrix(day)
        shown = {(country.code, kind, key, Status(status)) for country, cells in matrix["rows"]
                 for (kind, _), cell in zip(matrix["columns"], cells)
                 for key, status in re.findall(r'href="/agreements/([^/]+)/".*?class="badge status-(\w+)"', cell, re.S)}
        expected = {(country.code, agreement.kind, agreement.key, agreement.status_on(day))
                    for agreement in Agreement.objects.all() for country in agreement.parties.exclude(code="JP")
                    if agreement.status_on(day) != Status.UNKNOWN}
        assert shown == expected
        assert [kind for kind, _ in matrix["columns"]] == [
            kind for kind in Agreement.Kind.values if kind in {kind for _, kind, _, _ in shown}]


def test_the_lists_csv_and_json_give_the_status_on_the_day_the_list_shows(client, gsomia):
    """?as_of=2019-09-01&status=notice_given lists the GSOMIA with its notice: its CSV and
    JSON say so in status_as_of, beside today's status."""
    import csv
    import io

    query = {"as_of": "2019-09-01", "status": "notice_given"}
    response = client.get(reverse("meetings:agreement-export"), query)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["key"], r["status_today"], r["status_as_of"]) for r in rows] == [
        ("kr-gsomia", "in_force", "notice_given")]
    listed = client.get(reverse("api:agreement-list"), query).json()["results"]
    assert [(r["key"], r["status_today"], r["status_as_of"]) for r in listed] == [
        ("kr-gsomia", "in_force", "notice_given")]
    today = client.get(reverse("meetings:agreement-export"))  # no day asked for: today's
    assert next(csv.DictReader(io.StringIO(b"".join(today.streaming_content).decode("utf-8-sig"))))[
        "status_as_of"] == "in_force"


def test_the_matrix_shows_the_notice_while_it_stood(client, gsomia):
    row = korea_row(client.get(reverse("meetings:agreement-matrix"), {"as_of": "2019-09-01"}))
    assert 'class="badge status-notice_given"' in row


def test_the_matrix_puts_agreements_under_their_kind(client, gsomia, korea):
    page = get(client, "meetings:agreement-matrix", lang="en")
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page.content.decode())
    cells = re.findall(r"<td>(.*?)</td>", korea_row(page), re.S)
    assert "GSOMIA" in cells[headers.index("information security agreement") - 1]


def test_a_cell_of_more_than_three_shows_two_and_folds_the_rest(client, korea):
    """A partner's many joint statements would make its row a screen tall: two show, the
    rest are one click away, every one still on the page; three still show whole."""
    for i in range(4):
        AgreementFactory(parties=[korea], key=f"kr-statement-{i}", kind="joint_declaration", short_name="",
                         title_en=f"Joint statement {i}", stated_status="in_force")
    for i in range(3):
        AgreementFactory(parties=[korea], key=f"kr-exchange-{i}", kind="exchange_of_notes", short_name="",
                         title_en=f"Exchange of notes {i}", stated_status="in_force")
    row = korea_row(get(client, "meetings:agreement-matrix", lang="en"))
    statements, exchanges = (re.search(rf"<td><ul>(?:(?!</td>).)*{name} 0.*?</td>", row, re.S).group(0)
                             for name in ("Joint statement", "Exchange of notes"))
    shown, folded = statements.split('<details class="more">')
    assert re.findall(r"Joint statement \d", shown) == ["Joint statement 0", "Joint statement 1"]
    assert "2 more</summary>" in folded
    assert re.findall(r"Joint statement \d", folded) == ["Joint statement 2", "Joint statement 3"]
    assert "<details" not in exchanges and len(re.findall(r"Exchange of notes \d", exchanges)) == 3
    assert "ほか2件" in korea_row(get(client, "meetings:agreement-matrix"))


def test_a_bad_as_of_is_answered_with_a_message_and_today(client, gsomia):
    page = get(client, "meetings:agreement-matrix", lang="en", as_of="2024-13-40")
    assert page.status_code == 200
    assert "“2024-13-40” is not a day such as 2019-12-01." in text(page)
    with translation.override("en"):
        assert f"status on {dates.day_display(datetime.date.today())}" in text(page)
    assert 'class="badge status-in_force"' in korea_row(page)


def test_an_agreement_stated_in_force_without_a_date_is_on_the_matrix_on_any_past_day(client, gsomia, korea):
    AgreementFactory(parties=[korea], key="kr-acsa", short_name="ACSA", kind="acsa",
                     stated_status="in_force", source__date="2025-07")
    row = korea_row(get(client, "meetings:agreement-matrix", lang="en", as_of="2010-01-01"))
    assert "ACSA" in row and 'class="badge status-in_force_by"' in row
    assert "in force by July 2025; since an unknown date" in html.unescape(row)
    assert "GSOMIA" not in row  # concluded 2016-11: no record yet in 2010


def test_the_matrix_shows_statements_and_memoranda_as_signed_or_agreed_never_in_force(client):
    """The Swedish row: a joint statement issued (agreed) and a memorandum signed, in both
    languages; "in force" is for the treaties and exchanges of notes that the sources say are."""
    sweden = CountryFactory(code="SE", name_ja="スウェーデン", name_en="Sweden", region="europe")
    statement = AgreementFactory(parties=[sweden], key="se-statement", short_name="", kind="joint_declaration",
                                 title_ja="戦略的パートナーシップに関する共同声明", title_en="Joint Statement")
    AgreementEventFactory(agreement=statement, kind="agreed", date="2024-12")
    memo = AgreementFactory(parties=[sweden], key="se-memo", short_name="", kind="cooperation_memorandum",
                            title_ja="防衛協力・交流に関する覚書", title_en="Memorandum")
    AgreementEventFactory(agreement=memo, kind="signed", date="2016")
    japanese = get(client, "meetings:agreement-matrix", as_of="2025-01-01")
    row = table_row(japanese, "SE")
    assert 'class="badge status-agreed_document">合意<' in row and 'class="badge status-signed">署名<' in row
    assert "発効" not in row
    assert "条約ではない文書（共同宣言・共同声明、覚書、意図表明文書、取決め、計画など）は、" in text(japanese)
    english = get(client, "meetings:agreement-matrix", lang="en", as_of="2025-01-01")
    row = table_row(english, "SE")
    assert 'class="badge status-agreed_document">agreed<' in row and 'class="badge status-signed">signed<' in row
    assert "in force" not in row
    assert "the sources never say that one entered into force" in text(english)


def test_the_matrix_has_a_legend_of_statuses(client):
    shown = text(get(client, "meetings:agreement-matrix", lang="en"))
    for label in ("negotiating", "signed", "in force", "terminated"):
        assert label in shown


# The timeline

def test_the_timeline_puts_a_month_precision_meeting_under_its_month(client, korea):
    MeetingFactory(countries=[korea], date="2024-05", title_ja="日韓防衛相会談", key="month")
    MeetingFactory(countries=[korea], date="2024", title_ja="日韓実務者協議", key="year-only")
    MeetingFactory(countries=[korea], date="2024-05-17", title_ja="日韓次官級協議", key="day")
    MeetingFactory(countries=[korea], date="2024-01-10", title_ja="日韓参謀総長会談", key="january")
    html = client.get(reverse("meetings:timeline")).content.decode()
    months = {
        heading: re.sub(r"<[^>]+>|\s+", " ", body)
        for heading, body in re.findall(r"<h3>([^<]+)</h3>(.*?)</section>", html, re.S)
    }
    no_month = "月の記載なし"  # "Month not given" in the Japanese catalogue
    assert list(months) == ["5月", "1月", no_month]
    assert "日韓防衛相会談" in months["5月"] and "2024年5月 " in months["5月"]
    assert "日韓次官級協議" in months["5月"] and "2024年5月17日" in months["5月"]
    assert "日韓実務者協議" in months[no_month] and "2024年 " in months[no_month]


def test_the_timeline_merges_meetings_milestones_and_exercises(client, gsomia, korea):
    MeetingFactory(countries=[korea], date="2019-02", title_ja="日韓防衛当局間協議", title_en="Japan–ROK Defense Talks")
    ExerciseFactory(countries=[korea], date="2024-11", name_ja="フリーダム・エッジ", name_en="Freedom Edge")
    shown = text(get(client, "meetings:timeline", lang="en"))
    found = re.findall(r"Freedom Edge|notice withdrawn|notice suspended|Japan–ROK Defense Talks|concluded", shown)
    assert found == ["Freedom Edge", "notice withdrawn", "notice suspended", "Japan–ROK Defense Talks", "concluded"]


def test_the_timeline_filters_by_country_kind_and_year(client, korea):
    MeetingFactory(countries=[korea], date="2024-05", title_ja="日韓防衛相会談")
    MeetingFactory(countries=[korea], date="2023-05", title_ja="日韓防衛相会談2023")
    ExerciseFactory(countries=[korea], date="2024-11", name_ja="フリーダム・エッジ")
    MeetingFactory(countries=[CountryFactory(code="AU")], date="2024-05", title_ja="日豪防衛相会談")
    shown = text(client.get(reverse("meetings:timeline"), {"country": "KR", "kind": "meeting", "year": "2024"}))
    assert "日韓防衛相会談" in shown
    assert "日韓防衛相会談2023" not in shown and "フリーダム・エッジ" not in shown and "日豪防衛相会談" not in shown


def test_the_timeline_filters_by_official(client, korea):
    official = OfficialFactory(slug="shin-won-sik", name_ja="申源湜")
    ParticipationFactory(official=official, meeting=MeetingFactory(countries=[korea], title_ja="日韓防衛相会談"))
    MeetingFactory(countries=[korea], title_ja="日韓次官級協議")
    ExerciseFactory(countries=[korea], name_ja="フリーダム・エッジ")
    shown = text(client.get(reverse("meetings:timeline"), {"official": "shin-won-sik"}))
    assert "日韓防衛相会談" in shown and "申源湜" in shown
    assert "日韓次官級協議" not in shown and "フリーダム・エッジ" not in shown


def test_the_timeline_pages_newest_first_and_leads_to_every_year(client, korea, monkeypatch):
    from meetings.views import overview

    monkeypatch.setattr(overview, "TIMELINE_PAGE", 2)
    for year in (2019, 2021, 2022, 2023, 2024):
        MeetingFactory(countries=[korea], date=f"{year}-05", title_ja=f"会談{year}")
    first = text(client.get(reverse("meetings:timeline")))
    assert "会談2024" in first and "会談2023" in first and "会談2022" not in first
    last = text(client.get(reverse("meetings:timeline"), {"page": "3"}))
    assert "会談2019" in last and "会談2021" not in last
    html = client.get(reverse("meetings:timeline"), {"page": "abc"}).content.decode()
    years = re.findall(r'href="\?year=(\d{4})"', html)
    assert years == ["2024", "2023", "2022", "2021", "2020", "2019"]


def test_timeline_links_keep_the_filters_and_years_start_at_the_first_page(client, korea, monkeypatch):
    from meetings.views import overview

    monkeypatch.setattr(overview, "TIMELINE_PAGE", 1)
    for year in (2023, 2024):
        MeetingFactory(countries=[korea], date=f"{year}-05", title_ja=f"会談{year}")
    page = html.unescape(client.get(reverse("meetings:timeline"), {"country": "KR", "page": "2"}).content.decode())
    assert '<a href="?country=KR&page=1" rel="prev">' in page
    assert '<a href="?country=KR&year=2023">' in page
    page = html.unescape(client.get(reverse("meetings:timeline"), {"country": "KR", "year": "2024"}).content.decode())
    assert '<a href="?country=KR">' in page  # all years, the country kept
    page = html.unescape(client.get(reverse("meetings:timeline"), {"year": "2024"}).content.decode())
    assert '<li><a href=".">すべての年</a></li>' in page  # the timeline itself, not a bare "?"


def test_bad_timeline_filters_are_answered_on_the_page(client, korea):
    MeetingFactory(countries=[korea], date="2024-05", title_ja="日韓防衛相会談", title_en="Japan–ROK Defense Ministerial")
    page = get(client, "meetings:timeline", lang="en", year="abc", official="nobody", country="ZZ")
    assert page.status_code == 200
    shown = text(page)
    assert "Enter a year such as 2024." in shown
    assert "No official is named “nobody”." in shown
    assert "No country or organisation is named “ZZ”." in shown
    assert "Japan–ROK Defense Ministerial" in shown


# Home

def test_home_says_what_defrel_holds_and_shows_the_latest(client, gsomia, korea):
    MeetingFactory(countries=[korea], date="2025-09-08", title_ja="日韓防衛相会談", title_en="Japan–ROK Defense Ministerial")
    ExerciseFactory(countries=[korea], date="2024-11", name_ja="フリーダム・エッジ", name_en="Freedom Edge")
    page = get(client, "meetings:home", lang="en")
    shown = text(page)
    assert "1 meetings" in shown and "1 agreements" in shown and "1 exercises" in shown
    latest = text(page, start="latest")
    order = [latest.index(s) for s in ("Japan–ROK Defense Ministerial", "Freedom Edge", "notice withdrawn")]
    assert order == sorted(order)
    with translation.override("en"):
        assert f'href="{reverse("partners:country-detail", args=["KR"])}"' in page.content.decode()


def test_home_charts_meetings_per_year_by_level(client, korea):
    MeetingFactory(countries=[korea], date="2024-05", level="ministerial")
    MeetingFactory(countries=[korea], date="2024-07", level="leaders")
    MeetingFactory(countries=[korea], date="2022", level="ministerial")
    html = get(client, "meetings:home", lang="en").content.decode()
    rows = re.findall(r'<th scope="row">(\d{4})</th>.*?<td class="num">(\d+)</td>', html, re.S)
    assert rows == [("2024", "2"), ("2023", "0"), ("2022", "1")]
    assert "<title>leaders: 1</title>" in html and "<title>ministerial: 1</title>" in html


def test_japanese_by_default_and_english_at_the_english_address(client, gsomia):
    url = reverse("meetings:agreement-matrix")
    page = client.get("/en" + url)
    assert '<html lang="en">' in page.content.decode()
    assert "Republic of Korea" in text(page)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ja">' in page.content.decode() and "大韓民国" in text(page)


def test_the_server_error_page_draws_without_a_request_context(rf):
    from django.views.defaults import server_error

    page = server_error(rf.get("/"))
    assert page.status_code == 500
    assert 'class="site-header"' in page.content.decode() and "500" in text(page)


# Query counts: the same bound at 3 and at 30 rows of everything shown.

def make_relations(n):
    """Korea with ``n`` of every kind of record (relations_with), once for the tests below."""
    return relations_with(make_korea(), n)


relations = made_once(make_relations, scope="class", params=[3, 30])


class TestQueryCounts:
    def test_home_queries_are_constant(self, client, relations, django_assert_max_num_queries):
        # engagements: the count, the newest, their partners; the stamps; each kind's newest dates;
        # the newest source's year (the last an open end counts in, kept until a source changes)
        with django_assert_max_num_queries(22):
            page = client.get(reverse("meetings:home"))
        assert page.content.decode().count('class="entry entry-') == 10

    def test_timeline_queries_are_constant(self, client, relations, django_assert_max_num_queries):
        # engagements: the extent, the newest, their partners; the suggested officials (kept)
        # + each kind's newest dates (defrel.timeline.Entries.newest)
        with django_assert_max_num_queries(19):
            page = client.get(reverse("meetings:timeline"))
        assert "kr-m2" in page.content.decode()
        # the data stamp, each stream's extent and the form's countries: the records are kept
        with django_assert_max_num_queries(5):
            assert text(client.get(reverse("meetings:timeline"))) == text(page)

    def test_filtered_timeline_queries_are_constant(self, client, relations, django_assert_max_num_queries):
        japanese, partner = relations
        # two of them the official's tenures and part in each meeting: the office held that day
        # engagements: the newest and their partners; the suggested officials (kept); each
        # kind's newest dates; the newest source's year (the year filter's open ends)
        with django_assert_max_num_queries(15):
            page = client.get(reverse("meetings:timeline"), {"country": "KR", "official": partner.slug, "year": "2024"})
        assert "kr-m0" in page.content.decode()

    def test_matrix_queries_are_constant(self, client, relations, django_assert_max_num_queries):
        # the data stamp, the agreements, the partners, which agreement each is party to, the milestones
        with django_assert_max_num_queries(5):
            page = client.get(reverse("meetings:agreement-matrix"))
        assert "A2" in text(page)
        with django_assert_max_num_queries(1):  # the table, kept until the data changes
            assert text(client.get(reverse("meetings:agreement-matrix"))) == text(page)


def test_the_timeline_shows_a_change_at_the_next_request(client, django_capture_on_commit_callbacks):
    """A page's records are kept under the data stamp, per selection and page: a committed
    edit shows at once."""
    with django_capture_on_commit_callbacks(execute=True):
        korea = CountryFactory(code="KR")
        meeting = MeetingFactory(key="kr-1", date="2024-05", title_ja="日韓防衛相会談", countries=[korea])
    url = reverse("meetings:timeline")
    assert "日韓防衛相会談" in text(client.get(url)) and "日韓防衛相会談" in text(client.get(url + "?year=2024"))
    assert "日韓防衛相会談" not in text(client.get(url + "?year=2023"))
    with django_capture_on_commit_callbacks(execute=True):
        meeting.title_ja = "日韓防衛相会談（改題）"
        meeting.save()
    assert "日韓防衛相会談（改題）" in text(client.get(url))
    assert "日韓防衛相会談（改題）" in text(client.get(url + "?year=2024"))


def test_the_matrix_shows_a_change_at_the_next_request(client, django_capture_on_commit_callbacks):
    """The table is kept under the data stamp: a committed edit shows at once. (Every write
    here runs its commit callbacks: a bump left pending would stand for all later writes.)"""
    with django_capture_on_commit_callbacks(execute=True):
        korea = CountryFactory(code="KR", region="northeast_asia")
        agreement = AgreementFactory(parties=[korea], key="kr-gsomia", short_name="GSOMIA")
        AgreementEventFactory(agreement=agreement, kind="concluded", date="2016-11")
    before = korea_row(client.get(reverse("meetings:agreement-matrix")))
    assert korea_row(client.get(reverse("meetings:agreement-matrix"))) == before  # kept
    with django_capture_on_commit_callbacks(execute=True):
        agreement.short_name = "GSOMIA (renamed)"
        agreement.save()
    after = korea_row(client.get(reverse("meetings:agreement-matrix")))
    assert "GSOMIA (renamed)" not in before
    assert "GSOMIA (renamed)" in after


def test_the_front_page_says_the_data_can_be_taken_away(client):
    """An analyst arriving at the front page learns that every table, a citable release and
    the API are on the data page (linked till now only as the footer's "data dictionary")."""
    page = client.get("/").content.decode()
    main = page[page.index("<main"):page.index("</main>")]
    assert '<a href="/data/">データをダウンロード：すべての表（CSV・NDJSON）、引用できる公開版、JSON API</a>' in main
    with translation.override("en"):
        page = client.get("/en/").content.decode()
    assert ('<a href="/en/data/">Download the data: every table (CSV, NDJSON), a citable release, '
            'the JSON API</a>') in page

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from defrel.databases import behind_pooler
from meetings.resources import AgreementResource, ExerciseResource, MeetingResource
from tests.built import built_at_once
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, ExerciseFactory, MeetingFactory, ParticipationFactory,
)
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = pytest.mark.django_db


def download(client, name, query=""):
    response = client.get(reverse(name) + query)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content).decode("utf-8")


def rows(text):
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def au():
    return CountryFactory(code="AU", name_ja="オーストラリア")


def test_an_exports_file_name_says_the_filters_it_holds(client, au):
    """Two exports of one list with different filters keep apart on an analyst's disk."""
    MeetingFactory(countries=[au])
    named = {query: client.get(reverse("meetings:meeting-export") + query)["Content-Disposition"]
             for query in ("", "?country=AU&year=2024&page=3", "?country=オーストラリア")}
    assert named == {
        "": 'attachment; filename="defrel-meetings.csv"',
        "?country=AU&year=2024&page=3": 'attachment; filename="defrel-meetings_country-AU_year-2024.csv"',
        "?country=オーストラリア": "attachment; filename*=utf-8''defrel-meetings_country-%E3%82%AA%E3%83%BC%E3%82%B9%E3%83%88%E3%83%A9%E3%83%AA%E3%82%A2.csv"}
    assert client.get(reverse("meetings:engagement-export") + "?kind=port_call")["Content-Disposition"] == (
        'attachment; filename="defrel-engagements_kind-port_call.csv"')


def test_an_exports_file_name_names_only_the_filters_it_applied(client, au):
    """A link that came with tracking parameters (?fbclid=) does not name them: the file
    holds no such filter."""
    MeetingFactory(countries=[au])

    def named(name, query):
        return client.get(reverse(name) + query)["Content-Disposition"]

    assert named("meetings:meeting-export", "?country=AU&fbclid=abc&utm_source=x") == (
        'attachment; filename="defrel-meetings_country-AU.csv"')
    assert named("meetings:agreement-export", "?party=AU&as_of=2019-12-01&gclid=1") == (
        'attachment; filename="defrel-agreements_as_of-2019-12-01_party-AU.csv"')
    assert named("partners:official-export", "?country=AU&utm_medium=social") == (
        'attachment; filename="defrel-officials_country-AU.csv"')


def test_meeting_export_starts_with_the_bom_and_the_resource_headers(client, au):
    MeetingFactory(countries=[au])
    text = download(client, "meetings:meeting-export")
    assert text.startswith("\ufeff")
    header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert header == MeetingResource().get_export_headers()


def test_meeting_export_has_exactly_the_filtered_rows_in_list_order(client, au):
    MeetingFactory(key="au-old", date="2023", countries=[au])
    MeetingFactory(key="au-new", date="2024-05", countries=[au])
    MeetingFactory(key="other", date="2024-06", countries=[CountryFactory()])
    assert [r["key"] for r in rows(download(client, "meetings:meeting-export", "?country=AU"))] == [
        "au-new", "au-old",
    ]
    assert [r["key"] for r in rows(download(client, "meetings:meeting-export",
                                            "?country=AU&sort=date"))] == ["au-old", "au-new"]
    assert [r["key"] for r in rows(download(client, "meetings:meeting-export", "?year=2023"))] == ["au-old"]


def test_meeting_export_carries_partial_dates_and_titles_at_the_time(client, au):
    meeting = MeetingFactory(key="m", date="2024-05", countries=[au])
    tenure = TenureFactory(official__slug="kihara-minoru", official__name_ja="木原稔",
                           position__title_ja="防衛大臣")
    ParticipationFactory(meeting=meeting, official=tenure.official)
    [row] = rows(download(client, "meetings:meeting-export"))
    assert (row["date"], row["date_lower"], row["date_upper"]) == ("2024-05", "2024-05-01", "2024-05-31")
    assert row["participants"] == "kihara-minoru"
    assert row["participant_titles_ja"] == "防衛大臣 木原稔"


def test_meeting_export_says_how_each_participant_is_known_in_participant_order(client, au):
    meeting = MeetingFactory(key="m", date="2024-05", countries=[au])
    first = ParticipationFactory(meeting=meeting, official__country=au, known_from="public_record")
    second = ParticipationFactory(meeting=meeting, official__country=au, known_from="source")
    [row] = rows(download(client, "meetings:meeting-export"))
    assert row["participants"] == f"{first.official.slug}|{second.official.slug}"
    assert row["participant_known_from"] == "public_record|source"
    [python_row] = MeetingResource().export().dict
    assert python_row["participant_known_from"] == "public_record|source"


def test_formula_looking_cells_are_escaped(client, au):
    MeetingFactory(title_en='=HYPERLINK("http://evil.example","x")', countries=[au])
    [row] = rows(download(client, "meetings:meeting-export"))
    assert row["title_en"] == '\'=HYPERLINK("http://evil.example","x")'


REFUSED = [
    ("meetings:meeting-export", "?year=abc&country=AU", {"year": "Enter a whole number."}),
    ("meetings:meeting-export", "?country=XX&level=emperor", {
        "country": "No country or organisation is named “XX”.",
        "level": "Select a valid choice. emperor is not one of the available choices."}),
    ("meetings:agreement-export", "?party=XX", {
        "party": "No country or organisation is named “XX”."}),
    ("meetings:agreement-export", "?as_of=2024-02-30", {"as_of": "“2024-02-30” is not a day such as 2019-12-01."}),
    ("meetings:exercise-export", "?year=20x4", {"year": "Enter a whole number."}),
    ("meetings:engagement-export", "?kind=x", {
        "kind": "Select a valid choice. x is not one of the available choices."}),
    ("partners:official-export", "?country=XX", {
        "country": "No country or organisation is named “XX”."}),
    # a line break typed into a value stays inside its parameter's one line
    ("meetings:meeting-export", "?level=%0D%0Ayear:%20fine", {
        "level": "Select a valid choice. year: fine is not one of the available choices."}),
]


@pytest.mark.parametrize("name, query, expected", REFUSED)
def test_an_export_with_a_bad_filter_is_refused_naming_it(client, au, name, query, expected):
    """Every row exported as if unfiltered would pass for the filtered ones: the analyst is
    told which parameter is wrong and why, as the JSON API tells a program."""
    MeetingFactory(key="m", countries=[au])
    response = client.get("/en" + reverse(name) + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert dict(line.split(": ", 1) for line in lines) == expected


def test_an_exports_refusal_is_in_the_pages_language(client, au):
    response = client.get(reverse("meetings:meeting-export") + "?year=abc")
    assert response.content.decode() == "year: 整数を入力してください。\n"


def test_agreement_export_honours_party_and_status_as_of(client, au):
    kr = CountryFactory(code="KR")
    gsomia = AgreementFactory(key="kr-gsomia", parties=[kr])
    AgreementEventFactory(agreement=gsomia, kind="concluded", date="2016-11")
    AgreementEventFactory(agreement=gsomia, kind="termination_notified", date="2019-08")
    AgreementFactory(key="au-acsa", kind="acsa", stated_status="in_force", parties=[au])
    text = download(client, "meetings:agreement-export", "?party=KR")
    assert text.startswith("\ufeff" + ",".join(AgreementResource().get_export_headers()))
    assert [r["key"] for r in rows(text)] == ["kr-gsomia"]
    noticed = rows(download(client, "meetings:agreement-export", "?as_of=2019-09-01&status=notice_given"))
    assert [r["key"] for r in noticed] == ["kr-gsomia"]


def test_exercise_export_honours_the_filters(client, au):
    ExerciseFactory(key="talisman", countries=[au], date="2023-07")
    ExerciseFactory(key="freedom-edge", countries=[CountryFactory()], date="2024-11")
    text = download(client, "meetings:exercise-export", "?country=AU")
    assert text.startswith("\ufeff" + ",".join(ExerciseResource().get_export_headers()))
    assert [r["key"] for r in rows(text)] == ["talisman"]
    assert [r["key"] for r in rows(download(client, "meetings:exercise-export", "?year=2024"))] == [
        "freedom-edge"
    ]


@pytest.mark.parametrize("n", [3, 30])
def test_export_queries_do_not_grow_with_rows(client, django_assert_max_num_queries, au, n):
    with built_at_once():
        for _ in range(n):
            meeting = MeetingFactory(countries=[au, CountryFactory()])
            meeting.exercises.add(ExerciseFactory(countries=[au]))
            ParticipationFactory(meeting=meeting, official=TenureFactory().official)
            AgreementEventFactory(agreement=AgreementFactory(parties=[au]))
    with django_assert_max_num_queries(7):  # + the data stamps (the ETag), in each
        assert len(rows(download(client, "meetings:meeting-export", "?country=AU"))) == n
    # Behind pgbouncer (no server-side cursors) an export reads the ids first (defrel.queries.in_chunks).
    ids_first = int(behind_pooler(connection.settings_dict))
    with django_assert_max_num_queries(8 + ids_first):
        assert len(rows(download(client, "meetings:agreement-export", "?party=AU"))) == n
    with django_assert_max_num_queries(4 + ids_first):
        assert len(rows(download(client, "meetings:exercise-export", "?country=AU"))) == n


def test_meeting_export_streams_chunks_of_many_rows_not_one_a_row(client, au):
    for i in range(30):  # about 10 KB a row: some rows to each chunk
        MeetingFactory(key=f"m{i:03d}", countries=[au], summary_en=f"Row {i}, " + "text " * 2000)
    response = client.get(reverse("meetings:meeting-export"))
    chunks = list(response.streaming_content)
    assert chunks[0] == ("\ufeff" + ",".join(MeetingResource().get_export_headers()) + "\r\n").encode()
    body = chunks[1:]
    assert 3 <= len(body) <= 12  # about 64 KB each: a write each for the server, not one a row
    assert sum(map(len, body[1:-1])) / len(body[1:-1]) > 48 * 1024
    assert len(rows(b"".join(chunks).decode())) == 30

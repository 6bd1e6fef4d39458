"""Every table downloadable whole, as CSV (spreadsheet-safe) and NDJSON (typed), listed on
the data page with its row count; the partners' lists export what they show."""
import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bench.synth import synth
from defrel.exports import json_line_chunks, ndjson_chunks, value_rows
from meetings import tables
from meetings.resources import MeetingResource
from tests.meetings.factories import (
    AgreementEventFactory, EngagementFactory, ExerciseFactory, MeetingFactory, OccasionFactory,
    ParticipationFactory, SourceFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory, TenureFactory

pytestmark = pytest.mark.django_db

ALL = ["meetings", "participations", "agreements", "agreement-milestones", "exercises", "engagements",
       "countries", "officials", "positions", "tenures", "occasions", "sources"]


def body(response):
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def ndjson_rows(text):
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def titled_meeting():
    """A meeting with a participant whose title on the day comes from a tenure."""
    au = CountryFactory(code="AU")
    meeting = MeetingFactory(key="2024-05-au", date="2024-05", countries=[au], title_en="=1+1 talks",
                             occasion=OccasionFactory())
    tenure = TenureFactory(official__slug="kihara-minoru", position__key="jp-minister-of-defense",
                           position__title_ja="防衛大臣", position__title_en="Minister of Defense", date="2023-09/2024-10")
    ParticipationFactory(meeting=meeting, official=tenure.official)
    return meeting


@pytest.fixture
def one_of_each(titled_meeting):
    AgreementEventFactory(agreement__parties=titled_meeting.countries.all())
    ExerciseFactory(countries=titled_meeting.countries.all())
    EngagementFactory(countries=titled_meeting.countries.all())


def test_the_registry_holds_every_table():
    assert list(tables.TABLES) == ALL


def test_every_table_downloads_as_csv_and_ndjson_with_its_resources_columns(client, one_of_each):
    for slug, table in tables.TABLES.items():
        headers = table.resource().get_export_headers()
        text = body(client.get(reverse("meetings:table-csv", args=[slug])))
        assert text.startswith("\ufeff")
        assert next(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == headers
        expected = table.model._default_manager.count()
        assert len(csv_rows(text)) == expected > 0, slug
        lines = ndjson_rows(body(client.get(reverse("meetings:table-ndjson", args=[slug]))))
        assert len(lines) == expected and all(list(line) == headers for line in lines), slug


def test_the_english_prefix_serves_the_same_tables(client, titled_meeting):
    with translation.override("en"):
        url = reverse("meetings:table-ndjson", args=["meetings"])
    assert url.startswith("/en/data/")
    assert [m["key"] for m in ndjson_rows(body(client.get(url)))] == ["2024-05-au"]


def test_ndjson_is_typed_and_not_escaped_where_the_csv_is(client, titled_meeting):
    [meeting] = ndjson_rows(body(client.get(reverse("meetings:table-ndjson", args=["meetings"]))))
    assert meeting["count"] == 1 and meeting["version"] >= 1  # numbers, not "1"
    assert meeting["sequence"] is None and meeting["host_country"] is None  # NULL is null
    assert meeting["date_upper"] == "2024-05-31" and meeting["exercises"] == ""
    assert meeting["title_en"] == "=1+1 talks"  # as stored: JSON is not opened by spreadsheets
    [row] = csv_rows(body(client.get(reverse("meetings:table-csv", args=["meetings"]))))
    assert row["title_en"] == "'=1+1 talks" and row["count"] == "1"


def test_participations_carry_the_title_at_the_time(client, titled_meeting):
    [row] = ndjson_rows(body(client.get(reverse("meetings:table-ndjson", args=["participations"]))))
    assert row == {"meeting": "2024-05-au", "official": "kihara-minoru", "role": "principal",
                   "known_from": "excerpt", "position": "jp-minister-of-defense", "title_ja": "防衛大臣",
                   "title_en": "Minister of Defense", "version": 1}


def test_the_meetings_sql_rows_and_lines_are_the_resources_own(titled_meeting):
    """The database writes the meetings' values and NDJSON lines (meetings.fast_export,
    meetings.export_json); the resource's own fields give the same ones."""
    nul = "\x00" if connection.vendor == "sqlite" else ""  # PostgreSQL's text holds none
    other = MeetingFactory(key="2023-other", date="2023", sequence=11, countries=[CountryFactory(code="US")],
                           title_en='a "quoted",\nline\\ \t=x', summary_en=f"\u3042{nul}\x1f", location_en="")
    other.exercises.set([ExerciseFactory(key="freedom-edge")])
    ParticipationFactory(meeting=other, official=OfficialFactory(slug="no-tenure"))
    MeetingFactory(key="2022-nobody", date="2022-04/..")
    resource, rows = MeetingResource(), tables.TABLES["meetings"].rows()
    headers = resource.get_export_headers()
    assert list(value_rows(resource, rows)) == list(value_rows(resource, rows, fast=False))
    lines = b"".join(ndjson_chunks(resource, rows)).decode().splitlines()
    plain = b"".join(json_line_chunks(headers, value_rows(resource, rows, fast=False))).decode().splitlines()
    assert [json.loads(line) for line in lines] == [json.loads(line) for line in plain]
    assert len(lines) == 3 and json.loads(lines[1])["summary_en"] == f"\u3042{nul}\x1f"


def test_the_data_page_lists_every_table_with_its_row_count_and_links(client, one_of_each):
    with translation.override("en"):
        page = client.get(reverse("meetings:data-dictionary")).content.decode()
    for slug, table in tables.TABLES.items():
        n = table.model._default_manager.count()
        listed = re.search(rf'href="/en/data/{slug}.csv"[^>]*>CSV</a>\s*· <a href="/en/data/{slug}.ndjson"'
                           rf'[^>]*>NDJSON</a>\s*<span class="muted">\((\d+) rows?\)', page)
        assert listed and int(listed.group(1)) == n > 0, slug


def test_an_unknown_table_is_not_found(client):
    assert client.get("/data/users.csv").status_code == 404


def test_whole_table_downloads_run_a_constant_number_of_queries(client):
    counts = {}
    SourceFactory()  # synth makes none
    for size in (20, 200):
        synth(meetings=size, countries=size // 5 + 6, officials=size, agreements=size // 3, exercises=size // 3,
              engagements=size, seed=3, force=True)
        for slug in ALL:
            for name in ("meetings:table-csv", "meetings:table-ndjson"):
                with CaptureQueriesContext(connection) as queries:
                    text = body(client.get(reverse(name, args=[slug])))
                assert text.count("\n") >= 1 + name.endswith("csv"), (slug, name)  # a row at least
                counts.setdefault((slug, name), set()).add(len(queries))
    assert {key: n for key, n in counts.items() if len(n) > 1} == {}


def test_the_countries_list_exports_the_partners_it_shows(client):
    CountryFactory(code="JP", region="northeast_asia")
    CountryFactory(code="KR", region="northeast_asia", name_ja="韓国", name_en="Korea")
    CountryFactory(code="NZ", region="oceania", name_ja="ニュージーランド", name_en="New Zealand")
    CountryFactory(code="AU", region="oceania", name_ja="オーストラリア", name_en="Australia")
    page = client.get(reverse("partners:country-list")).content.decode()
    assert reverse("partners:country-export") in page
    on_page = re.findall(r'href="/partners/countries/([A-Z]+)/"', page)
    exported = [row["code"] for row in csv_rows(body(client.get(reverse("partners:country-export"))))]
    assert exported == on_page == ["AU", "NZ", "KR"]  # not Japan; regions in the white paper's order


def test_the_officials_list_exports_exactly_its_filtered_rows(client):
    au, us = CountryFactory(code="AU"), CountryFactory(code="US")
    OfficialFactory(slug="marles-richard", name_ja="マールズ", name_en="Richard Marles", country=au)
    OfficialFactory(slug="moriarty-greg", name_ja="モリアーティ", name_en="Greg Moriarty", country=au)
    OfficialFactory(slug="austin-lloyd", name_en="Lloyd Austin", country=us)
    page = client.get(reverse("partners:official-list") + "?country=AU&page=1").content.decode()
    assert reverse("partners:official-export") + "?country=AU" in page
    rows = csv_rows(body(client.get(reverse("partners:official-export") + "?country=AU")))
    assert [r["slug"] for r in rows] == ["marles-richard", "moriarty-greg"]  # the list's order: まーるず, もりあーてぃ
    rows = csv_rows(body(client.get(reverse("partners:official-export") + "?q=lloyd")))
    assert [r["slug"] for r in rows] == ["austin-lloyd"]

"""The meetings export written by the database (meetings.fast_export) against MeetingResource's
own: the same bytes, however hostile the data, on SQLite and PostgreSQL."""
import csv
import io

import pytest
from django.db import connection
from django.urls import reverse
from import_export import resources
from import_export.formats import base_formats

from defrel.exports import csv_chunks as response_chunks
from defrel.exports import escape_formula
from meetings import export_sql, fast_export
from meetings.models import Meeting
from meetings.resources import MeetingResource
from tests.built import built_at_once
from tests.meetings.factories import (
    ExerciseFactory, MeetingFactory, OccasionFactory, ParticipationFactory, SourceFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory
from tests.curated import load_curated

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
HEADERS = MeetingResource().get_export_headers()


def resource_csv(queryset, headers=HEADERS):
    """What csv.writer makes of MeetingResource's own cells (export_field: formula-escaped)."""
    resource = MeetingResource()
    fields = {field.column_name: field for field in resource.get_export_fields()}
    out = io.StringIO()
    writer = csv.writer(out)
    for meeting in queryset:
        writer.writerow([resource.export_field(fields[h], meeting) for h in headers])
    return out.getvalue().encode()


def fast_csv(queryset, headers=HEADERS, **kwargs):
    return b"".join(fast_export.csv_chunks(MeetingResource(), headers, queryset, **kwargs))


def everything():
    return MeetingResource().get_queryset()


def assert_same_csv(fast, slow):
    """Equal bytes; when not, the first differing row, cell by cell, for the reader."""
    if fast != slow:
        fast_rows = list(csv.reader(io.StringIO(fast.decode(), newline="")))
        slow_rows = list(csv.reader(io.StringIO(slow.decode(), newline="")))
        for f, s in zip(fast_rows, slow_rows):
            assert dict(zip(HEADERS, f)) == dict(zip(HEADERS, s))
        assert len(fast_rows) == len(slow_rows)
    assert fast == slow


@pytest.fixture
def python_fallback(monkeypatch):
    """The meetings SQL leaves to Python (SQLite only), recorded."""
    calls = []
    original = fast_export.python_lines

    def recorded(resource, headers, pks, using):
        calls.extend(pks)
        return original(resource, headers, pks, using)

    monkeypatch.setattr(fast_export, "python_lines", recorded)
    return calls


def test_the_fast_export_gives_the_resources_cells_for_every_curated_meeting(python_fallback):
    load_curated()
    resource = MeetingResource()
    queryset = resource.get_queryset()
    slow = [resource.export_resource(m) for m in queryset]
    fast = list(resource.export_rows(resource.get_export_headers(), Meeting.objects.all()))
    assert len(fast) == Meeting.objects.count() > 200
    assert fast == slow
    assert_same_csv(fast_csv(Meeting.objects.all()), resource_csv(queryset))
    assert python_fallback == []  # the curated data is written by SQL alone


def test_the_streamed_csv_uses_the_fast_rows_and_escapes_formulae():
    MeetingFactory(key="f", title_en="=cmd()")
    text = b"".join(response_chunks(MeetingResource(), Meeting.objects.all())).decode()
    (row,) = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["title_en"] == "'=cmd()"


@pytest.fixture
def people():
    """Officials of three partners whose titles change over time, with unknown tenure ends."""
    jp, au, us = (CountryFactory(code=c) for c in ("JP", "AU", "US"))
    kihara = OfficialFactory(slug="kihara-minoru", name_ja="木原　稔", name_en="KIHARA Minoru", country=jp)
    state = PositionFactory(country=jp, title_ja="防衛副大臣", title_en="State Minister of Defense",
                            level="vice_minister")
    minister = PositionFactory(country=jp, title_ja="防衛大臣", title_en="Minister of Defense")
    diet = PositionFactory(country=jp, title_ja="衆議院議員", title_en="Member of the House", level="other")
    TenureFactory(official=kihara, position=state, date="2019-09/2020-09")
    TenureFactory(official=kihara, position=minister, date="2020-09-16/2021-10-04")
    TenureFactory(official=kihara, position=diet, date="2012/2021-10")
    TenureFactory(official=kihara, position=diet, date="2021-01/..")  # later, but ranked offices first
    marles = OfficialFactory(slug="marles-richard", name_ja="マールズ", name_en='Marles, "Richard"',
                             country=au)
    TenureFactory(official=marles, position=PositionFactory(
        country=au, title_ja="=副首相", title_en="+Deputy Prime Minister, Defence"), date="/2020-01")
    austin = OfficialFactory(slug="-austin", name_ja="オースティン", name_en="Lloyd\nAustin", country=us)
    TenureFactory(official=austin, position=PositionFactory(
        country=us, title_ja="国防長官", title_en='Secretary "of" Defense'), date="2021-01-22/")
    aide = OfficialFactory(slug="aaa-aide", name_ja="補佐官", name_en="Aide", country=us)
    return {"kihara": kihara, "marles": marles, "austin": austin, "aide": aide, "jp": jp, "au": au, "us": us}


@built_at_once()
def meeting_with(key, date, officials, **fields):
    meeting = MeetingFactory(key=key, date=date, **fields)
    for official in officials:
        ParticipationFactory(meeting=meeting, official=official)
    return meeting


def test_titles_at_the_time_partners_and_participants_in_order(people):
    p = people
    # the aide is added after Austin: same country, so by participation, not by slug
    meeting_with("2020-01-talks", "2020-01", [p["austin"], p["kihara"], p["aide"], p["marles"]],
                 countries=[p["us"], p["au"]])
    meeting_with("2020-09-talks", "2020-09", [p["kihara"]], countries=[p["au"]])  # both offices: latest
    meeting_with("2021-05-talks", "2021-05", [p["kihara"], p["austin"]], countries=[p["us"]])
    meeting_with("2023-talks", "2023", [p["kihara"], p["marles"]], countries=[p["au"]])  # the Diet seat
    meeting_with("2010-talks", "2010", [p["kihara"], p["austin"]], countries=[p["us"]])  # no title
    meeting_with("2015-talks", "2015", [p["marles"]], countries=[p["au"]])  # an unknown start
    meeting_with("2024-04-since", "2024-04/..", [p["austin"], p["kihara"]], countries=[])  # open end
    meeting_with("2024-05-nobody", "2024-05", [], countries=[p["au"], p["jp"], p["us"]])
    assert_same_csv(fast_csv(Meeting.objects.all()), resource_csv(everything()))
    columns = ["key", *export_sql.PEOPLE, "countries"]
    text = fast_csv(Meeting.objects.all(), columns).decode()
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(text, newline=""), fieldnames=columns)}
    assert rows["2020-01-talks"]["participants"] == "marles-richard|kihara-minoru|-austin|aaa-aide"
    assert rows["2020-01-talks"]["participant_titles_ja"] == (
        "'=副首相 マールズ|防衛副大臣 木原　稔|オースティン|補佐官")  # Austin from 2021
    assert rows["2020-09-talks"]["participant_titles_en"] == "Minister of Defense KIHARA Minoru"
    assert rows["2021-05-talks"]["participant_titles_ja"] == "防衛大臣 木原　稔|国防長官 オースティン"
    assert rows["2023-talks"]["participant_titles_ja"] == "マールズ|衆議院議員 木原　稔"
    assert rows["2010-talks"]["participant_titles_en"] == "KIHARA Minoru|Lloyd\nAustin"
    assert rows["2015-talks"]["participant_titles_en"] == "'+Deputy Prime Minister, Defence Marles, \"Richard\""
    assert rows["2024-05-nobody"]["countries"] == "AU|JP|US"
    assert rows["2024-05-nobody"]["participants"] == ""


HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+81-3", "-1", "@SUM(A1)", "\tTab", "\rCR", "'quoted",
           "'=already", 'He said "no"', "a,b", "line\nbreak", "crlf\r\nend", "trailing\r", "", " spaced ",
           "\u3000全角空白\u3000", "日本語, カンマ", "Ünïcödé ✓", "|pipe|", "x" * 3000]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_text_cell_is_escaped_and_quoted_as_the_resource_does(value):
    short = value[:200]  # the titles and places are varchar(200–300)
    MeetingFactory(key="m", title_ja=short, title_en=short, location_ja=short, location_en=short,
                   summary_ja=value, summary_en=value, outcomes_ja=value, outcomes_en=value,
                   source_excerpt=value)
    assert_same_csv(fast_csv(Meeting.objects.all()), resource_csv(everything()))


@pytest.mark.parametrize("value", ["-minus", "=eq", "+plus", "@at", "'q", "a,b", 'q"uote', "l\nf", "c\rr",
                                   "\tt", "", "ok-key", "9-digits", ".dot", "Ünï"])
def test_keys_codes_and_choices_that_are_not_identifiers_are_still_exact(value):
    """Curated keys are slugs and codes, but nothing in the database says so."""
    meeting = MeetingFactory(
        key=value or "k", kind=value, level=value or "ministerial", format=value,
        host_country=CountryFactory(code=value or "HC"), occasion=OccasionFactory(key=value or "o"),
        source=SourceFactory(key=value or "s"), sequence=0, count=3,
        countries=[CountryFactory(code=f"{value}2"), CountryFactory(code="AU")])
    meeting.exercises.set([ExerciseFactory(key=f"{value}x"), ExerciseFactory(key="b")])
    ParticipationFactory(meeting=meeting, official=TenureFactory(
        official__slug=value or "o", position__title_ja=value or "t", official__name_en=value).official)
    assert_same_csv(fast_csv(Meeting.objects.all()), resource_csv(everything()))


@pytest.mark.parametrize("name, title", [
    (" padded ", "防衛大臣"), ("name", " padded title"), ("\u3000全角", "役職\u3000"), ("tab\t", ""),
    ("", "役職"), ("", ""), ("x\u2003", "\u2028y"), ("\u0085z", "\u00a0w"), ("“引用”", "…省略"),
])
def test_titles_are_stripped_as_python_strips_them(name, title):
    meeting = MeetingFactory(key="m")
    tenure = TenureFactory(official__name_ja=name, official__name_en=name, position__title_ja=title,
                           position__title_en=title, date="2024")
    ParticipationFactory(meeting=meeting, official=tenure.official)
    ParticipationFactory(meeting=meeting, official=OfficialFactory(name_ja=name, name_en=f"{name}2"))
    assert_same_csv(fast_csv(Meeting.objects.all()), resource_csv(everything()))


def test_nul_characters_are_left_to_python(python_fallback):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL text cannot hold NUL")
    nul = MeetingFactory(key="nul", title_en="\0=x, \"y\"", summary_en="a\0b,c\nd")
    MeetingFactory(key="plain")
    assert_same_csv(fast_csv(Meeting.objects.all()), resource_csv(everything()))
    assert python_fallback == [nul.pk]


def test_nulls_numbers_and_dates(people):
    MeetingFactory(key="a", date="2024-09/2024-10", count=12, sequence=None, host_country=None,
                   occasion=None, source=None, location_ja="", countries=[])
    MeetingFactory(key="b", date="2024-04/..", sequence=31, host_country=people["au"],
                   occasion=OccasionFactory(), countries=[people["us"]])
    assert_same_csv(fast_csv(Meeting.objects.all()), resource_csv(everything()))
    rows = list(csv.DictReader(io.StringIO(fast_csv(Meeting.objects.order_by("key")).decode()),
                               fieldnames=HEADERS))
    assert (rows[0]["date_lower"], rows[0]["date_upper"], rows[0]["count"], rows[0]["sequence"]) == (
        "2024-09-01", "2024-10-31", "12", "")
    assert (rows[1]["date_upper"], rows[1]["sequence"], rows[1]["host_country"]) == ("", "31", "AU")


def test_some_columns_in_any_order_and_a_queryset_order_across_chunks(people):
    for i in range(23):
        meeting_with(f"m{i:02d}", f"20{10 + i % 14}-0{1 + i % 9}",
                     [people["kihara"], people["marles"]][: i % 3], title_en=f"T{i}, \"{i}\"",
                     countries=[people["au"]])
    headers = ["participant_titles_en", "key", "countries", "summary_en", "count"]
    for order in (["key"], ["-date_lower", "key"], ["-title_en"], ["date_upper", "-key"]):
        queryset = Meeting.objects.filter(key__gt="m03").order_by(*order)
        fast = fast_csv(queryset, headers, ids_per_query=4, chunk_bytes=100)
        assert_same_csv(fast, resource_csv(everything().filter(key__gt="m03").order_by(*order), headers))
    chunks = list(fast_export.csv_chunks(MeetingResource(), HEADERS, Meeting.objects.all(), chunk_bytes=800))
    assert len(chunks) > 3
    assert all(c.endswith(b"\r\n") for c in chunks)  # whole rows
    sizes = [len(c) for c in chunks[1:-1]]  # the first is 16 rows, the last what is left
    assert 400 < sum(sizes) / len(sizes) < 1600  # about chunk_bytes each


def test_the_export_view_streams_a_filtered_queryset_in_its_order(client, people):
    for i in range(30):
        meeting_with(f"m{i:02d}", f"20{10 + i % 14}-{1 + i % 12:02d}", [people["kihara"]],
                     level="vice_ministerial" if i % 3 else "ministerial",
                     countries=[people["au"]] if i % 2 else [people["us"]])
    for query, queryset in [
        ("?level=vice_ministerial", Meeting.objects.filter(level="vice_ministerial")),
        ("?country=AU&sort=date", Meeting.objects.filter(countries__code="AU").order_by("date_lower", "key")),
        ("", Meeting.objects.all()),
    ]:
        response = client.get(reverse("meetings:meeting-export") + query)
        chunks = list(response.streaming_content)
        header = ("\ufeff" + ",".join(HEADERS) + "\r\n").encode()
        assert chunks[0] == header  # the header alone first, before any query for rows
        body = b"".join(chunks[1:])
        keys = [r[0] for r in csv.reader(io.StringIO(body.decode(), newline=""))]
        assert keys == list(queryset.values_list("key", flat=True))
        assert_same_csv(body, resource_csv(everything().filter(pk__in=queryset.values("pk")).order_by(
            *(queryset.query.order_by or Meeting._meta.ordering))))


def test_the_header_comes_before_any_query(django_assert_num_queries):
    MeetingFactory()
    chunks = response_chunks(MeetingResource(), Meeting.objects.all())
    with django_assert_num_queries(0):
        assert next(chunks).startswith("\ufeffkey,date,".encode())
    with django_assert_num_queries(2):  # the ids, then their lines
        assert len(list(chunks)) == 1


def test_the_plain_sql_of_the_benchmark_gives_the_same_cells(people):
    """bench/run.py hands export_sql's plain columns to the sqlite3 command line and COPY."""
    meeting_with("a", "2020-01", [people["austin"], people["kihara"], people["marles"]],
                 countries=[people["us"], people["au"]], title_en=" =x, \"y\"\n")
    meeting_with("b", "2023", [people["kihara"]], countries=[], sequence=4)
    meeting_with("c", "2024-04/..", [], countries=[people["au"]], host_country=people["jp"])
    m = Meeting.objects.get(key="c")
    m.exercises.set([ExerciseFactory(key="z"), ExerciseFactory(key="a")])
    with connection.cursor() as cursor:
        cursor.execute(export_sql.export_sql(connection.vendor) + " ORDER BY m.date_lower DESC, m.key")
        assert [c[0] for c in cursor.description] == HEADERS
        plain = [["" if v is None else escape_formula(str(v)) for v in row] for row in cursor.fetchall()]
    resource = MeetingResource()
    assert plain == [resource.export_resource(m) for m in everything()]


def test_the_admin_export_is_the_resources_dataset_in_every_format(people):
    meeting_with("a", "2020-01", [people["austin"], people["kihara"]], countries=[people["us"]],
                 title_en="=x, \"y\"", sequence=2)
    meeting_with("b", "2023", [people["marles"]], countries=[people["au"]], count=3)
    resource = MeetingResource()
    queryset = Meeting.objects.filter(key__in=["a", "b"]).order_by("key")
    for kwargs in ({}, {"force_native_type": True},
                   {"export_fields": ["key", "count", "sequence", "participant_titles_ja", "countries"]},
                   {"export_fields": ["sequence", "key"], "force_native_type": True}):
        fast = resource.export(queryset=queryset, **kwargs)
        slow = resources.ModelResource.export(resource, queryset=queryset, **kwargs)
        assert fast.headers == slow.headers
        assert fast.dict == slow.dict
        for file_format in (base_formats.CSV(), base_formats.JSON()):
            assert file_format.export_data(fast) == file_format.export_data(slow)
        assert base_formats.XLSX().export_data(fast)  # (it embeds its creation time)
    everything_slow = resources.ModelResource.export(resource)
    assert resource.export().dict == everything_slow.dict


def test_the_admin_export_falls_back_for_what_it_cannot_write():
    MeetingFactory(key="a")
    resource = MeetingResource()
    rows = list(Meeting.objects.all())  # a list, not a queryset
    assert resource.export(queryset=rows).dict == resources.ModelResource.export(resource, queryset=rows).dict


@pytest.mark.parametrize("file_format", ["0", "1", "2"])  # csv, xlsx, json
def test_the_admin_export_button_gives_the_resources_rows(editor_client, people, file_format, monkeypatch):
    import json

    import openpyxl

    used, original = [], fast_export.meeting_rows
    monkeypatch.setattr(fast_export, "meeting_rows", lambda *a, **k: used.append(a) or original(*a, **k))

    for i in range(12):
        meeting_with(f"m{i:02d}", f"20{12 + i}-0{1 + i % 9}", [people["kihara"], people["marles"]][: i % 3],
                     title_en=f"=T{i}, \"{i}\"", level="vice_ministerial" if i % 2 else "ministerial",
                     countries=[people["au"]], sequence=i or None)
    fields = {f"meetingresource_{h}": "on" for h in HEADERS}
    response = editor_client.post(reverse("admin:meetings_meeting_export") + "?level__exact=vice_ministerial",
                                  {"format": file_format, "resource": "0", **fields})
    assert response.status_code == 200
    # every column, "format" (the meeting's) too, whichever file format was chosen
    expected = resources.ModelResource.export(
        MeetingResource(), queryset=Meeting.objects.filter(level="vice_ministerial").order_by("-date_lower", "key"),
        force_native_type=file_format == "1", export_fields=list(HEADERS))
    assert "format" in expected.headers
    if file_format == "0":
        text = response.content.decode("utf-8-sig")
        assert list(csv.DictReader(io.StringIO(text, newline=""))) == expected.dict
    elif file_format == "1":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        got = [[c.value for c in row] for row in sheet.iter_rows()]
        assert got[0] == expected.headers
        assert [[("" if v is None else v) for v in row] for row in got[1:]] == [
            [("" if v is None else v) for v in row] for row in expected]
    else:
        assert json.loads(response.content) == expected.dict
    assert len(expected) == 6
    assert used  # the rows written by the database


@pytest.mark.parametrize("ticked", [["key", "level", "format"], ["key", "title_en"]])
def test_the_admin_export_gives_the_ticked_columns_in_their_order(editor_client, people, ticked):
    meeting_with("m01", "2024-05", [people["kihara"]], countries=[people["au"]], format="video")
    fields = {f"meetingresource_{h}": "on" for h in ticked}
    response = editor_client.post(reverse("admin:meetings_meeting_export"),
                                  {"format": "0", "resource": "0", **fields})
    assert response.content.startswith("\ufeff".encode())  # as the public CSV: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == ticked
    assert rows[1][0] == "m01"
    if "format" in ticked:
        assert rows[1][2] == "video"

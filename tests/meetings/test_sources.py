"""A record's source link leads to the paragraph it quotes in the document shipped with
defrel; a source's page shows that text and lists every record derived from it."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from defrel.provenance import SOURCES
from tests.meetings.factories import AgreementFactory, MeetingFactory, SourceFactory
from tests.pages import text

pytestmark = pytest.mark.django_db

WHITE_PAPER = "004_3f20f60fb676c9fe.txt"


def third_paragraph():
    lines = [line for line in (SOURCES / WHITE_PAPER).read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[2]


def test_a_meetings_source_link_leads_to_the_paragraph_it_quotes(client):
    source = SourceFactory(filename=WHITE_PAPER)
    excerpt = third_paragraph()[:50]
    meeting = MeetingFactory(source=source, source_excerpt=excerpt)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'href="/sources/wp2025/#p-3"' in page
    source_page = client.get("/sources/wp2025/").content.decode()
    assert 'id="p-3"' in source_page and excerpt in source_page
    assert meeting.get_absolute_url() in source_page


def test_a_source_page_lists_what_is_derived_from_it_by_kind(client):
    source = SourceFactory(filename=WHITE_PAPER)
    other = SourceFactory(key="other", filename="")
    MeetingFactory(key="from-the-white-paper", title_en="From the paper", source=source)
    MeetingFactory(key="from-elsewhere", title_en="From elsewhere", source=other)
    AgreementFactory(key="agreement-from-the-paper", title_en="Agreement from the paper", source=source)
    with translation.override("en"):
        page = text(client.get("/en/sources/wp2025/"))
        elsewhere = text(client.get("/en/sources/other/"))
    assert "From the paper" in page and "Agreement from the paper" in page
    assert "From elsewhere" not in page
    assert "From elsewhere" in elsewhere
    assert "not shipped with defrel" in elsewhere


def test_a_file_outside_the_shipped_sources_is_never_read(client):
    SourceFactory(key="sneaky", filename="../defrel/settings.py")
    page = client.get("/en/sources/sneaky/").content.decode()
    assert "SECRET_KEY" not in page and "DATABASES" not in page
    assert "not shipped with defrel" in page


def test_a_source_page_takes_the_same_queries_whatever_is_derived_from_it(client):
    source = SourceFactory(filename=WHITE_PAPER)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sources/wp2025/").status_code == 200
        return len(captured)

    MeetingFactory(source=source)
    before = queries()
    for n in range(6):
        MeetingFactory(key=f"more-{n}", source=source)
        AgreementFactory(key=f"agreement-{n}", source=source)
    assert queries() <= before + 2  # the agreements' kind joins the page: its count and rows


def test_a_sources_date_reads_as_every_date_of_the_site(client):
    SourceFactory(key="press", date="2025-03")
    assert "2025年3月" in text(client.get("/sources/press/")) and "2025年3月" in text(client.get("/sources/"))
    with translation.override("en"):
        assert "March 2025" in text(client.get("/en/sources/press/"))
    assert "2025-03" not in text(client.get("/sources/"))


def test_the_sources_list_downloads_the_sources_whole(client):
    SourceFactory(key="press", date="2025-03")
    page = client.get("/sources/").content.decode()
    assert '<a href="/data/sources.csv">全件ダウンロード：出典（CSV）</a>' in page
    assert '<a href="/data/sources.ndjson">全件ダウンロード：出典（NDJSON）</a>' in page
    with translation.override("en"):
        assert '<a href="/en/data/sources.csv">Download all: Sources (CSV)</a>' in client.get("/en/sources/").content.decode()

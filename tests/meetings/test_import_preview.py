"""The admin's import preview of a large file: counts by kind of change and the first rows,
every row checked; its queries do not grow with the file (defrel.imports.preview)."""
import html
import re

import pytest
import tablib
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from defrel.imports.preview import SHOWN_ROWS
from meetings.models import Meeting
from meetings.resources import MeetingResource
from tests.meetings.factories import MeetingFactory
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = [pytest.mark.django_db]

# The version column too: an update row carries the version it was exported at.
COLUMNS = MeetingResource().importable_columns() + ["version"]


def row(key, **values):
    cells = dict.fromkeys(COLUMNS, "")
    cells.update(key=key, date="2024-05", count="1", title_ja="日豪防衛相会談",
                 title_en="Japan–Australia Defense Ministerial Meeting", kind="talks",
                 level="ministerial", format="in_person", countries="AU|US",
                 participants="kihara-minoru")
    cells.update(values)
    return [cells[c] for c in COLUMNS]


def csv_file(rows):
    return tablib.Dataset(*rows, headers=COLUMNS).export("csv").encode("utf-8")


@pytest.fixture
def world():
    au = CountryFactory(code="AU", name_en="Australia")
    CountryFactory(code="US", name_en="United States")
    OfficialFactory(slug="kihara-minoru")
    for key in ("2024-05-kept", "2024-05-changed"):
        MeetingFactory(key=key, countries=[au], source=None, source_excerpt="")


@pytest.fixture
def english(editor_client):
    editor_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return editor_client


def exported(key):
    found = MeetingResource().export(queryset=Meeting.objects.filter(key=key)).dict[0]
    return [found[c] for c in COLUMNS]


def preview(client, rows, name="m.csv", data=None, file_format="0"):
    return client.post(reverse("admin:meetings_meeting_import"), {
        "resource": "0", "format": file_format,
        "import_file": SimpleUploadedFile(name, csv_file(rows) if data is None else data)})


def test_a_workbook_previews_the_same_way(world, english):
    rows = [row(f"2024-05-new-{i:05d}") for i in range(SHOWN_ROWS + 50)]
    workbook = tablib.Dataset(*rows, headers=COLUMNS).export("xlsx")
    page = html.unescape(preview(english, rows, "m.xlsx", workbook, "1").content.decode())
    assert dict(re.findall(r'data-import-(\w+)="(\d+)"', page)) == {"new": str(SHOWN_ROWS + 50)}
    assert page.count('<tr class="new">') == SHOWN_ROWS
    assert "The other 50 rows are not shown" in page


def test_a_small_file_shows_every_row_and_no_note(world, english):
    page = html.unescape(preview(english, [row("2024-05-a"), row("2024-05-b")]).content.decode())
    assert "All 2 rows were checked" in page and page.count('<tr class="new">') == 2
    assert "are not shown" not in page


def reads_to_preview(client, rows):
    """The preview's SELECTs (its writes are batched and rolled back; see test_import_speedups)."""
    with CaptureQueriesContext(connection) as queries:
        response = preview(client, rows)
    assert "process_import" in response.content.decode()
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]


def test_the_reads_of_a_preview_do_not_grow_with_its_rows(world, english):
    def rows(count):
        kept, changed = exported("2024-05-kept"), exported("2024-05-changed")
        changed[COLUMNS.index("title_en")] = "Revised title"
        return [kept, changed] + [row(f"2024-05-new-{i:05d}") for i in range(count)]

    reads_to_preview(english, rows(5))  # the first request of a session reads more
    few = reads_to_preview(english, rows(10))
    many = reads_to_preview(english, rows(SHOWN_ROWS + 200))
    assert len(many) == len(few), "\n".join(many)


def test_a_file_with_errors_in_every_row_lists_the_first_and_counts_the_others(world, english):
    rows = [row(f"2024-05-bad-{i:05d}", countries="AU|XX") for i in range(SHOWN_ROWS + 200)]
    rows[150] = row("2024-05-bad-00150", countries="AU", date="2024-21")
    page = html.unescape(preview(english, rows).content.decode())
    assert page.count('<span class="validation-error-count">') == SHOWN_ROWS
    assert "2024-05-bad-00099" in page and "2024-05-bad-00100" not in page
    assert "200 more rows have errors, in these columns: countries (199), date (1)." in \
        re.sub(r"\s+", " ", page)
    assert "process_import" not in page  # nothing to confirm
    assert Meeting.objects.count() == 2

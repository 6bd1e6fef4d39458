"""Large meeting imports: read ahead, validated without a query a row, written in batches
(defrel.imports.readahead / batches), and still all or nothing, row and column named,
history written and versions bumped."""
import datetime

import pytest
import tablib
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from meetings.models import Meeting, Participation
from meetings.resources import MeetingResource
from partners.models import Country
from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db

HEADERS = MeetingResource().get_export_headers()


def row(key, **values):
    cells = dict.fromkeys(HEADERS, "")
    cells.update(key=key, date="2024-05", count="1", title_ja="日豪防衛相会談",
                 title_en="Japan–Australia Defense Ministerial Meeting", kind="talks",
                 level="ministerial", format="in_person", countries="AU")
    cells.update(values)
    return [cells[h] for h in HEADERS]


def dataset(rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def errors_of(result):
    return [(r.number, field, " ".join(map(str, messages)))
            for r in result.invalid_rows for field, messages in r.field_specific_errors.items()]


def every_row():
    return {model._meta.label: list(model._default_manager.order_by("pk").values())
            for app in ("defrel", "partners", "meetings")
            for model in apps.get_app_config(app).get_models()}


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def partners():
    CountryFactory(code="AU", name_en="Australia")
    CountryFactory(code="US", name_en="United States")
    return [OfficialFactory(slug="kihara-minoru"), OfficialFactory(slug="marles-richard")]


def test_an_unknown_country_in_row_9999_of_10000_imports_nothing_and_names_row_and_column(partners):
    rows = [row(f"2024-05-m-{i:05d}", participants="kihara-minoru|marles-richard")
            for i in range(1, 10_001)]
    rows[9_998] = row("2024-05-m-09999", countries="AU|XX")
    before = every_row()
    with CaptureQueriesContext(connection) as queries:
        result = MeetingResource().import_data(dataset(rows), dry_run=False)
    assert errors_of(result) == [(9_999, "countries", "不明な国・機関：XX")]
    assert not result.has_errors()
    assert every_row() == before  # meetings, links, participants, history: nothing
    # Not even written and rolled back: rows are written once all are known to be good.
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_good_file_writes_records_links_participants_and_one_history_entry_each(partners):
    result = MeetingResource().import_data(dataset([
        row("2024-05-a", countries="AU|US", participants="kihara-minoru|marles-richard"),
        row("2024-06-b", date="2024-06-01/2024-06-03"),
    ]), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    a, b = Meeting.objects.get(key="2024-05-a"), Meeting.objects.get(key="2024-06-b")
    assert (a.version, b.version) == (1, 1)
    assert (b.date_lower, b.date_upper) == (datetime.date(2024, 6, 1), datetime.date(2024, 6, 3))
    assert sorted(a.countries.values_list("code", flat=True)) == ["AU", "US"]
    assert sorted(a.participations.values_list("official__slug", "role")) == [
        ("kihara-minoru", "principal"), ("marles-richard", "principal")]
    entry = a.history.get()
    assert entry.history_type == "+" and entry.title_ja == "日豪防衛相会談"
    assert sorted(c.country.code for c in entry.countries.all()) == ["AU", "US"]
    assert [r.object_id for r in result.rows] == [a.pk, b.pk]


def test_a_file_updating_existing_keys_writes_history_and_bumps_the_version(partners):
    au = Country.objects.get(code="AU")
    changed = MeetingFactory(key="2024-05-changed", countries=[au])
    ParticipationFactory(meeting=changed, official=partners[0], role="accompanying")
    ParticipationFactory(meeting=changed, official=partners[1])
    unchanged = MeetingFactory(key="2024-05-unchanged", countries=[au], source=None, source_excerpt="")
    entries = unchanged.history.count()
    read = Meeting.objects.get(key="2024-05-changed").version  # its participants counted too
    exported = {r["key"]: r for r in MeetingResource().export().dict}
    edited = dict(exported["2024-05-changed"], title_en="Revised title", countries="AU|US",
                  participants="kihara-minoru")
    result = MeetingResource().import_data(dataset([
        [edited[h] for h in HEADERS], [exported["2024-05-unchanged"][h] for h in HEADERS]]), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert [r.import_type for r in result.rows] == ["update", "skip"]

    changed.refresh_from_db()
    # read + 1 for the record, and more for each participant row removed (InlineRow)
    assert changed.version > read and changed.title_en == "Revised title"
    assert sorted(changed.countries.values_list("code", flat=True)) == ["AU", "US"]
    # The participant kept keeps the role an editor gave; the one left out is removed.
    assert list(changed.participations.values_list("official__slug", "role")) == [
        ("kihara-minoru", "accompanying")]
    latest = changed.history.first()
    assert (latest.history_type, latest.version, latest.title_en) == ("~", read + 1, "Revised title")
    assert sorted(c.country.code for c in latest.countries.all()) == ["AU", "US"]
    removed = Participation.history.filter(history_type="-").get()
    assert removed.official_id == partners[1].pk

    unchanged.refresh_from_db()
    assert unchanged.version == 1 and unchanged.history.count() == entries


def test_the_preview_shows_new_rows_with_their_links_and_writes_nothing(partners):
    before = every_row()
    result = MeetingResource().import_data(dataset([row("2024-05-a", countries="US|AU")]), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    [new] = result.rows
    assert new.import_type == "new"
    assert "AU|US" in new.diff[result.diff_headers.index("countries")]
    assert every_row() == before


def queries_to_import(rows):
    with CaptureQueriesContext(connection) as queries:
        result = MeetingResource().import_data(dataset(rows), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    return len(queries)


def test_the_queries_of_an_import_do_not_grow_with_its_rows(partners):
    few = queries_to_import([row(f"2024-05-few-{i}", participants="kihara-minoru")
                             for i in range(10)])
    many = queries_to_import([row(f"2024-05-many-{i}", participants="kihara-minoru")
                              for i in range(100)])
    # A constant number a batch; only SQLite's 999 parameters a statement split the
    # inserts of the wider tables (meetings, their history) into a few more statements.
    # PostgreSQL adds four an import for the trigram index (search_index.written_in_bulk).
    assert few < 40
    assert many - few <= 8


def test_an_update_costs_one_query_a_row(partners):
    for i in range(40):
        MeetingFactory(key=f"2024-05-old-{i}", countries=[])
    # An update row carries the version it was made from (defrel.imports.versions).
    few = queries_to_import([row(f"2024-05-old-{i}", title_en="Revised", version="1") for i in range(10)])
    many = queries_to_import([row(f"2024-05-old-{i}", title_en="Revised", version="1")
                              for i in range(10, 40)])
    assert many - few <= 30 + 8


def test_a_key_case_clash_inside_the_file_is_that_rows_error(partners):
    result = MeetingResource().import_data(dataset([row("2024-05-Talks"), row("2024-05-talks")]),
                                           dry_run=False)
    assert [(n, f) for n, f, _m in errors_of(result)] == [(2, "key")]
    assert "2024-05-Talks" in errors_of(result)[0][2]
    assert Meeting.objects.count() == 0


class SomeoneElseWrites(MeetingResource):
    """Another editor's write between the file's reading ahead and its writing."""

    def __init__(self, write):
        super().__init__()
        self.write = write

    def read_ahead(self, dataset):
        super().read_ahead(dataset)
        self.write()


def test_a_key_taken_meanwhile_is_blamed_on_its_row(partners):
    before = every_row()
    resource = SomeoneElseWrites(lambda: MeetingFactory(key="2024-05-b"))
    result = resource.import_data(dataset([row("2024-05-a"), row("2024-05-b"), row("2024-05-c")]),
                                  dry_run=False)
    assert [number for number, _errors in result.row_errors()] == [2]
    assert every_row() == before  # the other write was in the same, rolled-back transaction


def test_a_record_changed_meanwhile_is_not_overwritten(partners):
    existing = MeetingFactory(key="2024-05-a", title_en="As read")
    before = every_row()

    def edit():
        Meeting.objects.filter(pk=existing.pk).update(title_en="An editor's change", version=2)

    result = SomeoneElseWrites(edit).import_data(
        dataset([row("2024-05-a", title_en="From the file", version="1")]), dry_run=False)
    [(number, column, message)] = errors_of(result)
    assert (number, column) == (1, "key") and "2024-05-a" in message
    assert every_row() == before


def test_a_row_the_databases_check_constraint_refuses_is_named_by_row_and_column(partners, english):
    """Check constraints are left to the database's INSERT; the row it refuses is found and
    given the constraint's message, on the column the constraint is about."""
    before = every_row()
    rows = [row(f"2024-05-m-{i}") for i in range(1, 6)]
    rows[3] = row("2024-05-m-4", count="0")  # count >= 1 is a check constraint alone
    result = MeetingResource().import_data(dataset(rows), dry_run=False)
    assert errors_of(result) == [(4, "count", "A meeting's count is 1 or more.")]
    assert every_row() == before


def test_a_bulk_import_tells_the_cached_counts(django_capture_on_commit_callbacks):
    stamp = pytest.importorskip("defrel.stamp")
    Country.objects.bulk_create([Country(code="AU", name_ja="豪", name_en="Australia",
                                         region="oceania")])  # sends no signal, so no bump yet
    before = stamp.token()
    with django_capture_on_commit_callbacks(execute=True):
        result = MeetingResource().import_data(dataset([row("2024-05-a")]), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert stamp.token() != before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_postgresql_writes_an_imports_new_rows_with_copy():
    """The driver's COPY takes the rows (copy_rows would answer None and leave them to
    INSERT … VALUES if it could not), quotes, commas and NULLs included."""
    from defrel.imports.inserts import preparer
    from defrel.imports.pgcopy import copy_rows
    from meetings.models import Occasion

    fields = [Occasion._meta.get_field(name) for name in ("key", "name_ja", "name_en", "version")]
    rows = [["copied-a", "会合「A」", 'The "A", at last', 1], ["copied-b", "会合B", "B\nnext line", 1]]
    with CaptureQueriesContext(connection) as queries:
        keys = copy_rows(connection, Occasion, fields, rows, [preparer(f) for f in fields], returning=True)
    assert keys is not None and len(keys) == 2
    assert not any("INSERT" in q["sql"] for q in queries.captured_queries)
    assert list(Occasion.objects.filter(pk__in=keys).order_by("key").values_list("name_ja", "name_en")) == [
        ("会合「A」", 'The "A", at last'), ("会合B", "B\nnext line")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_writes_a_record_as_the_orm_would_nulls_dates_and_escapes_included():
    """Every column of a meeting through COPY reads back as what save() wrote: NULL stays
    NULL, an empty text stays empty, a date stays a date, and backslashes, tabs and new lines
    are text, not COPY's own marks."""
    from defrel.imports.inserts import preparer
    from defrel.imports.pgcopy import copy_rows

    saved = MeetingFactory(key="2024-05-copied-from", countries=[CountryFactory(code="AU")], date="2024-05",
                           summary_en="back\\slash\ttab\nline \\N end", summary_ja="")
    assert saved.occasion_id is None
    fields = [f for f in Meeting._meta.concrete_fields if f is not Meeting._meta.pk and not f.generated]
    row = [f.pre_save(saved, False) for f in fields]
    row[[f.name for f in fields].index("key")] = "2024-05-copied"
    keys = copy_rows(connection, Meeting, fields, [row], [preparer(f) for f in fields], returning=True)
    columns = [f.attname for f in fields if f.name != "key"]
    copied, original = (Meeting.objects.filter(key=key).values(*columns).get()
                        for key in ("2024-05-copied", "2024-05-copied-from"))
    assert Meeting.objects.get(key="2024-05-copied").pk == keys[0]
    assert copied == original
    assert copied["summary_en"] == "back\\slash\ttab\nline \\N end" and copied["summary_ja"] == ""
    assert copied["occasion_id"] is None and copied["date_lower"] == datetime.date(2024, 5, 1)


def test_an_empty_date_is_said_to_be_required_once(partners, english):
    result = MeetingResource().import_data(dataset([row("2024-05-undated", date="")]), dry_run=True)
    assert errors_of(result) == [(1, "date", "This field cannot be blank.")]

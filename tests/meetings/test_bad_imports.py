"""Hostile files through the admin's two import steps: a clear reason, nothing written, no 500.

The corpus is tests/data/bad_imports/, written by tests/data/make_bad_imports.py. Every file
there needs a line in BAD (refused) or ACCEPTED (hostile but imported as plain text)."""
import csv
import html
import io
from pathlib import Path
from typing import NamedTuple

import openpyxl
import openpyxl.xml.functions
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from defrel.imports import sealed
from defrel.models import PendingImport
from meetings.models import AgreementEvent, Meeting
from meetings.resources import MeetingResource
from partners.models import Country, Official, Position, Tenure
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, MeetingFactory
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory
from tests.shared_data import made_once

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CORPUS = Path(__file__).resolve().parent.parent / "data" / "bad_imports"
CAP = 64 * 1024  # the corpus's oversize.csv is just over it; every other file is well under
FORMATS = {".csv": "0", ".xlsx": "1", ".json": "2"}  # EditorialAdmin.import_formats order
MODELS = {"meeting": Meeting, "official": Official, "position": Position, "country": Country,
          "tenure": Tenure, "event": AgreementEvent}


class Refused(NamedTuple):
    target: str  # which admin the file is uploaded to (a key of MODELS)
    reason: str  # a fragment of the message, in English (the editor chose English here)
    row: int | None = None  # for a row error: the row (1 = first after the header) …
    column: str | None = None  # … and the column the message names
    at_confirm: str | None = None  # where the confirm step words it differently


SHIFT_JIS_ADVICE = "CSV UTF-8 (Comma delimited)"
NOT_XLSX = "not a readable Excel workbook"
BAD = {
    "empty.csv": Refused("meeting", "The submitted file is empty", at_confirm="The file is empty"),
    "whitespace_only.csv": Refused("meeting", "The file is empty"),
    "binary_garbage.csv": Refused("meeting", SHIFT_JIS_ADVICE),
    "binary_garbage.xlsx": Refused("meeting", NOT_XLSX),
    "csv_named_as.xlsx": Refused("meeting", NOT_XLSX),
    "semicolon_delimited.csv": Refused("meeting", "separated by semicolons, not commas"),
    "tab_delimited.csv": Refused("meeting", "separated by tabs, not commas"),
    "missing_columns.csv": Refused("meeting", "missing columns: title_ja"),
    "unknown_columns.csv": Refused("meeting", "unknown columns: surprise"),
    "repeated_column.csv": Refused("meeting", "repeated columns: title_en"),
    "header_only.csv": Refused("meeting", "a header row but no rows"),
    "ragged_row.csv": Refused("meeting", "Row 2 has 32 cells but the header names 26 columns"),
    "unterminated_quote.csv": Refused("meeting", "not valid CSV (unexpected end of data)"),
    "nul_byte.csv": Refused("meeting", "contains a NUL byte"),
    "utf16_excel_unicode_text.csv": Refused("meeting", SHIFT_JIS_ADVICE),
    "cp932_unknown_country.csv": Refused("meeting", "豪州", 2, "countries"),
    "unknown_country.csv": Refused("meeting", "XX", 2, "countries"),
    "unknown_host_country.csv": Refused("meeting", "ZZ", 2, "host_country"),
    "unknown_official.csv": Refused("meeting", "nobody-at-all", 2, "participants"),
    "bad_edtf_date.csv": Refused("meeting", "“2024-21” is not a date", 2, "date"),
    "reversed_interval.csv": Refused("meeting", "ends before it starts", 2, "date"),
    "year_zero_date.csv": Refused("meeting", "is not a date", 2, "date"),
    "bad_choice.csv": Refused("meeting", "“galactic” is not one of the values this column accepts: leaders, "
                              "two_plus_two, ministerial, vice_ministerial, chiefs_of_defence", 2, "level"),
    "duplicate_key.csv": Refused("meeting", "Row 3 repeats the key 2024-01-au-good-1 of row 1"),
    "key_case_clash.csv": Refused("meeting", "only in letter case", 2, "key"),
    "overlong_title.csv": Refused("meeting", "at most 300 characters (it has 301)", 2, "title_en"),
    "overlong_key.csv": Refused("meeting", "at most 120 characters (it has 121)", 2, "key"),
    "formula_in_key.csv": Refused("meeting", "valid “slug”", 2, "key"),
    "script_as_country.csv": Refused("meeting", "alert(1)", 2, "countries"),
    "oversize.csv": Refused("meeting", "imports are limited to 64.0"),
    "json_not_a_list.json": Refused("meeting", "must be a list of objects"),
    "json_list_of_lists.json": Refused("meeting", "Row 1 is not an object"),
    "json_nested_object.json": Refused("meeting", "Row 2, column countries: a nested value"),
    "json_mismatched_keys.json": Refused("meeting", "Row 2 has other columns than row 1"),
    "json_invalid_syntax.json": Refused("meeting", "not valid JSON"),
    "json_deep_nesting.json": Refused("meeting", "not valid JSON"),
    "formula_cell.xlsx": Refused("meeting", "Row 2, cell G3 holds a formula"),
    "billion_laughs.xlsx": Refused("meeting", "billion laughs"),
    "zip_bomb.xlsx": Refused("meeting", "zip bomb"),
    "zip_bomb_49_fold.xlsx": Refused("meeting", "expands 49-fold"),
    "empty_sheet.xlsx": Refused("meeting", "no header row"),
    "far_away_cell.xlsx": Refused("meeting", "more than 20000 rows"),
    "official_moved_country.csv": Refused("official", "this row would move it to", 1, "country"),
    "position_moved_country.csv": Refused("position", "this row would move it to", 1, "country"),
    "country_code_case_clash.csv": Refused("country", "only in letter case", 1, "code"),
    "tenure_unknown_position.csv": Refused("tenure", "jp-no-such-office", 2, "position"),
    "event_unknown_agreement.csv": Refused("event", "jp-xx-nothing", 2, "agreement"),
}
ACCEPTED = {"accepted_html_in_names.csv", "accepted_formula_cells.csv", "accepted_cp932_excel.csv"}


def make_world():
    """What the corpus refers to; every file names some of it (made once for the module:
    a refused file writes nothing, and an accepted one is rolled back with its test)."""
    jp = CountryFactory(code="JP", name_ja="日本", name_en="Japan", region="northeast_asia")
    au = CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")
    CountryFactory(code="US", name_ja="米国", name_en="United States", region="north_america")
    minister = PositionFactory(key="jp-minister-of-defense", country=jp, title_ja="防衛大臣")
    kihara = OfficialFactory(slug="kihara-minoru", country=jp, name_ja="木原稔", name_en="Kihara Minoru")
    TenureFactory(official=kihara, position=minister, date="2023-09-13/2024-10-01")
    MeetingFactory(key="2024-01-jp-au-existing", countries=[au], date="2024-01")
    raa = AgreementFactory(key="jp-au-raa")
    raa.parties.set([au])
    AgreementEventFactory(agreement=raa, kind="entered_into_force", date="2023-08-13")


world_records = made_once(make_world)


@pytest.fixture
def world(settings, world_records):
    settings.DEFREL_IMPORT_MAX_BYTES = CAP


@pytest.fixture
def english(editor_client):
    editor_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return editor_client


def every_row():
    """Every row of every model of ours, history included: nothing may change (an upload
    waiting for its confirmation is not data; tests/defrel/test_sealed_imports.py follows it)."""
    return {model._meta.label: list(model._default_manager.order_by("pk").values())
            for app in ("defrel", "partners", "meetings")
            for model in apps.get_app_config(app).get_models() if model is not PendingImport}


def upload(client, target, name, data=None):
    data = (CORPUS / name).read_bytes() if data is None else data
    url = reverse(f"admin:{MODELS[target]._meta.app_label}_{MODELS[target]._meta.model_name}_import")
    return client.post(url, {"resource": "0", "format": FORMATS[Path(name).suffix],
                             "import_file": SimpleUploadedFile(name, data)})


def confirm(client, target, name):
    """The confirm step on a file as the preview would have stored and sealed it: what happens
    when the data changed since the preview, or when the checks themselves changed."""
    model = MODELS[target]
    model_admin = admin.site._registry[model]
    file_format = model_admin.get_import_formats()[int(FORMATS[Path(name).suffix])]()
    stored = model_admin.write_to_tmp_storage(
        SimpleUploadedFile(name, (CORPUS / name).read_bytes()), file_format)
    token = sealed.seal(stored.name, User.objects.get(username="editor"), target=model._meta.label,
                        original_name=name, file_format=FORMATS[Path(name).suffix], resource="0")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_process_import")
    return client.post(url, {"import_file_name": token}, follow=True)


def meetings_csv(*changes):
    """A meeting CSV with every column, one valid row per dict of changes."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MeetingResource().get_export_headers())
    writer.writeheader()
    for change in changes:
        writer.writerow({"date": "2024-06", "count": "1", "title_ja": "日豪", "title_en": "Talks",
                         "kind": "talks", "level": "ministerial", "format": "in_person", **change})
    return out.getvalue().encode("utf-8")


def shown_messages(response):
    return [str(m) for m in response.context["messages"]]


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted([*BAD, *ACCEPTED])
    assert len(BAD) >= 25


@pytest.mark.parametrize("name", sorted(BAD))
def test_preview_refuses_the_file_with_its_reason_and_writes_nothing(world, english, name):
    expected = BAD[name]
    before = every_row()
    response = upload(english, expected.target, name)
    page = response.content.decode()
    assert response.status_code == 200
    assert expected.reason in html.unescape(page)
    assert "process_import" not in page  # no way to confirm a refused file
    assert "<script>alert" not in page
    if expected.row:
        rows = {row.number: row for row in response.context["result"].invalid_rows}
        problems = rows[expected.row].field_specific_errors[expected.column]
        assert expected.reason in " ".join(map(str, problems))
    assert every_row() == before


@pytest.mark.parametrize("name", sorted(BAD))
def test_confirm_step_refuses_the_file_with_its_reason_and_writes_nothing(world, english, name):
    expected = BAD[name]
    before = every_row()
    response = confirm(english, expected.target, name)
    said = "\n".join(shown_messages(response))
    assert response.status_code == 200 and response.redirect_chain  # back to the import page
    assert (expected.at_confirm or expected.reason) in said
    assert "Nothing was imported." in said
    if expected.row:
        assert f"Row {expected.row}, column {expected.column}: " in said
    assert "<script>alert" not in response.content.decode()
    assert every_row() == before


def test_errors_are_shown_in_japanese_by_default(world, editor_client):
    response = upload(editor_client, "meeting", "overlong_title.csv")
    page = html.unescape(response.content.decode())
    assert "300 文字以下" in page and "title_en" in page
    assert Meeting.objects.count() == 1


def test_a_value_none_of_the_choices_is_told_the_accepted_ones_in_japanese(world, editor_client):
    response = upload(editor_client, "meeting", "bad_choice.csv")
    rows = {row.number: row for row in response.context["result"].invalid_rows}
    said = " ".join(map(str, rows[2].field_specific_errors["level"]))
    assert said == ("「galactic」はこの列に使える値ではありません。使える値：leaders, two_plus_two, ministerial, "
                    "vice_ministerial, chiefs_of_defence, service_chiefs, senior_official, working_level。")


def test_openpyxl_parses_workbooks_with_defusedxml():
    assert openpyxl.DEFUSEDXML
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")


def import_through_admin(client, target, name, data=None):
    preview = upload(client, target, name, data)
    assert "process_import" in preview.content.decode(), preview.content.decode()
    url = reverse(f"admin:{MODELS[target]._meta.app_label}_{MODELS[target]._meta.model_name}_process_import")
    return preview, client.post(url, preview.context["confirm_form"].initial, follow=True)


def test_html_in_names_is_stored_as_text_and_never_rendered(world, english):
    preview, done = import_through_admin(english, "meeting", "accepted_html_in_names.csv")
    meeting = Meeting.objects.get(key="2024-05-html")
    assert meeting.title_en == "<script>alert(1)</script><b>bold</b>"
    assert meeting.title_ja == "<img src=x onerror=alert(2)>日豪"
    changelist = english.get(reverse("admin:meetings_meeting_changelist"))
    change = english.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    for page in (preview.content.decode(), done.content.decode(), changelist.content.decode(),
                 change.content.decode()):
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    # the English list shows the English title, the form both, each as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in changelist.content.decode()
    assert "&lt;img src=x onerror=alert(2)&gt;日豪" in change.content.decode()


def test_formula_cells_are_text_and_survive_a_round_trip(world, english):
    import_through_admin(english, "meeting", "accepted_formula_cells.csv")
    meeting = Meeting.objects.get(key="2024-05-formula")
    columns = ("title_en", "title_ja", "location_en", "summary_en", "outcomes_en")
    stored = {f: getattr(meeting, f) for f in columns}
    assert stored == {"title_en": '=HYPERLINK("http://example.invalid","x")', "title_ja": "+81-3",
                      "location_en": "-1+1", "summary_en": "@SUM(A1:A2)", "outcomes_en": "'quoted"}
    exported = MeetingResource().export(queryset=Meeting.objects.filter(pk=meeting.pk))
    assert {c: exported.dict[0][c] for c in stored} == {c: "'" + v for c, v in stored.items()}
    meeting.delete()
    result = MeetingResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    again = Meeting.objects.get(key="2024-05-formula")
    assert {f: getattr(again, f) for f in stored} == stored


def test_japanese_excel_csv_is_read_as_shift_jis_with_a_warning(world, english):
    preview, done = import_through_admin(english, "meeting", "accepted_cp932_excel.csv")
    assert "read as Shift_JIS" in preview.content.decode()
    assert "日豪防衛相会談（ハワイ）" in preview.content.decode()
    meeting = Meeting.objects.get(key="2024-05-sjis")
    assert (meeting.title_ja, meeting.location_ja) == ("日豪防衛相会談（ハワイ）", "ホノルル")


def test_confirm_writes_nothing_when_the_data_changed_since_the_preview(world, english):
    CountryFactory(code="NZ", name_en="New Zealand")
    data = meetings_csv({"key": "2024-06-jp-au", "countries": "AU"},
                        {"key": "2024-07-jp-nz", "countries": "NZ"})
    preview = upload(english, "meeting", "changed.csv", data)
    assert "process_import" in preview.content.decode()
    Country.objects.get(code="NZ").delete()  # another editor, between preview and confirm
    before = every_row()
    url = reverse("admin:meetings_meeting_process_import")
    response = english.post(url, preview.context["confirm_form"].initial, follow=True)
    said = "\n".join(shown_messages(response))
    assert "Row 2, column countries: " in said and "NZ" in said and "Nothing was imported." in said
    assert response.redirect_chain[-1][0] == reverse("admin:meetings_meeting_import")
    assert every_row() == before
    assert not Meeting.objects.filter(key="2024-06-jp-au").exists()  # row 1 was fine, and rolled back


def test_a_confirm_form_naming_a_missing_file_is_a_message_not_a_500(world, english):
    response = english.post(reverse("admin:meetings_meeting_process_import"), {
        "import_file_name": "no-such-upload", "original_file_name": "m.csv", "format": "0",
        "resource": "0"}, follow=True)
    said = "\n".join(shown_messages(response))
    assert "not issued to you" in said and "Nothing was imported." in said


def test_a_workbook_exported_here_passes_the_checks_and_imports_again(world, english):
    meeting = Meeting.objects.get(key="2024-01-jp-au-existing")
    meeting.title_en = "=1+1"  # exported as '=1+1, a string, so not refused as a formula
    meeting.save()
    workbook = MeetingResource().export().export("xlsx")
    Meeting.objects.all().delete()
    preview, done = import_through_admin(english, "meeting", "exported.xlsx", workbook)
    assert Meeting.objects.get(key="2024-01-jp-au-existing").title_en == "=1+1"

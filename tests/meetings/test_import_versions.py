"""Imports never silently undo a newer edit (defrel.imports.versions), and every row an import
writes, a meeting's participants included, leaves history with the importing editor."""
import csv
import io

import pytest
import tablib
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from defrel.models import Source
from defrel.resources import SourceResource
from meetings.models import Meeting, Participation
from meetings.resources import MeetingResource, ParticipationResource
from tests.conftest import member_of
from tests.meetings.factories import MeetingFactory, ParticipationFactory, SourceFactory
from tests.meetings.test_concurrent_edits import form_of
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = [pytest.mark.django_db]

HEADERS = MeetingResource().get_export_headers()


# --- how a browser drives the admin -------------------------------------------------------------

def admin_export(client, name, resource):
    """The admin's CSV export of every record, every column ticked."""
    ticked = {f"{resource.__name__.lower()}_{h}": "on" for h in resource().get_export_headers()}
    response = client.post(reverse(f"admin:{name}_export"), {"format": "0", "resource": "0", **ticked})
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def edit_file(text, **changes):
    """The CSV with cells changed: {key: {column: value}}."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        row.update(changes.get(row["key"], {}))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def preview(client, name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse(f"admin:{name}_import"), {
        "format": "0", "resource": "0", "import_file": SimpleUploadedFile("old.csv", text.encode())})


def confirm(client, name, previewed, **ticked):
    form = previewed.context["confirm_form"]
    data = {k: v for k, v in form.initial.items() if k in form.fields}
    return client.post(reverse(f"admin:{name}_process_import"), {**data, **ticked})


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def other_editor(db):
    client = Client()
    client.force_login(member_of("editor", "editor-b"))
    return client


# --- meetings: the bulk writer ------------------------------------------------------------------

@pytest.fixture
def meetings():
    au = CountryFactory(code="AU")
    return (MeetingFactory(key="2024-05-au-defmin", title_ja="日豪防衛相会談", title_en="As exported",
                           countries=[au]),
            MeetingFactory(key="2024-06-au-other", title_ja="日豪次官級協議", countries=[au]))


def edit_meeting(client, meeting, **changes):
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    assert client.post(url, form_of(meeting, **changes)).status_code == 302


def test_an_old_meetings_file_is_refused_by_row_and_the_preview_shows_the_conflict(
        editor_client, other_editor, meetings):
    changed, untouched = meetings
    exported = admin_export(editor_client, "meetings_meeting", MeetingResource)
    assert "version" in exported.splitlines()[0].split(",")
    edit_meeting(other_editor, changed, title_en="Another editor's title")
    old = edit_file(exported, **{m.key: {"summary_en": "From the old file"} for m in meetings})

    response = preview(editor_client, "meetings_meeting", old)
    [stale] = response.context["result"].stale_rows
    assert (stale.number, stale.seen, stale.current) == (1, 1, 2)
    page = response.content.decode()
    assert 'id="conflicts"' in page and "2024-05-au-defmin" in page and "日豪防衛相会談" in page
    assert "editor's title</del>" in page  # the change it would make: their title undone
    assert 'name="overwrite_changed"' in page and 'name="overwrite_changed" checked' not in page

    response = confirm(editor_client, "meetings_meeting", response)
    assert response.status_code == 302
    said = " ".join(messages_of(response))
    assert "2024-05-au-defmin" in said and "日豪防衛相会談" in said
    changed.refresh_from_db()
    untouched.refresh_from_db()
    assert (changed.title_en, changed.summary_en, changed.version) == ("Another editor's title", "", 2)
    assert (untouched.summary_en, untouched.version) == ("", 1)  # all or nothing


def test_a_meetings_file_overwrites_a_newer_edit_only_when_the_editor_ticks_the_choice(
        editor_client, editor, other_editor, meetings):
    changed, untouched = meetings
    exported = admin_export(editor_client, "meetings_meeting", MeetingResource)
    edit_meeting(other_editor, changed, title_en="Another editor's title")
    old = edit_file(exported, **{m.key: {"summary_en": "From the old file"} for m in meetings})

    previewed = preview(editor_client, "meetings_meeting", old)
    assert [s.number for s in previewed.context["result"].stale_rows] == [1]
    response = confirm(editor_client, "meetings_meeting", previewed, overwrite_changed="on")
    assert response.status_code == 302
    changed.refresh_from_db()
    untouched.refresh_from_db()
    assert (changed.title_en, changed.summary_en, changed.version) == ("As exported", "From the old file", 3)
    assert (untouched.summary_en, untouched.version) == ("From the old file", 2)
    latest = changed.history.first()
    assert (latest.history_type, latest.history_user, latest.version) == ("~", editor, 3)


def test_ticking_overwrite_does_not_cover_an_edit_made_after_the_preview(
        editor_client, other_editor, meetings):
    changed, _untouched = meetings
    exported = admin_export(editor_client, "meetings_meeting", MeetingResource)
    edit_meeting(other_editor, changed, title_en="Seen in the preview")
    previewed = preview(editor_client, "meetings_meeting", edit_file(exported))
    changed.refresh_from_db()
    edit_meeting(other_editor, changed, title_en="Not seen in the preview")

    response = confirm(editor_client, "meetings_meeting", previewed, overwrite_changed="on")
    assert "2024-05-au-defmin" in " ".join(messages_of(response))
    assert Meeting.objects.get(pk=changed.pk).title_en == "Not seen in the preview"


def test_a_current_file_imports_without_a_choice_and_bumps_the_version(editor_client, meetings):
    changed, _untouched = meetings
    exported = admin_export(editor_client, "meetings_meeting", MeetingResource)
    response = preview(editor_client, "meetings_meeting",
                       edit_file(exported, **{changed.key: {"summary_en": "Current"}}))
    assert response.context["result"].stale_rows == []
    assert 'name="overwrite_changed"' not in response.content.decode()
    assert confirm(editor_client, "meetings_meeting", response).status_code == 302
    changed.refresh_from_db()
    assert (changed.summary_en, changed.version) == ("Current", 2)


# --- sources: the row-by-row writer --------------------------------------------------------------

def test_an_old_sources_file_is_refused_row_by_row_unless_the_editor_overwrites(
        editor_client, editor, other_editor):
    source = SourceFactory(key="wp2025", title_ja="令和7年版防衛白書")
    exported = admin_export(editor_client, "defrel_source", SourceResource)
    url = reverse("admin:defrel_source_change", args=[source.pk])
    assert other_editor.post(url, {"key": "wp2025", "title_ja": "令和7年版防衛白書", "title_en": "Theirs",
                                   "date": "2025-07", "seen_version": "1"}).status_code == 302
    old = edit_file(exported, wp2025={"publisher_en": "Ministry of Defense"})

    response = preview(editor_client, "defrel_source", old)
    [stale] = response.context["result"].stale_rows
    assert (stale.number, stale.seen, stale.current) == (1, 1, 2)
    assert "wp2025" in response.content.decode()
    response = confirm(editor_client, "defrel_source", response)
    assert "wp2025" in " ".join(messages_of(response))
    source.refresh_from_db()
    assert (source.title_en, source.publisher_en, source.version) == ("Theirs", "", 2)

    response = confirm(editor_client, "defrel_source", preview(editor_client, "defrel_source", old),
                       overwrite_changed="on")
    source.refresh_from_db()
    assert (source.title_en, source.publisher_en, source.version) == ("Defense of Japan 2025",
                                                                       "Ministry of Defense", 3)
    assert source.history.first().history_user == editor


# --- the rule itself, outside the admin ----------------------------------------------------------

def meeting_file(*rows, headers=HEADERS):
    cells = {"date": "2024-05", "count": "1", "title_ja": "日豪防衛相会談", "title_en": "Talks",
             "kind": "talks", "level": "ministerial", "format": "in_person", "countries": "AU"}
    return tablib.Dataset(*[[{**dict.fromkeys(HEADERS, ""), **cells, **row}[h] for h in headers]
                            for row in rows], headers=headers)


def errors_of(result):
    return [(r.number, field, " ".join(map(str, messages)))
            for r in result.invalid_rows for field, messages in r.field_specific_errors.items()]


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "row-by-row"])
@pytest.mark.parametrize("version, words", [
    ("1", "file version 1, now 2"), ("", "no version in this file"), ("7", "newer than the record's")])
def test_a_stale_update_row_is_refused_naming_row_and_record(bulk, version, words):
    meeting = MeetingFactory(key="2024-05-au-defmin", countries=[CountryFactory(code="AU")])
    meeting.save()  # another edit: version 2
    resource = MeetingResource() if bulk else RowByRow()
    with translation.override("en"):
        result = resource.import_data(meeting_file(
            {"key": "2024-06-new"}, {"key": "2024-05-au-defmin", "title_en": "Old", "version": version}),
            dry_run=False)
    [(number, column, message)] = errors_of(result)
    assert (number, column) == (2, "version")
    # the record named as it is now (in the language active), not as the old row has it
    assert "2024-05-au-defmin" in message and meeting.title_en in message and words in message
    assert Meeting.objects.get().title_en == meeting.title_en  # nothing written, the new row neither


def test_a_file_without_a_version_column_may_add_records_but_not_update_them():
    MeetingFactory(key="2024-05-au-defmin", countries=[CountryFactory(code="AU")])
    headers = [h for h in HEADERS if h != "version"]
    added = MeetingResource().import_data(meeting_file({"key": "2024-06-new"}, headers=headers), dry_run=False)
    assert not added.has_validation_errors() and Meeting.objects.filter(key="2024-06-new").exists()
    updated = MeetingResource().import_data(
        meeting_file({"key": "2024-05-au-defmin", "title_en": "Changed"}, headers=headers), dry_run=False)
    assert [(n, c) for n, c, _m in errors_of(updated)] == [(1, "version")]


def test_a_version_that_is_not_a_number_is_that_cells_error():
    MeetingFactory(key="2024-05-au-defmin", countries=[CountryFactory(code="AU")])
    result = MeetingResource().import_data(
        meeting_file({"key": "2024-05-au-defmin", "title_en": "Changed", "version": "v1"}), dry_run=False)
    [(number, column, message)] = errors_of(result)
    assert (number, column) == (1, "version") and "v1" in message


def test_a_participants_file_exported_before_another_editor_changed_the_row_is_refused():
    """The participations table is exported and imported on its own: a row saved since (here
    through its meeting's inline, as the admin saves it) is not overwritten by the file."""
    participation = ParticipationFactory(role="accompanying")
    exported = ParticipationResource().export(queryset=Participation.objects.all())
    participation.role = "principal"
    participation.save()
    result = ParticipationResource().import_data(exported, dry_run=False)
    assert [(n, c) for n, c, _m in errors_of(result)] == [(1, "version")]
    participation.refresh_from_db()
    assert participation.role == "principal"
    again = ParticipationResource().import_data(
        ParticipationResource().export(queryset=Participation.objects.all()), dry_run=False)
    assert errors_of(again) == [] and not again.has_errors()


def test_every_export_of_a_versioned_record_carries_its_version():
    from meetings import resources as meeting_resources
    from partners import resources as partner_resources

    from defrel.models import Versioned
    from defrel.resources import CuratedResource

    resources = [r for module in (meeting_resources, partner_resources) for r in vars(module).values()
                 if isinstance(r, type) and issubclass(r, CuratedResource) and r._meta.model]
    versioned = [r for r in [SourceResource, *resources] if issubclass(r._meta.model, Versioned)]
    assert len(versioned) == 12  # engagements and participations too
    for resource_class in versioned:
        assert resource_class().get_export_headers()[-1] == "version", resource_class
    source = SourceFactory()
    source.save()
    assert [row["version"] for row in SourceResource().export().dict] == ["2"]


# --- history of participants ---------------------------------------------------------------------

class RowByRow(MeetingResource):
    class Meta(MeetingResource.Meta):
        use_bulk = False


def test_participants_added_by_an_admin_import_get_history_with_the_editor(editor_client, editor):
    CountryFactory(code="AU")
    OfficialFactory(slug="kihara-minoru"), OfficialFactory(slug="marles-richard")
    data = meeting_file({"key": "2024-05-au-defmin", "participants": "kihara-minoru|marles-richard"})
    response = preview(editor_client, "meetings_meeting", data.export("csv"))
    confirm(editor_client, "meetings_meeting", response)
    meeting = Meeting.objects.get()
    participations = list(meeting.participations.all())
    assert len(participations) == 2
    for participation in participations:
        [entry] = Participation.history.filter(id=participation.pk)
        assert (entry.history_type, entry.history_user, entry.meeting_id) == ("+", editor, meeting.pk)
        assert entry.history_date == meeting.history.get().history_date  # written together


def test_participants_removed_and_added_by_an_import_get_history_with_the_editor(editor_client, editor):
    meeting = MeetingFactory(key="2024-05-au-defmin", countries=[CountryFactory(code="AU")])
    gone = ParticipationFactory(meeting=meeting, official=OfficialFactory(slug="kihara-minoru"))
    OfficialFactory(slug="marles-richard")
    meeting.refresh_from_db()  # adding a participant gave the meeting a new version
    data = meeting_file({"key": meeting.key, "participants": "marles-richard", "version": str(meeting.version)})
    confirm(editor_client, "meetings_meeting", preview(editor_client, "meetings_meeting", data.export("csv")))
    [added] = meeting.participations.all()
    assert added.official.slug == "marles-richard"
    added_entry = Participation.history.get(id=added.pk, history_type="+")
    removed_entry = Participation.history.get(id=gone.pk, history_type="-")
    meeting_entry = meeting.history.first()
    assert (meeting_entry.history_type, meeting_entry.history_user) == ("~", editor)
    for entry in (added_entry, removed_entry):
        assert (entry.history_user, entry.history_date) == (editor, meeting_entry.history_date)


def test_participants_added_row_by_row_get_history():
    CountryFactory(code="AU")
    OfficialFactory(slug="kihara-minoru")
    result = RowByRow().import_data(
        meeting_file({"key": "2024-05-au-defmin", "participants": "kihara-minoru"}), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    [participation] = Participation.objects.all()
    assert Participation.history.get(id=participation.pk).history_type == "+"


def test_every_link_a_bulk_import_writes_is_in_some_history():
    """A many-to-many column of a bulk import is tracked by the record's history
    (m2m_fields) or written through a model with a history of its own (participants)."""
    from defrel.resources import links_have_history
    from import_export.widgets import ManyToManyWidget

    resource = MeetingResource()
    tracked = {f.name for f in Meeting.history.model._history_m2m_fields}
    columns = [f.attribute for f in resource.get_import_fields()
               if isinstance(f.widget, ManyToManyWidget) and not f.readonly]
    assert sorted(columns) == ["countries", "exercises", "participants"]
    for name in columns:
        through = Meeting._meta.get_field(name).remote_field.through
        assert name in tracked or links_have_history(through), name

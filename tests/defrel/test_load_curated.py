"""Loading the curated fixtures again never undoes an editor's work: a record deleted, or
given another key, stays as the editor left it, and the command says so."""
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from defrel.held_keys import keys_let_go
from meetings.models import Meeting, Participation
from tests import built, curated

pytestmark = [pytest.mark.django_db]
OCEANIA = Path(__file__).resolve().parents[2] / "fixtures" / "10_oceania_australia_india.json"
PANEL = "2024-05-us-au-kr-lanpac-panel"  # its four participants are in the same file
TWO_PLUS_TWO = "2024-09-au-2plus2"


def load(*paths):
    """What an operator reads after ``manage.py load_curated`` (in English)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_curated", *map(str, paths or [OCEANIA]), stdout=out)
    return out.getvalue().splitlines()


def line(output, label):
    (found,) = [text for text in output if text.startswith(f"{label}: ")]
    return found


def test_a_meeting_deleted_in_the_admin_is_not_brought_back(editor_client):
    curated.load_curated()
    panel = Meeting.objects.get(key=PANEL)
    response = editor_client.post(reverse("admin:meetings_meeting_delete", args=[panel.pk]),
                                  {"post": "yes", "seen_version": panel.version})
    assert response.status_code == 302

    output = load()

    assert not Meeting.objects.filter(key=PANEL).exists()
    assert not Participation.objects.filter(meeting__key=PANEL).exists()
    assert line(output, "meetings.meeting") == (
        "meetings.meeting: 0 added, 25 already there, 1 deleted or changed by editors (not brought back)")
    assert line(output, "meetings.participation") == (
        "meetings.participation: 0 added, 62 already there, 4 deleted or changed by editors (not brought back)")


def test_a_participation_deleted_by_an_editor_is_not_brought_back(editor):
    curated.load_curated()
    marles = Participation.objects.get(meeting__key=TWO_PLUS_TWO, official__slug="marles-richard")
    marles._history_user = editor  # as the admin's request would
    marles.delete()

    output = load()

    assert not Participation.objects.filter(meeting__key=TWO_PLUS_TWO, official__slug="marles-richard").exists()
    assert line(output, "meetings.participation") == (
        "meetings.participation: 0 added, 65 already there, 1 deleted or changed by editors (not brought back)")
    assert line(output, "meetings.meeting") == "meetings.meeting: 0 added, 26 already there"


def test_a_meeting_whose_key_an_editor_changed_is_not_loaded_again_under_its_old_key(editor):
    curated.load_curated()
    meeting = Meeting.objects.get(key=PANEL)
    people = set(meeting.participants.values_list("slug", flat=True))
    meeting.key = "2024-05-lanpac-panel"
    meeting._history_user = editor
    meeting.save()
    meetings, participations = Meeting.objects.count(), Participation.objects.count()

    output = load()

    assert not Meeting.objects.filter(key=PANEL).exists()
    renamed = Meeting.objects.get(key="2024-05-lanpac-panel")
    assert set(renamed.participants.values_list("slug", flat=True)) == people
    assert (Meeting.objects.count(), Participation.objects.count()) == (meetings, participations)
    assert "1 deleted or changed by editors (not brought back)" in line(output, "meetings.meeting")


def test_a_record_never_in_the_database_is_still_added(editor, tmp_path):
    """Beside one an editor deleted: a new meeting and its participant are added."""
    curated.load_curated()
    panel = Meeting.objects.get(key=PANEL)
    panel._history_user = editor
    panel.delete()
    records = [o for o in json.loads(OCEANIA.read_text(encoding="utf-8"))
               if o["model"] == "meetings.meeting" and o["fields"]["key"] == PANEL
               or o["model"] == "meetings.participation" and o["fields"]["meeting"] == [PANEL]]
    new = json.loads(json.dumps(records[:2]))  # the meeting and a participant, under a new key
    new[0]["fields"]["key"] = new[1]["fields"]["meeting"][0] = "2024-05-lanpac-panel-2"
    (path := tmp_path / "new.json").write_text(json.dumps(records + new), encoding="utf-8")

    output = load(path)

    keys = Meeting.objects.filter(key__in=[PANEL, "2024-05-lanpac-panel-2"]).values_list("key", flat=True)
    assert set(keys) == {"2024-05-lanpac-panel-2"}
    added = Participation.objects.get(meeting__key="2024-05-lanpac-panel-2")
    assert added.official.slug == new[1]["fields"]["official"][0]
    assert output == [
        "meetings.meeting: 1 added, 0 already there, 1 deleted or changed by editors (not brought back)",
        "meetings.participation: 1 added, 0 already there, 4 deleted or changed by editors (not brought back)"]


def test_loading_twice_adds_nothing_the_second_time(editor):
    curated.load_curated()
    panel = Meeting.objects.get(key=PANEL)
    panel._history_user = editor
    panel.delete()
    meetings, participations = Meeting.objects.count(), Participation.objects.count()

    first, second = load(), load()

    assert (Meeting.objects.count(), Participation.objects.count()) == (meetings, participations)
    assert second == first
    assert all(": 0 added, " in text for text in second)


def test_the_keys_let_go_are_read_in_queries_per_model_not_per_record(editor):
    """A participation's key reads its meeting's and its official's: their table and history,
    and the participations' own two, however many participations were deleted."""
    curated.load_curated()
    for participation in Participation.objects.filter(meeting__date__startswith="2024")[:40]:
        participation._history_user = editor
        participation.delete()

    with CaptureQueriesContext(connection) as queries:
        gone = keys_let_go(Participation)

    assert len(gone) == 40
    assert len(queries) == 6



def test_a_record_the_fixtures_name_again_and_again_is_read_once(tmp_path):
    """Each meeting with Australia names it by its code: the load asks for it once, not once a
    meeting (the file: the reference data, Australia and its meetings with no other partner)."""
    oceania = json.loads(OCEANIA.read_text(encoding="utf-8"))
    meetings = [obj for obj in oceania if obj["model"] == "meetings.meeting" and obj["fields"]["countries"] == [["AU"]]
                and obj["fields"]["host_country"] in (None, ["AU"]) and not obj["fields"].get("exercises")]
    australia = [obj for obj in oceania if obj["model"] == "partners.country" and obj["fields"]["code"] == "AU"]
    fixture = tmp_path / "australia.json"
    fixture.write_text(json.dumps(australia + meetings), encoding="utf-8")
    assert len(meetings) >= 10

    with CaptureQueriesContext(connection) as queries:
        load(OCEANIA.with_name("00_reference.json"), fixture)

    assert Meeting.objects.filter(countries__code="AU").count() == len(meetings)
    asked = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith("SELECT") and 'FROM "partners_country"' in q["sql"] and "'AU'" in q["sql"]]
    assert len(asked) == 2, asked  # whether it is there before it is added, then once for every meeting


def test_what_the_load_derives_at_its_end_is_what_the_rules_give_each_record():
    """The titles at the time, the venues and the search documents are written once at the
    end of the load (defrel.derived), not at each save: they are those the rules give every
    record, as each record's own save would have written them."""
    curated.load_curated()
    assert Participation.objects.filter(position__isnull=False).count() > 400
    assert Meeting.objects.exclude(venue="unknown").count() > 150
    assert len(built.documents()) > 700
    built.assert_derived_by_the_rules()

"""Every write path leaves a history entry with who and when: the admin form, its inlines,
many-to-many fields, imports and the curated fixtures."""
import json
import re

import pytest
import tablib
from django.core.management import call_command
from django.urls import reverse

from meetings.models import Meeting, Participation
from meetings.resources import AgreementResource, MeetingResource
from partners.models import Country
from tests.curated import load_curated
from tests.meetings.factories import AgreementFactory, EngagementFactory, MeetingFactory, ParticipationFactory
from tests.meetings.test_concurrent_edits import refused
from tests.meetings.test_admin import meeting_form
from tests.pages import form_fields, text
from tests.partners.factories import CountryFactory, OfficialFactory, TenureFactory

pytestmark = [pytest.mark.django_db]


def test_admin_form_inline_and_many_to_many_changes_are_recorded_with_the_editor(editor_client):
    au, us = CountryFactory(code="AU"), CountryFactory(code="US")
    official = TenureFactory(official__country=au).official
    form = meeting_form(countries=[au.pk], **{"participations-TOTAL_FORMS": "1",
                                             "participations-0-official": official.pk,
                                             "participations-0-role": "principal",
                                             "participations-0-known_from": "excerpt"})
    assert editor_client.post(reverse("admin:meetings_meeting_add"), form).status_code == 302
    meeting = Meeting.objects.get()
    change = meeting_form(countries=[au.pk, us.pk], title_ja="日米豪防衛相会談(改)",
                          seen_version=str(meeting.version))
    change.update({"participations-TOTAL_FORMS": "1", "participations-INITIAL_FORMS": "1",
                   "participations-0-id": Participation.objects.get().pk,
                   "participations-0-meeting": meeting.pk,
                   "participations-0-official": official.pk, "participations-0-role": "accompanying",
                   "participations-0-known_from": "public_record"})
    response = editor_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), change)
    assert response.status_code == 302, response.content.decode()[:2000]

    history = meeting.history.order_by("history_date")
    assert {h.history_user.username for h in history} == {"editor"}
    assert history.last().title_ja == "日米豪防衛相会談(改)"
    assert sorted(c.country.code for c in history.last().countries.all()) == ["AU", "US"]
    roles = [h.role for h in Participation.history.order_by("history_date")]
    assert roles == ["principal", "accompanying"]
    assert all(h.history_user.username == "editor" for h in Participation.history.all())


def test_the_admin_log_lists_what_changed_and_not_the_pages_version_check(editor_client):
    from django.contrib.admin.models import LogEntry

    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(editor_client.get(url))
    form["title_en"] = "Renamed"
    assert editor_client.post(url, form).status_code == 302
    (entry,) = LogEntry.objects.filter(object_id=str(meeting.pk))
    assert json.loads(entry.change_message) == [{"changed": {"fields": ["Title (English)"]}}]


def test_each_admin_save_is_one_entry_with_the_links_it_saved(editor_client):
    """No entry of a state that never was (a meeting added without its partners, changed with
    its new title but its old partners): one entry a save, written once its links are."""
    au, us = CountryFactory(code="AU"), CountryFactory(code="US")
    assert editor_client.post(reverse("admin:meetings_meeting_add"), meeting_form(countries=[au.pk])).status_code == 302
    meeting = Meeting.objects.get()
    [added] = meeting.history.all()
    assert added.history_type == "+" and [c.country.code for c in added.countries.all()] == ["AU"]
    change = meeting_form(countries=[us.pk], title_ja="日米防衛相会談", seen_version=str(meeting.version))
    response = editor_client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), change)
    assert response.status_code == 302, response.content.decode()[:2000]
    [changed, _added] = meeting.history.order_by("-history_date")
    assert (changed.history_type, changed.title_ja, changed.history_user.username) == ("~", "日米防衛相会談", "editor")
    assert [c.country.code for c in changed.countries.all()] == ["US"]
    assert changed.version == Meeting.objects.get().version


def test_the_history_page_leaves_an_entry_without_a_reason_blank(editor_client):
    au = CountryFactory(code="AU")
    assert editor_client.post(reverse("admin:meetings_meeting_add"), meeting_form(countries=[au.pk])).status_code == 302
    page = editor_client.get(reverse("admin:meetings_meeting_history", args=[Meeting.objects.get().pk]))
    rows = re.findall(r"<tr>(.*?)</tr>", page.content.decode(), re.S)
    [cells] = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows if "<td>" in row]
    assert "editor" in cells[3] and cells[4].strip() == ""  # changed by; change reason


def test_an_engagements_partners_and_officials_are_recorded_with_the_editor(editor_client):
    ph, us = CountryFactory(code="PH"), CountryFactory(code="US")
    official = OfficialFactory(country=ph, slug="teodoro-gilberto")
    engagement = EngagementFactory(countries=[ph], date="")
    url = reverse("admin:meetings_engagement_change", args=[engagement.pk])
    form = form_fields(editor_client.get(url))
    form.update(countries=[ph.pk, us.pk], officials=[official.pk], date=["2024-06"])
    response = editor_client.post(url, form)
    assert response.status_code == 302, text(response)[:3000]

    latest = engagement.history.latest("history_date")
    assert (latest.date, latest.history_user.username) == ("2024-06", "editor")
    assert sorted(c.country.code for c in latest.countries.all()) == ["PH", "US"]
    assert [o.official.slug for o in latest.officials.all()] == ["teodoro-gilberto"]
    assert engagement.history.earliest("history_date").date == ""


def test_history_can_be_viewed_and_reverted_in_the_admin(editor_client):
    meeting = MeetingFactory(title_ja="元の題名")
    meeting.title_ja = "変えた題名"
    meeting.save()
    first = meeting.history.earliest("history_date")
    listing = editor_client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk])).content.decode()
    assert reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, first.history_id]) in listing
    revert = reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, first.history_id])
    page = editor_client.get(revert).content.decode()
    assert "元の題名" in page


def test_imports_are_recorded_with_the_importing_editor(editor_client):
    CountryFactory(code="AU")
    headers = MeetingResource().get_export_headers()
    data = tablib.Dataset(headers=headers)
    row = dict.fromkeys(headers, "")
    row.update(key="imported", date="2024-05", count="1", title_ja="日豪", title_en="Japan–Australia",
               kind="talks", level="ministerial", format="in_person", countries="AU")
    data.append([row[h] for h in headers])
    url = reverse("admin:meetings_meeting_import")
    from django.core.files.uploadedfile import SimpleUploadedFile
    preview = editor_client.post(url, {"format": "0", "resource": "0",
                                       "import_file": SimpleUploadedFile("m.csv", data.export("csv").encode())})
    editor_client.post(reverse("admin:meetings_meeting_process_import"), preview.context["confirm_form"].initial)
    meeting = Meeting.objects.get(key="imported")
    assert {h.history_user.username for h in meeting.history.all()} == {"editor"}
    assert meeting.history.first().countries.count() == 1


def test_an_import_row_changing_a_record_and_its_links_is_one_entry_by_the_importing_editor(editor_client):
    """Row by row (agreements), as in a batch (meetings): the entry holds the new title with the
    new parties, never the new title with the old ones, a state that never was."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    nz = CountryFactory(code="NZ")
    CountryFactory(code="AU")
    agreement = AgreementFactory(key="nz-acsa", parties=[nz], title_en="Japan–New Zealand ACSA")
    entries = agreement.history.count()
    exported = AgreementResource().export()
    row = exported.dict[0]
    row.update(title_en="Japan–New Zealand Acquisition and Cross-Servicing Agreement", parties="AU|NZ")
    data = tablib.Dataset([row[h] for h in exported.headers], headers=exported.headers)
    url = reverse("admin:meetings_agreement_import")
    preview = editor_client.post(url, {"format": "0", "resource": "0",
                                       "import_file": SimpleUploadedFile("a.csv", data.export("csv").encode())})
    editor_client.post(reverse("admin:meetings_agreement_process_import"), preview.context["confirm_form"].initial)

    assert agreement.history.count() == entries + 1
    latest = agreement.history.latest("history_date")
    assert latest.title_en == "Japan–New Zealand Acquisition and Cross-Servicing Agreement"
    assert sorted(p.country.code for p in latest.parties.all()) == ["AU", "NZ"]
    assert latest.history_user.username == "editor"


def test_curated_fixtures_are_recorded_as_such():
    call_command("load_curated", "fixtures/00_reference.json", verbosity=0)
    japan = Country.objects.get(code="JP")
    assert japan.history.get().history_change_reason == "curated fixtures"


def test_a_curated_record_has_one_entry_added_with_its_partners():
    """As an import records a new record: not an entry without its partners and another,
    "changed", for setting them."""
    load_curated()  # the command's own rows (tests.curated)
    meeting = Meeting.objects.get(key="2024-05-au-defmin")
    (entry,) = meeting.history.all()
    assert (entry.history_type, entry.history_change_reason) == ("+", "curated fixtures")
    assert {c.country.code for c in entry.countries.all()} == {"AU"} == {c.code for c in meeting.countries.all()}
    assert entry.title_ja == meeting.title_ja


def revert_form(client, meeting, entry):
    """The revert page of ``entry``, and its form as the browser would post it."""
    url = reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, entry.history_id])
    return url, form_fields(client.get(url))


def test_reverting_to_an_earlier_version_saves_it_as_a_new_version_by_the_reverting_editor(editor_client):
    meeting = MeetingFactory(title_ja="元の題名", countries=[CountryFactory(code="AU")])
    meeting.title_ja = "変えた題名"
    meeting.save()
    # The version before the change; the factory's first entry has no partner yet (it is
    # written before the links are set) and a meeting reverted to it would have none.
    first, entries = meeting.history.latest("history_date").prev_record, meeting.history.count()

    url, form = revert_form(editor_client, meeting, first)
    assert form["title_ja"] == ["元の題名"]
    response = editor_client.post(url, form)

    assert response.status_code == 302, text(response)[:3000]
    reverted = Meeting.objects.get()
    assert reverted.title_ja == "元の題名"
    assert reverted.version == meeting.version + 1
    latest = reverted.history.latest("history_date")
    assert (latest.title_ja, latest.version, latest.history_user.username) == (
        "元の題名", meeting.version + 1, "editor")
    assert reverted.history.count() == entries + 1


def test_reverting_a_record_changed_since_the_revert_page_was_opened_is_refused(editor_client):
    meeting = MeetingFactory(title_ja="元の題名", countries=[CountryFactory(code="AU")])
    meeting.title_ja = "変えた題名"
    meeting.save()
    url, form = revert_form(editor_client, meeting, meeting.history.earliest("history_date"))
    ParticipationFactory(meeting=meeting)  # someone adds a participant meanwhile

    response = editor_client.post(url, form)

    refused(response, str(Participation.objects.get()))
    assert Meeting.objects.get().title_ja == "変えた題名"


def test_a_deleted_meeting_can_still_be_restored_from_its_history(editor_client):
    meeting = MeetingFactory(title_ja="消された会談", countries=[CountryFactory(code="AU")])
    entry = meeting.history.latest("history_date")
    Meeting.objects.filter(pk=meeting.pk).delete()

    url, form = revert_form(editor_client, meeting, entry)
    response = editor_client.post(url, form)

    assert response.status_code == 302, text(response)[:3000]
    restored = Meeting.objects.get(pk=meeting.pk)
    assert (restored.title_ja, [c.code for c in restored.countries.all()]) == ("消された会談", ["AU"])


# --- inline rows on the history page ----------------------------------------------------------
# A save that changes only a meeting's participants writes the meeting an entry (its version
# moves) with no change of its own: beside it, the page says what was written to the rows.

def history_cells(client, meeting):
    """Each row of the meeting's history page, newest first, as its cells' text."""
    page = client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk])).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in rows if "<td>" in row]


def line(entry, kind, row=None):
    """The line the history page gives the participant's ``entry`` (``row``: its name, when its
    meeting is gone), in Japanese."""
    from django.utils import formats, timezone, translation
    from django.utils.translation import gettext

    with translation.override("ja"):
        return gettext({"+": "%(when)s — %(who)s added the %(kind)s “%(row)s”.",
                        "-": "%(when)s — %(who)s deleted the %(kind)s “%(row)s”.",
                        "~": "%(when)s — %(who)s changed the %(kind)s “%(row)s”: %(fields)s."}[kind]) % {
            "when": formats.date_format(timezone.localtime(entry.history_date), "DATETIME_FORMAT"),
            "who": entry.history_user.username, "kind": gettext("participant"), "row": row or entry.instance,
            "fields": gettext("role")}


@pytest.fixture
def meeting_with_two_participants(editor_client):
    """A meeting added in the admin with two participants."""
    au = CountryFactory(code="AU")
    officials = [TenureFactory(official__country=au).official for _ in range(2)]
    rows = {"participations-TOTAL_FORMS": "2"}
    for i, official in enumerate(officials):
        rows.update({f"participations-{i}-official": official.pk, f"participations-{i}-role": "principal",
                     f"participations-{i}-known_from": "excerpt"})
    response = editor_client.post(reverse("admin:meetings_meeting_add"), meeting_form(countries=[au.pk], **rows))
    assert response.status_code == 302, text(response)[:3000]
    return Meeting.objects.get()


def save_participants(client, meeting, **changes):
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(client.get(url))
    form.update(changes)
    response = client.post(url, form)
    assert response.status_code == 302, text(response)[:3000]


def test_a_participant_removed_on_the_meetings_page_is_named_beside_the_entry_it_wrote(
        editor_client, meeting_with_two_participants):
    meeting = meeting_with_two_participants
    removed = meeting.participations.order_by("pk").first()
    save_participants(editor_client, meeting, **{"participations-0-DELETE": ["on"]})

    [deleted] = Participation.history.filter(id=removed.pk, history_type="-")
    [saved, added] = history_cells(editor_client, meeting)
    assert saved[-1] == line(deleted, "-")  # its only change
    assert line(deleted, "-") not in added[-1]
    assert "人物" in line(deleted, "-") and "削除しました" in line(deleted, "-")


def test_a_participant_changed_or_added_on_the_meetings_page_is_named_beside_the_entry(
        editor_client, meeting_with_two_participants):
    meeting = meeting_with_two_participants
    changed = meeting.participations.order_by("pk").last()
    save_participants(editor_client, meeting, **{"participations-1-role": ["accompanying"]})

    [saved, added] = history_cells(editor_client, meeting)
    [change] = Participation.history.filter(id=changed.pk, history_type="~")
    assert saved[-1] == line(change, "~")
    assert added[-1] == " ".join(line(entry, "+") for entry in Participation.history.filter(history_type="+"))


def test_the_history_page_reads_as_many_queries_for_many_participants_as_for_few(editor_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def history_page(n):
        """The history page of a meeting saved twice: after ``n`` participants were added, and
        after each was changed and every other one removed."""
        meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
        participations = [ParticipationFactory(meeting=meeting, official=TenureFactory().official)
                          for _ in range(n)]
        meeting.save()
        for i, participation in enumerate(participations):
            participation.role = "accompanying"
            participation.save()
            if i % 2:
                participation.delete()
        meeting.save()
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk]))
        assert response.content.decode().count('<ul class="inline-changes">') == 2
        return len(queries), response.content.decode().count("<li>")

    (few, few_lines), (many, many_lines) = history_page(2), history_page(12)
    assert many_lines - few_lines == (12 - 2) * 2 + (12 - 2) // 2
    assert many == few


def test_a_deleted_meetings_history_names_the_participants_deleted_with_it(editor_client, meeting_with_two_participants):
    meeting = meeting_with_two_participants
    names = {p.pk: str(p) for p in meeting.participations.all()}
    url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    assert editor_client.post(url, {"post": "yes", "seen_version": str(meeting.version)}).status_code == 302
    assert not Meeting.objects.exists()

    [deleted, added] = history_cells(editor_client, meeting)
    entries = Participation.history.filter(history_type="-")
    # After its own change (its partners taken off), the participants, each named.
    assert deleted[-1].endswith(" ".join(line(entry, "-", names[entry.id]) for entry in entries))

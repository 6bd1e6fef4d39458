import html
import re

import pytest
import tablib
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from meetings.models import AgreementEvent, Meeting, Participation
from meetings.resources import AgreementEventResource, MeetingResource, ParticipationResource
from partners.models import Tenure
from partners.resources import TenureResource
from tests.meetings.factories import AgreementEventFactory, MeetingFactory, ParticipationFactory
from tests.meetings.test_admin import meeting_form
from tests.pages import form_fields, text
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = [pytest.mark.django_db]


def form_of(meeting, **changes):
    data = meeting_form(key=meeting.key, date=meeting.date, title_ja=meeting.title_ja,
                        countries=[c.pk for c in meeting.countries.all()],
                        seen_version=str(meeting.version))
    data.update(changes)
    return data


def test_the_second_editor_to_save_is_refused_and_nothing_is_overwritten(editor):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(editor)
    assert f'name="seen_version" value="{meeting.version}"' in first.get(url).content.decode()
    second.get(url)  # both have the record open at the same version

    assert first.post(url, form_of(meeting, title_ja="一人目の修正")).status_code == 302
    response = second.post(url, form_of(meeting, title_ja="二人目の修正"))

    assert response.status_code == 200
    page = response.content.decode()
    seen, current = meeting.version, Meeting.objects.get(pk=meeting.pk).version
    with translation.override("ja"):
        refusal = gettext("Someone else saved this record after you opened it (your version %(seen)s, "
                          "now %(current)s). Nothing was saved: open the record again to see their "
                          "changes, then make yours.") % {"seen": seen, "current": current}
    assert refusal in html.unescape(page)
    assert Meeting.objects.get(pk=meeting.pk).title_ja == "一人目の修正"


def test_an_editor_saving_twice_in_turn_is_not_refused(editor_client):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    assert editor_client.post(url, form_of(meeting, title_ja="一回目")).status_code == 302
    meeting.refresh_from_db()
    assert editor_client.post(url, form_of(meeting, title_ja="二回目")).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).title_ja == "二回目"


@pytest.mark.parametrize("name", ["admin:meetings_agreement_change", "admin:meetings_exercise_change",
                                  "admin:meetings_engagement_change", "admin:partners_official_change"])
def test_other_editorial_forms_carry_the_version(editor_client, name):
    from tests.meetings.factories import AgreementFactory, EngagementFactory, ExerciseFactory
    from tests.partners.factories import OfficialFactory

    factory = {"agreement": AgreementFactory, "exercise": ExerciseFactory, "engagement": EngagementFactory,
               "official": OfficialFactory}
    record = factory[name.split("_")[1]]()
    page = editor_client.get(reverse(name, args=[record.pk])).content.decode()
    assert f'name="seen_version" value="{record.version}"' in page


# --- inline rows ------------------------------------------------------------------------------
# An editor opens a record; another changes one of its inline rows, by whatever path; the
# first editor's save (which would post the old rows back) is refused, the page names the
# row and who changed it, and the other editor's change stays.

def participant_on_a_meeting():
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    return meeting, ParticipationFactory(meeting=meeting, official=TenureFactory().official)


def milestone_on_an_agreement():
    milestone = AgreementEventFactory()
    return milestone.agreement, milestone


def milestone_on_a_meeting():
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    return meeting, AgreementEventFactory(meeting=meeting)


def tenure_on_an_official():
    tenure = TenureFactory()
    return tenure.official, tenure


INLINES = {
    # setup, the parent's field the first editor changes, the inline's prefix on the parent's
    # page, and a change of the row: (field, value) on a form, and in an import.
    "participants on a meeting": (participant_on_a_meeting, "title_ja", "participations",
                                  ("role", "accompanying"), ("role", "accompanying")),
    "milestones on an agreement": (milestone_on_an_agreement, "title_ja", "events",
                                   ("date", "2016-12"), ("note_en", "Signed in Tokyo.")),
    "milestones on a meeting": (milestone_on_a_meeting, "title_ja", "agreement_events",
                                ("date", "2024-05-20"), ("note_en", "Signed in Tokyo.")),
    "tenures on an official": (tenure_on_an_official, "name_ja", "tenures",
                               ("date", "2023-09-13/2024-11-01"), ("date", "2024-11-01/..")),
}


def change_url(record, action="change"):
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_{action}", args=[record.pk])


def changed_on_its_own_page(client, row, change):
    url = change_url(row)
    data = form_fields(client.get(url))
    data[change[0]] = change[1]
    response = client.post(url, data)
    assert response.status_code == 302, text(response)[:3000]


def changed_on_the_parents_inline(client, parent, row, change, prefix):
    url = change_url(parent)
    data = form_fields(client.get(url))
    assert data[f"{prefix}-0-id"] == [str(row.pk)]
    data[f"{prefix}-0-{change[0]}"] = change[1]
    response = client.post(url, data)
    assert response.status_code == 302, text(response)[:3000]


def changed_by_an_import(row, column, value):
    """The row exported, the cell changed and the file imported, as an editor round-trips a
    file (a tenure's date is part of its key: the import adds a tenure)."""
    resource = {Participation: ParticipationResource, AgreementEvent: AgreementEventResource,
                Tenure: TenureResource}[type(row)]()
    cells = dict(resource.export(type(row).objects.filter(pk=row.pk)).dict[0], **{column: value})
    result = resource.import_data(tablib.Dataset(list(cells.values()), headers=list(cells)), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), list(result.invalid_rows)


@pytest.fixture
def second_editor(db):
    from tests.conftest import member_of

    client = Client()
    client.force_login(member_of("editor", "sato-second"))
    return client


@pytest.fixture
def first_editor(editor):
    client = Client()
    client.force_login(editor)
    return client


def refused(response, *names):
    """The refusal's text, naming what changed (asserted on records' and people's names,
    which no translation changes)."""
    assert response.status_code == 200
    found = re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', response.content.decode(), re.S)
    assert found, "no refusal on the page"
    refusal = html.unescape(found.group(1))
    for name in names:
        assert name in refusal, name
    return refusal


@pytest.mark.parametrize("inline", INLINES)
@pytest.mark.parametrize("path", ["its own page", "the parent's inline", "an import", "a delete"])
def test_a_change_to_an_inline_row_since_the_form_was_opened_is_refused_and_shown(
        first_editor, second_editor, inline, path):
    setup, parent_field, prefix, form_change, import_change = INLINES[inline]
    parent, row = setup()
    opened = form_fields(first_editor.get(change_url(parent)))

    if path == "its own page":
        changed_on_its_own_page(second_editor, row, form_change)
    elif path == "the parent's inline":
        changed_on_the_parents_inline(second_editor, parent, row, form_change, prefix)
    elif path == "an import":
        changed_by_an_import(row, *import_change)
    else:
        response = second_editor.post(change_url(row, "delete"), {"post": "yes", "seen_version": row.version})
        assert response.status_code == 302 and not type(row).objects.filter(pk=row.pk).exists()
    after = type(row).objects.filter(pk=row.pk).first()
    if path == "an import" and isinstance(row, Tenure):
        after = Tenure.objects.exclude(pk=row.pk).get()  # the tenure the file added

    opened[parent_field] = "一人目の修正"
    response = first_editor.post(change_url(parent), opened)

    refused(response, str(after or row), *([] if path == "an import" else ["sato-second"]))
    assert getattr(type(parent).objects.get(pk=parent.pk), parent_field) != "一人目の修正"
    if path == "a delete":
        assert not type(row).objects.filter(pk=row.pk).exists()
    elif path == "an import" and isinstance(row, Tenure):
        assert Tenure.objects.filter(date=import_change[1]).exists()
    else:
        field, value = form_change if path != "an import" else import_change
        assert getattr(type(row).objects.get(pk=row.pk), field) == value


def test_a_milestone_changed_on_its_agreement_is_a_conflict_on_its_meeting(first_editor, second_editor):
    meeting, milestone = milestone_on_a_meeting()
    opened = form_fields(first_editor.get(change_url(meeting)))
    changed_on_the_parents_inline(second_editor, milestone.agreement, milestone, ("date", "2024-05-20"),
                                  "events")
    opened["title_ja"] = "一人目の修正"
    refused(first_editor.post(change_url(meeting), opened), "sato-second", str(AgreementEvent.objects.get()))
    assert AgreementEvent.objects.get().date == "2024-05-20"
    assert Meeting.objects.get().title_ja != "一人目の修正"


def test_a_participant_dropped_by_a_meeting_import_is_a_conflict(first_editor):
    meeting, participation = participant_on_a_meeting()
    opened = form_fields(first_editor.get(change_url(meeting)))
    resource = MeetingResource()
    cells = dict(resource.export(Meeting.objects.filter(pk=meeting.pk)).dict[0], participants="")
    result = resource.import_data(tablib.Dataset(list(cells.values()), headers=list(cells)), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()

    opened["title_ja"] = "一人目の修正"
    refused(first_editor.post(change_url(meeting), opened), str(participation))
    assert not Participation.objects.exists()


def test_rows_written_in_bulk_give_their_parents_a_new_version():
    """The bulk writer (no save(), no signals) keeps the rule too: here participants imported
    in bulk, as the meetings' import writes them."""
    meeting, _ = participant_on_a_meeting()
    before = Meeting.objects.get().version

    class BulkParticipations(ParticipationResource):
        class Meta(ParticipationResource.Meta):
            use_bulk = True
            batch_size = None

    dataset = tablib.Dataset(headers=["meeting", "official", "role", "known_from"])
    dataset.append([meeting.key, TenureFactory().official.slug, "principal", "excerpt"])
    result = BulkParticipations().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Participation.objects.count() == 2
    assert Meeting.objects.get().version > before


def test_an_editor_changing_only_inline_rows_twice_in_turn_is_not_refused(first_editor):
    meeting, participation = participant_on_a_meeting()
    url = change_url(meeting)
    for role in ("accompanying", "principal"):
        data = form_fields(first_editor.get(url))
        data["participations-0-role"] = role
        assert first_editor.post(url, data).status_code == 302
        assert Participation.objects.get().role == role


def test_a_save_without_the_version_is_refused(editor_client):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    data = form_of(meeting, title_ja="版なしの修正")
    del data["seen_version"]
    refused(editor_client.post(change_url(meeting), data))
    assert Meeting.objects.get().title_ja != "版なしの修正"


def test_a_new_record_needs_no_version(editor_client):
    au = CountryFactory(code="AU")
    response = editor_client.post(reverse("admin:meetings_meeting_add"), meeting_form(countries=[au.pk]))
    assert response.status_code == 302
    assert Meeting.objects.get().key == "2024-05-au-us-defmin"


def test_a_refusal_names_who_changed_which_fields_of_the_record_itself(first_editor, second_editor):
    meeting, _ = participant_on_a_meeting()
    opened = form_fields(first_editor.get(change_url(meeting)))
    theirs = form_fields(second_editor.get(change_url(meeting)))
    theirs["title_en"] = "Their title"
    assert second_editor.post(change_url(meeting), theirs).status_code == 302

    opened["title_ja"] = "一人目の修正"
    page = refused(first_editor.post(change_url(meeting), opened), "sato-second")
    assert str(Meeting._meta.get_field("title_en").verbose_name) in page
    assert Meeting.objects.get().title_en == "Their title"


def test_a_participant_changed_on_its_meeting_since_its_own_page_was_opened_is_refused(
        first_editor, second_editor):
    """A participant has no version of its own: its page carries its meeting's."""
    meeting, participation = participant_on_a_meeting()
    opened = form_fields(first_editor.get(change_url(participation)))
    assert opened["seen_version"] == [str(Meeting.objects.get().version)]
    changed_on_the_parents_inline(second_editor, meeting, participation, ("role", "accompanying"),
                                  "participations")

    opened["role"] = "principal"
    opened["official"] = [str(TenureFactory().official.pk)]
    refused(first_editor.post(change_url(participation), opened), "sato-second", str(participation))
    assert Participation.objects.get().role == "accompanying"
    assert Participation.objects.get().official_id == participation.official_id


def test_a_save_of_a_record_deleted_since_the_form_was_opened_says_who_deleted_it(first_editor, second_editor):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")], title_ja="消された会談")
    opened = form_fields(first_editor.get(change_url(meeting)))
    response = second_editor.post(change_url(meeting, "delete"), {"post": "yes", "seen_version": meeting.version})
    assert response.status_code == 302

    opened["title_ja"] = "一人目の修正"
    response = first_editor.post(change_url(meeting), opened, follow=True)

    history = reverse("admin:meetings_meeting_history", args=[meeting.pk])
    assert response.redirect_chain[-1][0] == history
    told = " ".join(str(m) for m in response.context["messages"])
    assert "消された会談" in told and "sato-second" in told and "削除" in told
    assert not Meeting.objects.exists()

"""A delete never discards what another editor saved after the delete page was opened: the
record's page and the list's "delete selected" page carry the versions they showed."""
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from meetings.models import Agreement, Meeting, Participation
from tests.meetings.factories import ExerciseFactory, MeetingFactory, ParticipationFactory
from tests.meetings.test_concurrent_edits import (  # noqa: F401 (fixtures)
    first_editor, form_of, milestone_on_a_meeting, refused, second_editor)
from tests.pages import form_fields as agreement_form
from tests.partners.factories import CountryFactory

pytestmark = [pytest.mark.django_db]


def form_fields(response):
    """The hidden fields the confirmation page's form posts: {name: [values]}."""
    posted = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.content.decode()):
        posted.setdefault(name, []).append(value)
    return posted


def messages_of(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_delete_confirmed_after_another_editors_save_is_refused(first_editor, second_editor):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")], summary_en="")
    delete_url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    confirmation = form_fields(second_editor.get(delete_url))  # the second editor opens the delete page
    assert confirmation["seen_version"] == [str(meeting.version)]

    change_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    saved = first_editor.post(change_url, form_of(meeting, summary_en="An important new summary"))
    assert saved.status_code == 302

    refused = second_editor.post(delete_url, confirmation)
    assert refused.status_code == 302 and refused.url == delete_url
    message = html.unescape(messages_of(refused))
    assert "sato" not in message and "editor" in message  # who saved it (the first editor)
    assert str(meeting.version) in message and str(Meeting.objects.get(pk=meeting.pk).version) in message
    assert Meeting.objects.get(pk=meeting.pk).summary_en == "An important new summary"

    again = form_fields(second_editor.get(delete_url))  # the page as it is now
    assert second_editor.post(delete_url, again).status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_delete_that_does_not_say_which_version_it_saw_is_refused(first_editor):
    participation = ParticipationFactory()
    url = reverse("admin:meetings_participation_delete", args=[participation.pk])
    assert first_editor.post(url, {"post": "yes"}).status_code == 302
    assert Participation.objects.filter(pk=participation.pk).exists()


def test_deleting_selected_records_refuses_all_when_one_changed_since_the_page(first_editor, second_editor):
    au = CountryFactory(code="AU")
    kept, changed = MeetingFactory(countries=[au]), MeetingFactory(countries=[au])
    changelist = reverse("admin:meetings_meeting_changelist")
    chosen = {"action": "delete_selected", "_selected_action": [kept.pk, changed.pk]}
    confirmation = second_editor.post(changelist, chosen)
    fields = form_fields(confirmation)
    assert fields[f"seen_version-{changed.pk}"] == [str(changed.version)]

    change_url = reverse("admin:meetings_meeting_change", args=[changed.pk])
    assert first_editor.post(change_url, form_of(changed, title_ja="変更後")).status_code == 302

    refused = second_editor.post(changelist, fields)
    assert refused.status_code == 302
    assert "変更後" in html.unescape(messages_of(refused))
    assert Meeting.objects.filter(pk__in=[kept.pk, changed.pk]).count() == 2

    fields = form_fields(second_editor.post(changelist, chosen))
    assert second_editor.post(changelist, fields).status_code == 302
    assert not Meeting.objects.filter(pk__in=[kept.pk, changed.pk]).exists()


def test_a_milestone_outliving_its_deleted_meeting_is_recorded_and_guards_its_agreement(
        first_editor, second_editor):
    """The milestone stays with its agreement, no longer at the meeting: its history says so,
    with who deleted the meeting, and the agreement's open form is refused as for any change."""
    meeting, milestone = milestone_on_a_meeting()
    agreement = milestone.agreement
    opened = agreement_form(first_editor.get(reverse("admin:meetings_agreement_change", args=[agreement.pk])))

    delete_url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    assert second_editor.post(delete_url, form_fields(second_editor.get(delete_url))).status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()

    milestone.refresh_from_db()
    assert milestone.meeting is None
    latest = milestone.history.latest("history_date")
    assert (latest.history_type, latest.meeting_id, latest.history_user.username) == ("~", None, "sato-second")
    opened["title_en"] = "Changed by the first editor"
    response = first_editor.post(reverse("admin:meetings_agreement_change", args=[agreement.pk]), opened)
    refused(response, "sato-second")
    assert Agreement.objects.get(pk=agreement.pk).title_en != "Changed by the first editor"


def test_a_meeting_losing_its_deleted_exercise_is_recorded_and_guards_its_form(first_editor, second_editor):
    """Deleting an exercise takes it off the meetings at which it was observed: their history
    says so, with who deleted it, and a meeting's open form is refused as for any change."""
    exercise = ExerciseFactory(name_ja="ピッチ・ブラック24")
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    meeting.exercises.add(exercise)
    meeting.save()
    change_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    opened = agreement_form(first_editor.get(change_url))
    assert opened["exercises"] == [str(exercise.pk)]

    delete_url = reverse("admin:meetings_exercise_delete", args=[exercise.pk])
    assert second_editor.post(delete_url, form_fields(second_editor.get(delete_url))).status_code == 302

    latest = Meeting.objects.get(pk=meeting.pk).history.latest("history_date")
    assert (list(latest.exercises.all()), latest.history_user.username) == ([], "sato-second")
    opened["title_en"] = "Changed by the first editor"
    refused(first_editor.post(change_url, opened), "sato-second")
    assert Meeting.objects.get(pk=meeting.pk).title_en != "Changed by the first editor"

"""A delete page says, before the editor confirms, which records the delete takes a link off
(a milestone reached at the meeting, a meeting at which the exercise was observed), and lists
what the delete removes in the editor's words, without the link tables' rows."""
import re

import pytest
from django.urls import reverse

from tests.meetings.factories import AgreementEventFactory, ExerciseFactory, MeetingFactory
from tests.pages import text
from tests.partners.factories import CountryFactory

pytestmark = [pytest.mark.django_db]


def effects(response):
    """[(address, text)] of the delete page's lists of records it changes."""
    lists = re.findall(r'<ul class="delete-effects">(.*?)</ul>', response.content.decode(), re.S)
    return [pair for listed in lists for pair in re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', listed)]


def test_a_meetings_delete_page_names_the_milestone_that_loses_its_meeting(editor_client):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    milestone = AgreementEventFactory(meeting=meeting, agreement__title_ja="日豪円滑化協定")
    response = editor_client.get(reverse("admin:meetings_meeting_delete", args=[meeting.pk]))

    assert effects(response) == [(reverse("admin:meetings_agreementevent_change", args=[milestone.pk]),
                                  f"協定の経過: {milestone}")]
    assert "会談を削除すると、以下の記録からその会談へのリンクが外れます" in text(response)


def test_an_exercises_delete_page_names_the_meetings_that_observed_it(editor_client):
    exercise = ExerciseFactory()
    meetings = [MeetingFactory(countries=[CountryFactory(code="AU")], date=f"2024-0{i}") for i in (5, 6)]
    for meeting in meetings:
        meeting.exercises.add(exercise)
    response = editor_client.get(reverse("admin:meetings_exercise_delete", args=[exercise.pk]))

    assert sorted(effects(response)) == sorted(
        (reverse("admin:meetings_meeting_change", args=[m.pk]), f"会談: {m}") for m in meetings)


def test_the_link_tables_rows_are_not_listed_as_records_deleted(editor_client):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    meeting.exercises.add(ExerciseFactory())
    page = text(editor_client.get(reverse("admin:meetings_meeting_delete", args=[meeting.pk])))
    assert "object (" not in page and "Meeting-country" not in page and "Meeting-exercise" not in page
    assert str(meeting) in page

"""The participants' list of deleted records names each deleted participant, those whose
meeting was deleted with them too, as their meetings' history pages do, in the same number of
queries however many it lists."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.pages import text
from tests.partners.factories import OfficialFactory

pytestmark = pytest.mark.django_db


def deleted_page(client):
    """The page's text, and how many queries drew it."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:meetings_participation_deleted"))
    return text(page), len(queries)


def test_a_participant_deleted_with_its_meeting_is_named_by_the_meeting_as_it_was(editor_client):
    meeting = MeetingFactory(title_ja="日豪防衛相会談", date="2024-05")
    ParticipationFactory(meeting=meeting, official=OfficialFactory(name_ja="木原稔"))
    meeting.delete()

    shown, _ = deleted_page(editor_client)
    assert "木原稔 — 日豪防衛相会談（2024年5月）" in shown


def test_the_deleted_participants_are_named_in_the_same_number_of_queries_however_many(editor_client):
    def delete_participants(n):
        for _ in range(n):
            ParticipationFactory(meeting=MeetingFactory(), official=OfficialFactory()).delete()
        ParticipationFactory(meeting=MeetingFactory()).meeting.delete()

    delete_participants(2)
    _, few = deleted_page(editor_client)
    delete_participants(10)
    shown, many = deleted_page(editor_client)
    assert shown.count("日豪防衛相会談（2024年5月）") == 14
    assert many == few

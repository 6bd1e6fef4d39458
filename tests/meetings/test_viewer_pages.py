"""A viewer (who may read but not change) reads a record's page without what only checks a
save: the version the page was opened at, and when."""
import pytest
from django.urls import reverse

from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.partners.factories import OfficialFactory

pytestmark = pytest.mark.django_db

SEEN = ("seen_version", "seen_at", "Seen version", "Seen at")


@pytest.fixture
def participation():
    return ParticipationFactory(meeting=MeetingFactory(title_ja="日豪防衛相会談"),
                                official=OfficialFactory(name_ja="木原稔"))


def pages(participation):
    """Each page, with a name it shows."""
    meeting = participation.meeting
    return [(reverse("admin:meetings_meeting_change", args=[meeting.pk]), "木原稔"),
            (reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, meeting.history.first().pk]),
             "日豪防衛相会談"),
            (reverse("admin:meetings_participation_change", args=[participation.pk]), "木原稔"),
            (reverse("admin:partners_official_change", args=[participation.official.pk]), "木原稔")]


def test_a_viewer_reads_a_record_without_the_fields_that_check_a_save(viewer_client, participation):
    for url, name in pages(participation):
        page = viewer_client.get(url).content.decode()
        assert name in page, url
        assert [word for word in SEEN if word in page] == [], url


def test_an_editor_still_opens_a_record_at_its_version(editor_client, participation):
    for url, _name in pages(participation):
        page = editor_client.get(url).content.decode()
        assert 'type="hidden" name="seen_version"' in page and 'name="seen_at"' in page, url

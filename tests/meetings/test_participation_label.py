"""A participant is named in the admin (its messages, history, delete pages) by the official
and the meeting as the meeting is named everywhere, in the editor's language."""
import html

import pytest
from django.conf import settings
from django.urls import reverse

from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.partners.factories import OfficialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def participation():
    return ParticipationFactory(
        official=OfficialFactory(name_ja="木原稔", name_en="Kihara Minoru"),
        meeting=MeetingFactory(key="2024-05-au-defmin", date="2024-05", title_ja="日豪防衛相会談",
                               title_en="Japan–Australia Defense Ministerial Meeting"))


def delete_page(client, participation):
    url = reverse("admin:meetings_participation_delete", args=[participation.pk])
    return html.unescape(client.get(url).content.decode())


def test_a_participant_is_named_by_the_official_and_the_meeting_in_japanese(editor_client, participation):
    page = delete_page(editor_client, participation)

    assert "木原稔 — 日豪防衛相会談（2024年5月）" in page
    assert "2024-05-au-defmin" not in page


def test_a_participant_is_named_in_english_for_an_english_speaking_editor(editor_client, participation):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = delete_page(editor_client, participation)

    assert "Kihara Minoru — Japan–Australia Defense Ministerial Meeting (May 2024)" in page
    assert "木原稔" not in page


def test_an_english_speaking_editor_finds_participants_by_the_meetings_english_title(editor_client, participation):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ParticipationFactory(meeting=MeetingFactory(title_en="Japan–U.S. Defense Ministerial Meeting"))
    url = reverse("admin:meetings_participation_changelist")
    page = html.unescape(editor_client.get(url, {"q": "Australia"}).content.decode())

    assert "Kihara Minoru" in page and "Japan–U.S." not in page

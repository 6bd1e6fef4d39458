"""Saving a tenure (its own page, the official's page, a revert), a position or a meeting's date
can change the title at the time stored with participations: the editor is told which, after
the save, as the delete page tells it before a delete (test_tenure_delete_page)."""
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from meetings.models import Participation
from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.meetings.test_tenure_delete_page import career  # noqa: F401  (fixture)
from tests.pages import form_fields
from tests.partners.factories import PositionFactory

pytestmark = [pytest.mark.django_db]


def told(response):
    """[(text, [(address, linked text)])] of the messages on the page after a save."""
    return [(str(message), re.findall(r'<a href="([^"]+)">(.*?)</a>', str(message)))
            for message in response.context["messages"]]


def retitles(response):
    """The message naming participants whose title at the time the save changed, if any."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        lead = gettext("title at the time")
    found = [pair for pair in told(response) if lead in pair[0]]
    assert len(found) <= 1
    return found[0] if found else (None, [])


def save_tenure(client, tenure, date):
    url = reverse("admin:partners_tenure_change", args=[tenure.pk])
    form = form_fields(client.get(url))
    form["date"] = [date]
    return client.post(url, form, follow=True)


def test_shortening_a_tenure_on_its_page_names_the_meetings_whose_participants_changed_title(editor_client, career):
    minister, meetings = career
    response = save_tenure(editor_client, minister, "2023-09-13/2024-06-30")

    assert response.status_code == 200
    text, links = retitles(response)
    link = {date: reverse("admin:meetings_meeting_change", args=[m.pk]) for date, m in meetings.items()}
    assert links == [(link["2024-07"], "会談2024-07（2024年7月） — 木原稔: 防衛大臣 → 衆議院議員")]
    assert "1" in text and "会談2024-05" not in text  # its title stands
    stored = Participation.objects.select_related("position").get(meeting=meetings["2024-07"])
    assert stored.title == "衆議院議員"


def test_an_officials_page_names_them_when_a_tenure_is_changed_in_its_rows(editor_client, career):
    minister, meetings = career
    url = reverse("admin:partners_official_change", args=[minister.official_id])
    form = form_fields(editor_client.get(url))
    row = next(name for name, value in form.items() if name.endswith("-date") and value == ["2023-09-13/2024-10-01"])
    form[row] = ["2024-06/2024-10-01"]

    response = editor_client.post(url, form, follow=True)

    with translation.override("ja"):
        untitled = gettext("no title at the time")
    assert response.status_code == 200
    assert retitles(response)[1] == [(reverse("admin:meetings_meeting_change", args=[meetings["2024-05"].pk]),
                                      f"会談2024-05（2024年5月） — 木原稔: 防衛大臣 → {untitled}")]


def test_a_tenure_deleted_in_the_officials_rows_names_them_too(editor_client, career):
    minister, meetings = career
    url = reverse("admin:partners_official_change", args=[minister.official_id])
    form = form_fields(editor_client.get(url))
    row = next(name for name, value in form.items() if name.endswith("-date") and value == ["2023-09-13/2024-10-01"])
    form[row.replace("-date", "-DELETE")] = ["on"]

    response = editor_client.post(url, form, follow=True)

    with translation.override("ja"):
        untitled = gettext("no title at the time")
    assert response.status_code == 200
    assert [text.split(": ")[1] for _, text in retitles(response)[1]] == ["防衛大臣 → 衆議院議員", f"防衛大臣 → {untitled}"]


def test_it_is_said_in_english_too(editor_client, career):
    minister, meetings = career
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text, links = retitles(save_tenure(editor_client, minister, "2023-09-13/2024-06-30"))
    assert [label for _, label in links] == [
        "Talks 2024-07 (July 2024) — Kihara Minoru: Minister of Defense → Member of the House of Representatives"]
    assert text.startswith("This changed the title at the time of 1 participant")


def test_a_save_that_changes_no_title_says_nothing_of_titles(editor_client, career):
    minister, meetings = career
    response = save_tenure(editor_client, minister, "2023-09-13/2024-09-30")
    assert response.status_code == 200 and retitles(response) == (None, [])
    assert len(told(response)) == 1  # Django's "changed successfully"


def test_many_are_counted_after_the_first_few_in_as_many_queries(editor_client, career):
    minister, meetings = career

    def add_meetings(days):
        for day in days:
            ParticipationFactory(meeting=MeetingFactory(date=f"2024-02-{day:02d}"), official=minister.official)

    add_meetings(range(1, 11))
    save_tenure(editor_client, minister, "2023-09-13/2024-10-01")  # what a first page caches
    with CaptureQueriesContext(connection) as few:
        save_tenure(editor_client, minister, "2024-03/2024-10-01")
    save_tenure(editor_client, minister, "2023-09-13/2024-10-01")
    add_meetings(range(11, 29))
    with CaptureQueriesContext(connection) as many:
        response = save_tenure(editor_client, minister, "2024-03/2024-10-01")

    text, links = retitles(response)
    assert len(links) == 10
    assert "28" in text and "ほか18件" in text
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_positions_level_changed_on_its_page_names_them(editor_client, career):
    minister, meetings = career
    member = PositionFactory._meta.model.objects.get(title_ja="衆議院議員")
    url = reverse("admin:partners_position_change", args=[member.pk])
    form = form_fields(editor_client.get(url))
    form["level"] = ["minister"]  # ranked as the ministry is: the later begun counts first

    response = editor_client.post(url, form, follow=True)

    assert [text for _, text in retitles(response)[1]] == ["会談2024-07（2024年7月） — 木原稔: 防衛大臣 → 衆議院議員"]


def test_a_tenure_reverted_from_its_history_names_them(editor_client, career):
    minister, meetings = career
    save_tenure(editor_client, minister, "2023-09-13/2024-06-30")
    entry = minister.history.order_by("history_date").first()  # as first recorded, to 2024-10-01
    url = reverse("admin:partners_tenure_simple_history", args=[minister.pk, entry.history_id])

    response = editor_client.post(url, form_fields(editor_client.get(url)), follow=True)

    assert [text for _, text in retitles(response)[1]] == ["会談2024-07（2024年7月） — 木原稔: 衆議院議員 → 防衛大臣"]


def test_a_meeting_moved_to_another_date_names_its_participants_whose_title_changed(editor_client, career):
    minister, meetings = career
    meeting = meetings["2024-07"]
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(editor_client.get(url))
    form["date"] = ["2024-10-02"]  # after the ministry's tenure ended

    response = editor_client.post(url, form, follow=True)

    assert [text for _, text in retitles(response)[1]] == ["会談2024-07（2024年10月2日） — 木原稔: 防衛大臣 → 衆議院議員"]


def test_a_participants_own_page_shows_its_title_at_the_time(editor_client, career):
    minister, meetings = career
    participation = Participation.objects.get(meeting=meetings["2024-05"])
    url = reverse("admin:meetings_participation_change", args=[participation.pk])
    response = editor_client.get(url)
    with translation.override("ja"):
        label = gettext("title at the time")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert f"{label}: 防衛大臣" in page

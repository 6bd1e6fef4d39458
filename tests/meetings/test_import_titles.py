"""An import that changes participants' titles at the time (a tenure's, a meeting's date) says
which once it is written, as a save on a page says it (test_tenure_save_message): the first
few linked to their meetings and how many in all, whether the file was imported in the
request or, being large, off it (defrel.imports.background)."""
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from defrel.imports.background import wait_for_steps
from meetings.models import Meeting, Participation
from meetings.resources import MeetingResource
from tests.conftest import member_of
from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.meetings.test_tenure_delete_page import career  # noqa: F401  (fixture)

IMPORT, CONFIRM = "admin:partners_tenure_import", "admin:partners_tenure_process_import"
# Kihara made minister again in 2025: the meeting of 2025-03 is his as minister.
AGAIN = "official,position,date,version\nkihara-minoru,{key},2025-01/2025-06,\n"


def english_editor():
    client = Client()
    client.force_login(member_of("editor", "ann"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client, text):
    return client.post(reverse(IMPORT), {"resource": "0", "format": "0",
                                         "import_file": SimpleUploadedFile("tenures.csv", text.encode())})


def retitles(response):
    """The message naming the participants whose title the import changed: (text, [links])."""
    found = [str(m) for m in response.context["messages"] if "title at the time" in str(m)]
    assert len(found) <= 1
    if not found:
        return None, []
    return found[0], re.findall(r'<a href="([^"]+)">(.*?)</a>', found[0])


def expected(meeting):
    return (reverse("admin:meetings_meeting_change", args=[meeting.pk]),
            "Talks 2025-03 (March 2025) — Kihara Minoru: Member of the House of Representatives "
            "→ Minister of Defense")


@pytest.mark.django_db
def test_an_import_confirmed_in_the_request_names_the_participants_whose_title_it_changed(career):
    minister, meetings = career
    client = english_editor()
    preview = upload(client, AGAIN.format(key=minister.position.key))
    sealed = re.search(r'name="import_file_name" value="([^"]+)"', preview.content.decode()).group(1)

    done = client.post(reverse(CONFIRM), {"import_file_name": sealed}, follow=True)

    text, links = retitles(done)
    assert links == [expected(meetings["2025-03"])]
    assert text.startswith("This changed the title at the time of 1 participant")
    assert Participation.objects.get(meeting=meetings["2025-03"]).position == minister.position


@pytest.mark.django_db(transaction=True)
def test_an_import_off_the_request_names_them_as_the_request_does(career, settings):
    settings.DEFREL_IMPORT_BACKGROUND_BYTES = 0  # every file goes the large files' way
    minister, meetings = career
    client = english_editor()
    status = upload(client, AGAIN.format(key=minister.position.key)).url
    wait_for_steps(timeout=600)
    checked = client.get(status)
    client.post(reverse(CONFIRM), checked.context["confirm_form"].initial)
    wait_for_steps(timeout=600)

    done = client.get(status, follow=True)

    text, links = retitles(done)
    assert links == [expected(meetings["2025-03"])]
    assert text.startswith("This changed the title at the time of 1 participant")
    assert "Import finished: 1 new" in " ".join(str(m) for m in done.context["messages"])


@pytest.mark.django_db(transaction=True)
def test_thousands_changed_are_counted_after_the_first_few(career, settings):
    settings.DEFREL_IMPORT_BACKGROUND_BYTES = 0
    minister, meetings = career
    for day in range(1, 29):
        ParticipationFactory(meeting=MeetingFactory(date=f"2025-02-{day:02d}"), official=minister.official)
    client = english_editor()
    status = upload(client, AGAIN.format(key=minister.position.key)).url
    wait_for_steps(timeout=600)
    client.post(reverse(CONFIRM), client.get(status).context["confirm_form"].initial)
    wait_for_steps(timeout=600)

    text, links = retitles(client.get(status, follow=True))

    assert len(links) == 10
    assert "of 29 participants" in text and "and 19 more" in text


@pytest.mark.django_db
def test_an_import_that_changes_no_title_says_nothing_of_titles(career):
    minister, meetings = career
    client = english_editor()
    preview = upload(client, AGAIN.replace("2025-01/2025-06", "2026-01/2026-06").format(key=minister.position.key))
    sealed = re.search(r'name="import_file_name" value="([^"]+)"', preview.content.decode()).group(1)

    done = client.post(reverse(CONFIRM), {"import_file_name": sealed}, follow=True)

    assert retitles(done) == (None, [])
    assert "Import finished: 1 new" in " ".join(str(m) for m in done.context["messages"])


@pytest.mark.django_db
def test_an_import_moving_a_meeting_to_another_date_names_its_participants_whose_title_changed(career):
    minister, meetings = career
    exported = MeetingResource().export(Meeting.objects.filter(pk=meetings["2024-07"].pk))
    exported[0] = tuple("2024-10-02" if header == "date" else value
                        for header, value in zip(exported.headers, exported[0]))
    client = english_editor()
    preview = client.post(reverse("admin:meetings_meeting_import"), {
        "resource": "0", "format": "0", "import_file": SimpleUploadedFile("meetings.csv", exported.csv.encode())})
    sealed = re.search(r'name="import_file_name" value="([^"]+)"', preview.content.decode()).group(1)

    done = client.post(reverse("admin:meetings_meeting_process_import"), {"import_file_name": sealed}, follow=True)

    assert retitles(done)[1] == [(reverse("admin:meetings_meeting_change", args=[meetings["2024-07"].pk]),
                                  "Talks 2024-07 (2 October 2024) — Kihara Minoru: Minister of Defense → "
                                  "Member of the House of Representatives")]

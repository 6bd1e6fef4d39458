"""A milestone reached at a meeting falls on one of the meeting's days: a form or an import that
would write one dated otherwise is refused, the date named, rather than saved for the quality
page to find later."""
import html

import pytest
import tablib
from django.urls import reverse

from meetings.models import AgreementEvent
from meetings.resources import AgreementEventResource
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, MeetingFactory
from tests.pages import form_fields

pytestmark = [pytest.mark.django_db]

REFUSED = "「日豪防衛相会談 (2024年5月)」（この経過に至った会談）の日付は2024年5月です"


@pytest.fixture
def meeting():
    return MeetingFactory(key="2024-05-au-dmm", date="2024-05", title_ja="日豪防衛相会談")


def page(response):
    return html.unescape(response.content.decode())


def test_a_milestone_added_on_its_agreements_page_at_a_meeting_of_another_month_is_refused(editor_client, meeting):
    agreement = AgreementFactory()
    url = reverse("admin:meetings_agreement_change", args=[agreement.pk])
    form = form_fields(editor_client.get(url))
    form.update({"events-0-kind": ["signed"], "events-0-date": ["2024-07-10"], "events-0-meeting": [str(meeting.pk)]})

    response = editor_client.post(url, form)

    assert response.status_code == 200 and not AgreementEvent.objects.exists()
    assert REFUSED in page(response)
    form["events-0-date"] = ["2024-05-20"]  # a day of that month: as the editor corrects it
    assert editor_client.post(url, form).status_code == 302
    assert AgreementEvent.objects.get().meeting == meeting


def test_a_milestone_moved_on_its_own_page_off_its_meeting_is_refused(editor_client, meeting):
    milestone = AgreementEventFactory(date="2024-05-20", meeting=meeting)
    url = reverse("admin:meetings_agreementevent_change", args=[milestone.pk])
    form = form_fields(editor_client.get(url))
    form["date"] = ["2024-06"]

    response = editor_client.post(url, form)

    assert response.status_code == 200 and REFUSED in page(response)
    assert AgreementEvent.objects.get().date == "2024-05-20"


def test_a_meeting_moved_away_from_a_milestone_reached_at_it_names_the_milestone(editor_client, meeting):
    AgreementEventFactory(date="2024-05-20", meeting=meeting)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(editor_client.get(url))
    form["date"] = ["2024-06-03"]

    response = editor_client.post(url, form)

    assert response.status_code == 200
    assert "「日豪防衛相会談 (2024年6月3日)」（この経過に至った会談）の日付は2024年6月3日です" in page(response)
    form["agreement_events-0-date"] = ["2024-06-03"]  # both corrected together: saved
    assert editor_client.post(url, form).status_code == 302
    assert AgreementEvent.objects.get().date == "2024-06-03"


def test_an_import_names_the_row_and_column(meeting):
    agreement = AgreementFactory(key="au-raa")
    dataset = tablib.Dataset(headers=["agreement", "kind", "date", "meeting", "note_ja", "note_en", "source",
                                      "source_excerpt"])
    dataset.append(["au-raa", "signed", "2024-05-20", meeting.key, "", "", "", ""])
    dataset.append(["au-raa", "entered_into_force", "2024-08", meeting.key, "", "", "", ""])

    result = AgreementEventResource().import_data(dataset, dry_run=True)

    assert [(row.number, list(row.field_specific_errors)) for row in result.invalid_rows] == [(2, ["date"])]
    assert REFUSED in str(result.invalid_rows[0].field_specific_errors["date"])
    assert not agreement.events.exists()

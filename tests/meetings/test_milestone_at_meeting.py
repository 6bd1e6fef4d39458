"""A milestone reached at a meeting falls on one of the meeting's days: a form or an import that
would write one dated otherwise is refused, the date named, rather than saved for the quality
page to find later."""
import html

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import AgreementEvent, Meeting
from meetings.resources import AgreementEventResource, MeetingResource
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, MeetingFactory
from tests.pages import form_fields

pytestmark = [pytest.mark.django_db]

REFUSED = "「日豪防衛相会談（2024年5月）」（この経過に至った会談）の日付は2024年5月です"


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
    assert "「日豪防衛相会談（2024年6月3日）」（この経過に至った会談）の日付は2024年6月3日です" in page(response)
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


def meeting_rows(*changes):
    """The export of the meetings, each changed as given by key."""
    exported = MeetingResource().export()
    rows = [dict(zip(exported.headers, values)) for values in exported]
    edited = [{**r, **changes[0].get(r["key"], {})} for r in rows]
    return tablib.Dataset(*[[r[h] for h in exported.headers] for r in edited], headers=exported.headers)


def test_an_import_moving_a_meeting_away_from_a_milestone_reached_at_it_names_row_column_and_milestone(meeting):
    kept = MeetingFactory(key="2024-05-kept", date="2024-05", countries=list(meeting.countries.all()))
    AgreementEventFactory(agreement=AgreementFactory(title_ja="日豪円滑化協定"), kind="signed",
                          date="2024-05-20", meeting=meeting)
    AgreementEventFactory(date="2024-05-02", meeting=kept)
    dataset = meeting_rows({meeting.key: {"date": "2024-06-03"}, kept.key: {"date": "2024-05-02"}})

    with CaptureQueriesContext(connection) as queries:
        result = MeetingResource().import_data(dataset, dry_run=True)

    [row] = result.invalid_rows
    said = " ".join(map(str, row.field_specific_errors["date"]))
    assert (row.number, list(row.field_specific_errors)) == (1 + [r[0] for r in dataset].index(meeting.key), ["date"])
    assert said.startswith("協定の経過「日豪円滑化協定 — 署名（2024年5月20日）」：「日豪防衛相会談（2024年6月3日）」（この経過に至った会談）の日付は2024年6月3日です")
    assert len([q for q in queries if 'FROM "meetings_agreementevent"' in q["sql"]]) == 1  # for the file
    assert Meeting.objects.get(key=meeting.key).date == "2024-05"


def test_an_import_moving_a_meeting_within_its_milestones_day_is_written(meeting):
    AgreementEventFactory(date="2024-05-20", meeting=meeting)
    result = MeetingResource().import_data(meeting_rows({meeting.key: {"date": "2024-05-20"}}), dry_run=False)
    assert not result.has_validation_errors() and Meeting.objects.get(key=meeting.key).date == "2024-05-20"


def test_an_import_keeping_the_date_of_a_meeting_a_milestone_is_already_off_is_not_refused(meeting):
    off = AgreementEventFactory(date="2024-05-20", meeting=meeting)
    AgreementEvent.objects.filter(pk=off.pk).update(date="2024-07-01", date_lower="2024-07-01",
                                                    date_upper="2024-07-01")  # as before the rule
    result = MeetingResource().import_data(meeting_rows({meeting.key: {"title_en": "Revised"}}), dry_run=False)
    assert not result.has_validation_errors() and Meeting.objects.get(key=meeting.key).title_en == "Revised"

"""The admin for daily work: a year filter on the one period rule, a meeting saved as a new
one with its participants, and the CSV export as Excel in Japan reads it."""
import pytest
from django.urls import reverse
from django.utils import translation

from meetings.models import Meeting, Participation
from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.pages import form_fields, text
from tests.partners.factories import TenureFactory

pytestmark = [pytest.mark.django_db]


def test_the_year_filter_counts_a_period_in_every_year_it_overlaps(editor_client):
    MeetingFactory(key="turn-of-the-year", date="2023-12/2024-01", title_en="Across the new year")
    MeetingFactory(key="spring-2024", date="2024-04", title_en="In spring")
    MeetingFactory(key="in-2022", date="2022-06", title_en="Two years before")
    url = reverse("admin:meetings_meeting_changelist")
    with translation.override("en"):
        in_2024 = text(editor_client.get(url, {"year": "2024"}))
        in_2023 = text(editor_client.get(url, {"year": "2023"}))
        offered = text(editor_client.get(url))
    assert "turn-of-the-year" in in_2024 and "spring-2024" in in_2024 and "in-2022" not in in_2024
    assert "turn-of-the-year" in in_2023 and "spring-2024" not in in_2023
    assert all(str(year) in offered for year in (2022, 2023, 2024))
    assert editor_client.get(url, {"year": "twenty"}).status_code == 200  # a bad value shows nothing


def test_a_meeting_saved_as_new_copies_its_participants_and_leaves_the_original(editor_client):
    tenure = TenureFactory(date="2023-09-13/2024-10-01")
    meeting = MeetingFactory(key="2024-05-au-dmm", date="2024-05")
    ParticipationFactory(meeting=meeting, official=tenure.official)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(editor_client.get(url))
    form.update(key=["2024-09-au-dmm"], date=["2024-09"], _saveasnew=["Save as new"])
    response = editor_client.post(url, form)
    assert response.status_code == 302, text(response)[:3000]
    copy = Meeting.objects.get(key="2024-09-au-dmm")
    assert list(copy.participants.all()) == [tenure.official]
    assert Participation.objects.get(meeting=copy).position == tenure.position  # titled as written
    assert Meeting.objects.get(pk=meeting.pk).date == "2024-05"


def test_saving_as_new_under_a_key_in_use_is_a_form_error(editor_client):
    meeting = MeetingFactory(key="2024-05-au-dmm")
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = form_fields(editor_client.get(url))
    form.update(_saveasnew=["Save as new"])
    response = editor_client.post(url, form)
    assert response.status_code == 200
    assert Meeting.objects.count() == 1
    assert "errornote" in response.content.decode()

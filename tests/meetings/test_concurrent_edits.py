import pytest
from django.test import Client
from django.urls import reverse

from meetings.models import Meeting
from tests.meetings.factories import MeetingFactory
from tests.meetings.test_admin import meeting_form
from tests.partners.factories import CountryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.admin_urls")]


def form_of(meeting, **changes):
    data = meeting_form(key=meeting.key, date=meeting.date, title_ja=meeting.title_ja,
                        countries=[c.pk for c in meeting.countries.all()],
                        seen_version=str(meeting.version))
    data.update(changes)
    return data


def test_the_second_editor_to_save_is_refused_and_nothing_is_overwritten(editor):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(editor)
    assert f'name="seen_version" value="{meeting.version}"' in first.get(url).content.decode()
    second.get(url)  # both have the record open at the same version

    assert first.post(url, form_of(meeting, title_ja="一人目の修正")).status_code == 302
    response = second.post(url, form_of(meeting, title_ja="二人目の修正"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this record" in page or "他の" in page
    assert Meeting.objects.get(pk=meeting.pk).title_ja == "一人目の修正"


def test_an_editor_saving_twice_in_turn_is_not_refused(editor_client):
    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    assert editor_client.post(url, form_of(meeting, title_ja="一回目")).status_code == 302
    meeting.refresh_from_db()
    assert editor_client.post(url, form_of(meeting, title_ja="二回目")).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).title_ja == "二回目"


@pytest.mark.parametrize("name", ["admin:meetings_agreement_change", "admin:meetings_exercise_change",
                                  "admin:partners_official_change"])
def test_other_editorial_forms_carry_the_version(editor_client, name):
    from tests.meetings.factories import AgreementFactory, ExerciseFactory
    from tests.partners.factories import OfficialFactory

    factory = {"agreement": AgreementFactory, "exercise": ExerciseFactory, "official": OfficialFactory}
    record = factory[name.split("_")[1]]()
    page = editor_client.get(reverse(name, args=[record.pk])).content.decode()
    assert f'name="seen_version" value="{record.version}"' in page

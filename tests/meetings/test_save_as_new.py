"""A meeting's "save as new": the next meeting starts from a copy of the page, with its
participants, but not with the agreement milestones reached at the original."""
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from meetings.models import AgreementEvent, Meeting
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, MeetingFactory, ParticipationFactory
from tests.pages import form_fields
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def original():
    """A meeting with a participant and a milestone reached at it."""
    meeting = MeetingFactory(key="2024-05-au-defmin", date="2024-05", countries=[CountryFactory(code="AU")])
    official = TenureFactory(date="2023-09-13/2024-10-01").official
    ParticipationFactory(meeting=meeting, official=official, role="principal")
    agreement = AgreementFactory(key="au-raa", title_ja="日豪円滑化協定", title_en="Japan–Australia RAA")
    AgreementEventFactory(agreement=agreement, meeting=meeting, kind="signed", date="2024-05")
    return meeting


def copy_form(client, meeting, **changes):
    """The meeting's change page as the editor posts it with "save as new"."""
    form = form_fields(client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])))
    form.update({"_saveasnew": ["1"], **changes})
    return form


def said(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def row_errors(response):
    """The errors shown above each inline row, by the row's id (agreement_events-0)."""
    page = html.unescape(response.content.decode())
    return {row: re.sub(r"<[^>]+>", " ", errors).split()
            for errors, row in re.findall(r'<tr class="row-form-errors">(.*?)</tr>\s*<tr class="form-row[^"]*"\s+id="([^"]+)"',
                                          page, re.S)}


def test_save_as_new_copies_the_participants_and_leaves_the_milestones_at_the_original(editor_client, original):
    url = reverse("admin:meetings_meeting_change", args=[original.pk])
    response = editor_client.post(url, copy_form(editor_client, original, key=["2025-06-au-defmin"],
                                                 date=["2024-09"]))

    assert response.status_code == 302, [(k, v) for k, v in response.context["adminform"].form.errors.items()] + [f.errors for fs in response.context["inline_admin_formsets"] for f in fs.formset.forms] + [response.context["errors"]]
    copy = Meeting.objects.get(key="2025-06-au-defmin")
    assert [(p.official, p.role) for p in copy.participations.all()] == [
        (p.official, p.role) for p in original.participations.all()]
    assert not copy.agreement_events.exists()
    [milestone] = AgreementEvent.objects.all()
    assert (milestone.meeting, milestone.kind, milestone.date) == (original, "signed", "2024-05")


def test_save_as_new_names_the_milestones_it_did_not_copy(editor_client, original):
    url = reverse("admin:meetings_meeting_change", args=[original.pk])
    response = editor_client.post(url, copy_form(editor_client, original, key=["2025-06-au-defmin"]))

    milestone = AgreementEvent.objects.get()
    with translation.override("ja"):
        expected = gettext("The new meeting does not take the original's %(rows)s, which belong to that "
                           "meeting alone: %(names)s.") % {"rows": AgreementEvent._meta.verbose_name_plural,
                                                           "names": f"「{milestone}」"}
    assert expected in said(response)
    assert "日豪円滑化協定" in expected


def test_a_milestone_added_on_the_copys_page_is_saved_with_the_copy(editor_client, original):
    agreement = AgreementEvent.objects.get().agreement
    form = copy_form(editor_client, original, key=["2025-06-au-defmin"])
    form.update({"agreement_events-TOTAL_FORMS": ["2"], "agreement_events-1-agreement": [str(agreement.pk)],
                 "agreement_events-1-kind": ["entered_into_force"], "agreement_events-1-date": ["2025-08"]})

    response = editor_client.post(reverse("admin:meetings_meeting_change", args=[original.pk]), form)

    assert response.status_code == 302, [(k, v) for k, v in response.context["adminform"].form.errors.items()] + [f.errors for fs in response.context["inline_admin_formsets"] for f in fs.formset.forms] + [response.context["errors"]]
    copy = Meeting.objects.get(key="2025-06-au-defmin")
    assert [(e.kind, e.date) for e in copy.agreement_events.all()] == [("entered_into_force", "2025-08")]
    assert [(e.kind, e.date) for e in original.agreement_events.all()] == [("signed", "2024-05")]


def test_a_copy_refused_for_its_key_comes_back_without_the_milestones_and_then_saves(editor_client, original):
    """The editor forgot to change the key: the page comes back (offering "save as new" only)
    with the key's error alone, and saved as new again with a new key, it makes the copy."""
    url = reverse("admin:meetings_meeting_change", args=[original.pk])
    refused = editor_client.post(url, copy_form(editor_client, original))
    assert refused.status_code == 200 and not row_errors(refused)
    assert list(refused.context["adminform"].form.errors) == ["key"]
    form = form_fields(refused)
    assert form["agreement_events-TOTAL_FORMS"] == ["0"]
    assert form["participations-0-official"] == [str(original.participations.get().official_id)]

    form.update(key=["2025-06-au-defmin"], _saveasnew=["1"])
    response = editor_client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    copy = Meeting.objects.get(key="2025-06-au-defmin")
    assert copy.participations.count() == 1 and not copy.agreement_events.exists()


def test_a_milestone_already_on_record_is_named_at_its_row(editor_client, original):
    existing = AgreementEvent.objects.get()
    other = MeetingFactory(countries=[CountryFactory(code="AU")])
    url = reverse("admin:meetings_meeting_change", args=[other.pk])
    form = form_fields(editor_client.get(url))
    form.update({"agreement_events-TOTAL_FORMS": ["1"], "agreement_events-0-agreement": [str(existing.agreement_id)],
                 "agreement_events-0-kind": ["signed"], "agreement_events-0-date": ["2024-05"]})

    response = editor_client.post(url, form)

    assert response.status_code == 200 and not other.agreement_events.exists()
    with translation.override("ja"):
        expected = gettext("The %(kind)s “%(other)s” is already on record with the same %(fields)s.") % {
            "kind": AgreementEvent._meta.verbose_name, "other": existing,
            "fields": "協定、段階、日付"}  # a Japanese list, joined by 、
    assert row_errors(response) == {"agreement_events-0": expected.split()}
    assert expected.startswith("協定、段階、日付が同じ協定の経過「日豪円滑化協定")

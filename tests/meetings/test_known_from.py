"""Rows written before participations said how they are known get a value by the migration's
rule: named in the meeting's quoted sentence, or no more than public record."""
import importlib

import pytest
from django.apps import apps

from meetings.models import Meeting, Participation
from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.partners.factories import OfficialFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("meetings.migrations.0008_participation_known_from")


def test_the_migration_marks_officials_named_in_the_excerpt_and_claims_no_more_for_the_rest():
    meeting = MeetingFactory(source_excerpt="2024年5月、木原防衛大臣(当時)は、マールズ副首相兼国防大臣と会談を行った。")
    named = [ParticipationFactory(meeting=meeting, official=OfficialFactory(name_ja=name), known_from="")
             for name in ("木原稔", "リチャード・マールズ")]
    unnamed = ParticipationFactory(meeting=meeting, official=OfficialFactory(name_ja="オースティン"),
                                   known_from="")
    migration.fill(apps, None)
    assert [Participation.objects.get(pk=p.pk).known_from for p in named] == ["excerpt", "excerpt"]
    assert Participation.objects.get(pk=unnamed.pk).known_from == "public_record"


def test_a_participant_not_stated_stays_so_when_the_meeting_is_saved_and_a_new_one_must_say(editor_client):
    """A meetings import writes its participants without saying how they are known; the
    meeting's page saves without making the editor choose for them (inventing the fact)."""
    from django.urls import reverse

    from tests.meetings.test_concurrent_edits import form_of
    from tests.partners.factories import CountryFactory, TenureFactory

    meeting = MeetingFactory(countries=[CountryFactory(code="AU")])
    imported = ParticipationFactory(meeting=meeting, official=TenureFactory().official, known_from="")
    meeting.refresh_from_db()
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    page = editor_client.get(url).content.decode()
    assert 'name="participations-0-known_from"' in page
    row = {"participations-TOTAL_FORMS": "1", "participations-INITIAL_FORMS": "1",
           "participations-0-id": imported.pk, "participations-0-meeting": meeting.pk,
           "participations-0-official": imported.official_id, "participations-0-role": "principal",
           "participations-0-known_from": ""}
    response = editor_client.post(url, form_of(meeting, title_ja="題名の修正", **row))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Meeting.objects.get(pk=meeting.pk).title_ja == "題名の修正"
    assert Participation.objects.get(pk=imported.pk).known_from == ""

    meeting.refresh_from_db()
    added = dict(row, **{"participations-TOTAL_FORMS": "2", "participations-1-official": OfficialFactory().pk,
                         "participations-1-role": "principal", "participations-1-known_from": ""})
    refused = editor_client.post(url, form_of(meeting, **added))
    assert refused.status_code == 200 and Participation.objects.filter(meeting=meeting).count() == 1

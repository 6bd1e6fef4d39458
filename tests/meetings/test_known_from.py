"""Rows written before participations said how they are known get a value by the migration's
rule: named in the meeting's quoted sentence, or no more than public record."""
import importlib

import pytest
from django.apps import apps

from meetings.models import Participation
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

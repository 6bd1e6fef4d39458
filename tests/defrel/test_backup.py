import pytest
from django.core.management import call_command
from django.db import connection

from meetings.models import Meeting
from meetings.resources import AgreementEventResource, AgreementResource, ExerciseResource, MeetingResource
from partners.resources import CountryResource, OfficialResource, TenureResource
from tests.meetings.factories import AgreementEventFactory, ExerciseFactory, MeetingFactory, ParticipationFactory
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = pytest.mark.django_db(transaction=True)
RESOURCES = [CountryResource, OfficialResource, TenureResource, MeetingResource, AgreementResource,
             AgreementEventResource, ExerciseResource]


def everything():
    return {r.__name__: sorted(map(str, r().export().dict)) for r in RESOURCES}


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the PostgreSQL backup is pg_dump's")
def test_a_backup_restores_into_an_empty_database_with_everything(tmp_path):
    au = CountryFactory(code="AU")
    tenure = TenureFactory(official__country=au, date="/2025-01")
    meeting = MeetingFactory(countries=[au], date="2024-04/..")
    ParticipationFactory(meeting=meeting, official=tenure.official)
    AgreementEventFactory(meeting=meeting, agreement__parties=[au])
    meeting.exercises.add(ExerciseFactory(countries=[au]))
    before = everything()
    path = tmp_path / "backup.json"
    call_command("backup", output=str(path))

    call_command("flush", interactive=False, verbosity=0)
    assert not Meeting.objects.exists()
    call_command("restore", str(path))
    assert everything() == before
    restored = Meeting.objects.get(key=meeting.key)
    assert restored.history.exists()

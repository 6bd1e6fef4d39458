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


SNAPSHOT = """
import json, django
django.setup()
from tests.defrel.test_backup import everything
print(json.dumps(everything()))
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump round trip: PostgreSQL only")
def test_a_pg_dump_backup_restores_into_a_new_database_with_everything(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    au = CountryFactory(code="AU")
    meeting = MeetingFactory(countries=[au], date="2024-04/..")
    ParticipationFactory(meeting=meeting, official=TenureFactory(official__country=au).official)
    AgreementEventFactory(meeting=meeting, agreement__parties=[au])
    before = everything()
    path = tmp_path / "backup.dump"
    call_command("backup", output=str(path))

    db = settings.DATABASES["default"]
    target = f"{db['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{target}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "defrel.settings"}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        restore = subprocess.run([sys.executable, "manage.py", "restore", str(path)],
                                 env=env, capture_output=True, text=True)
        assert restore.returncode == 0, restore.stderr
        again = subprocess.run([sys.executable, "manage.py", "restore", str(path)],
                               env=env, capture_output=True, text=True)
        assert again.returncode != 0 and "not empty" in again.stderr
        snapshot = subprocess.run([sys.executable, "-c", SNAPSHOT], env=env, capture_output=True, text=True)
        assert snapshot.returncode == 0, snapshot.stderr
        assert json.loads(snapshot.stdout) == before
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')

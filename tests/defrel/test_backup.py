"""Backups are copies: every table comes back row for row, history included, whatever editors
did and while they go on writing; a failed backup leaves nothing that looks like one."""
import os
import random
import resource
import sqlite3
import subprocess
import time
from contextlib import closing

import pytest
import tablib
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction

from defrel import stamp
from meetings.models import Agreement, AgreementEvent, Meeting, Participation
from meetings.resources import AgreementEventResource, AgreementResource, MeetingResource, ParticipationResource
from partners.models import Official, Tenure
from partners.resources import OfficialResource, TenureResource
from tests.defrel.sites import drop_database, empty_database_url, manage, run, site_url, start, tables, tables_of
from tests.meetings.factories import AgreementEventFactory, MeetingFactory, ParticipationFactory
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def new_database(tmp_path):
    url = empty_database_url(tmp_path, "restored")
    yield url
    drop_database(url)


def some_relations(n=3):
    au, jp = CountryFactory(code="AU"), CountryFactory(code="JP", region="northeast_asia")
    for i in range(n):
        japanese = TenureFactory(official__country=jp, date=f"20{10 + i}/..").official
        partner = TenureFactory(official__country=au, date=f"20{10 + i}-04/20{20 + i}").official
        meeting = MeetingFactory(countries=[au], date=f"2024-0{i + 1}", key=f"m{i}")
        ParticipationFactory(meeting=meeting, official=japanese)
        ParticipationFactory(meeting=meeting, official=partner, role="accompanying")
        AgreementEventFactory(meeting=meeting, agreement__parties=[au], agreement__key=f"a{i}", date=f"2024-0{i + 1}-1{i}")
    return au


def back_up_and_restore(tmp_path, target):
    """``backup`` on the site as it is now, ``restore`` into ``target``; the backup's path."""
    path = tmp_path / "backups" / "defrel.backup"
    path.parent.mkdir()
    backup = manage(site_url(tmp_path), "backup", "--output", str(path))
    assert backup.returncode == 0, backup.stderr
    restore = manage(target, "restore", str(path))
    assert restore.returncode == 0, restore.stderr
    return path


# The edits, deletes, imports and reverts of editors, on the records they keep.

def edit(rng, user):
    model, field = rng.choice([(Meeting, "title_en"), (Agreement, "title_en"), (AgreementEvent, "note_en"),
                               (Official, "name_en"), (Participation, "role"), (Tenure, "date")])
    record = rng.choice(list(model.objects.all()))
    value = {"role": rng.choice(["principal", "accompanying"]), "date": f"{rng.randint(1990, 2024)}/.."}
    setattr(record, field, value.get(field, f"{field} {rng.random()}"))
    record._history_user = user  # as the admin's request would
    record.save()


def delete(rng, user):
    model = rng.choice([Meeting, Participation, AgreementEvent, Agreement, Tenure, Official])
    records = model.objects.filter(participations=None) if model is Official else model.objects.all()
    if records.count() > 2:
        record = rng.choice(list(records))
        record._history_user = user
        record.delete()


def create(rng, user):
    au = CountryFactory(code="AU")
    official = TenureFactory(official__country=au, date=f"{rng.randint(1990, 2020)}/..").official
    meeting = MeetingFactory(countries=[au], date=f"{rng.randint(1990, 2024)}")
    ParticipationFactory(meeting=meeting, official=official)
    AgreementEventFactory(meeting=meeting, agreement__parties=[au])


IMPORTS = [(MeetingResource, Meeting, "title_en"), (AgreementResource, Agreement, "title_en"),
           (AgreementEventResource, AgreementEvent, "note_en"), (OfficialResource, Official, "name_en"),
           (ParticipationResource, Participation, "role"), (TenureResource, Tenure, "date")]


def import_file(rng, user):
    """An editor's file: a few exported rows, one column changed, imported for real."""
    resource_class, model, column = rng.choice(IMPORTS)
    pks = rng.sample(list(model.objects.values_list("pk", flat=True)), 2)
    exported = resource_class().export(model.objects.filter(pk__in=pks).order_by("pk"))
    data = tablib.Dataset(headers=exported.headers)
    for row in exported.dict:
        # A tenure's date is part of its key: a new tenure of the same office, dated before
        # any other (1990 on), as a second one over the same days would be refused.
        row[column] = {"role": rng.choice(["principal", "accompanying"]),
                       "date": f"{rng.randint(1950, 1989)}-0{rng.randint(1, 9)}"}.get(column, f"imported {rng.random()}")
        if column == "date":
            row["date_lower"] = row["date_upper"] = ""
        data.append([row[h] for h in exported.headers])
    result = resource_class().import_data(data, dry_run=False, user=user)
    assert not result.has_errors() and not result.has_validation_errors(), resource_class


def revert(rng, user):
    """The admin's revert: an older version of a record that still exists, saved again."""
    model = rng.choice([Meeting, Participation, Agreement, AgreementEvent, Official, Tenure])
    versions = list(model.history.filter(id__in=model.objects.values("pk")))
    if versions:
        historical = rng.choice(versions)
        instance = historical.instance
        instance._history_user = user
        instance.save()


def test_a_restored_backup_has_every_table_row_for_row_after_200_edits(tmp_path, new_database):
    rng = random.Random(2026)  # fixed: a failure is reproducible
    some_relations()
    users = [None, User.objects.create_user("editor-a"), User.objects.create_user("editor-b")]
    done = {}
    for _ in range(220):
        operation = rng.choice([edit, edit, delete, create, import_file, revert, revert])
        try:
            with transaction.atomic():
                operation(rng, rng.choice(users))
            done[operation.__name__] = done.get(operation.__name__, 0) + 1
        except IntegrityError:  # a revert naming a record deleted since, refused as in the admin
            pass
    assert sum(done.values()) >= 200 and len(done) == 5, done
    before = tables()

    back_up_and_restore(tmp_path, new_database)

    after = tables_of(new_database)
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert len(before["meetings_historicalmeeting"][1]) > 50


WRITER = """
import django, os, sys
django.setup()
from django.db import transaction
from meetings.models import Meeting
ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
batch = 0
while not os.path.exists(sys.argv[1]):
    batch += 1
    with transaction.atomic():  # three meetings, three history rows: all or none
        for meeting in Meeting.objects.filter(pk__in=ids[batch % 2:][:3]):
            meeting.summary_en = f"batch {batch}"
            meeting.save()
    if batch == 1:
        print("writing", flush=True)
print(batch, flush=True)
"""

CONSISTENT = """
import django
django.setup()
from collections import Counter
from django.apps import apps
from defrel.models import Versioned
from meetings.models import Meeting
batches = Counter(Meeting.history.filter(summary_en__startswith="batch").values_list("summary_en", flat=True))
assert set(batches.values()) == {3}, batches
for model in [m for m in apps.get_models() if issubclass(m, Versioned)]:
    for record in model.objects.all():  # its latest history row is the record as it is …
        latest = record.history.latest("history_id")
        tracked = {f.attname for f in model.history.model.tracked_fields}
        for field in model._meta.concrete_fields:
            if field.attname not in tracked:  # derived, kept out of the history (a venue)
                continue
            if field.name == "version":  # … but for the version, which its inline rows also
                assert latest.version <= record.version, record  # raise (without a history row)
                continue
            assert getattr(latest, field.attname) == getattr(record, field.attname), (record, field.name)
print(len(batches))
"""


def test_a_backup_taken_while_editors_write_restores_whole_transactions(tmp_path, new_database):
    some_relations(n=4)
    site = site_url(tmp_path)
    stop = tmp_path / "stop"
    writer = start(site, "-c", WRITER, str(stop), stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "writing\n"
        path = tmp_path / "during.backup"
        backup = manage(site, "backup", "--output", str(path))
        assert backup.returncode == 0, backup.stderr
        time.sleep(0.5)
    finally:
        stop.touch()
        written = int(writer.stdout.read())
        writer.wait()
    restore = manage(new_database, "restore", str(path))
    assert restore.returncode == 0, restore.stderr

    check = run(new_database, "-c", CONSISTENT, text=True)
    assert check.returncode == 0, check.stderr
    assert 0 < int(check.stdout) < written  # the copy caught the writer in the middle


def test_a_failed_backup_leaves_no_file_and_says_why_and_a_good_one_is_private(tmp_path):
    some_relations()
    site, folder = site_url(tmp_path), tmp_path / "backups"
    folder.mkdir()
    good = manage(site, "backup", "--output", str(folder / "good.backup"))
    assert good.returncode == 0, good.stderr
    assert (folder / "good.backup").stat().st_mode & 0o777 == 0o600
    half = (folder / "good.backup").stat().st_size // 2

    def disk_fills_up():  # as a full disk would: no file may grow past half a backup
        resource.setrlimit(resource.RLIMIT_FSIZE, (half, half))

    failed = manage(site, "backup", "--output", str(folder / "bad.backup"), preexec_fn=disk_fills_up)
    assert failed.returncode != 0
    assert str(folder / "bad.backup") in failed.stderr
    assert ("pg_dump" if connection.vendor == "postgresql" else "disk") in failed.stderr
    assert sorted(os.listdir(folder)) == ["good.backup"]


def test_the_default_backup_folder_is_private(tmp_path, settings):
    from defrel import backups

    settings.BASE_DIR = tmp_path
    (tmp_path / "backups").mkdir(mode=0o755)  # as an older version made it
    path = backups.back_up(connection, backups.default_path(connection))
    assert path.parent == tmp_path / "backups"
    assert (path.parent.stat().st_mode & 0o777, path.stat().st_mode & 0o777) == (0o700, 0o600)


def test_restore_refuses_a_database_with_tables_unless_told_and_records_no_history(tmp_path, new_database):
    some_relations()
    before = tables()
    path = back_up_and_restore(tmp_path, new_database)
    assert tables_of(new_database) == before  # no history row of its own, among the rest

    edited = run(new_database, "-c", "import django; django.setup(); from defrel.stamp import token; "
                                     "from meetings.models import Meeting; print(token()); "
                                     "Meeting.objects.get(key='m0').delete()", text=True)
    assert edited.returncode == 0, edited.stderr
    assert edited.stdout.strip() not in ("", stamp.token())  # cached counts are renewed
    refused = manage(new_database, "restore", str(path))
    assert refused.returncode != 0 and "--replace" in refused.stderr
    assert "m0" not in str(tables_of(new_database)["meetings_meeting"])

    replaced = manage(new_database, "restore", "--replace", str(path))
    assert replaced.returncode == 0, replaced.stderr
    assert tables_of(new_database) == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, new_database):
    export = tmp_path / "defrel.json"
    export.write_text('[{"model": "meetings.meeting", "fields": {}}]')
    refused = manage(new_database, "restore", str(export))
    assert refused.returncode != 0 and str(export) in refused.stderr
    assert tables_of(new_database) == {}


def test_a_backup_after_a_meeting_was_deleted_has_its_history(tmp_path, new_database):
    some_relations()
    Meeting.objects.get(key="m1").delete()  # its history rows still name it
    history = tables()["meetings_historicalmeeting"]

    back_up_and_restore(tmp_path, new_database)

    assert tables_of(new_database)["meetings_historicalmeeting"] == history
    assert [row for row in history[1] if "m1" in row and "-" in row]  # the deletion itself


def test_a_sqlite_backup_is_one_checked_file(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's own backup")
    some_relations()
    path = tmp_path / "backups" / "one.backup"
    path.parent.mkdir()
    assert manage(site_url(tmp_path), "backup", "--output", str(path)).returncode == 0
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert os.listdir(path.parent) == ["one.backup"]  # no journal beside it


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_restored_postgresql_database_is_planned_with_statistics_of_its_rows(tmp_path, new_database):
    some_relations()
    back_up_and_restore(tmp_path, new_database)

    # Column statistics are written by ANALYZE alone (creating an index counts the rows, no more).
    analysed = run(new_database, "-c", "import django; django.setup(); from django.db import connection\n"
                                       "with connection.cursor() as cursor:\n"
                                       "    cursor.execute(\"SELECT DISTINCT tablename FROM pg_stats WHERE tablename IN "
                                       "('meetings_meeting', 'meetings_participation', 'defrel_searchdocument')\")\n"
                                       "    print(sorted(name for name, in cursor.fetchall()))", text=True)
    assert analysed.returncode == 0, analysed.stderr
    assert analysed.stdout.strip() == "['defrel_searchdocument', 'meetings_meeting', 'meetings_participation']"

"""The databases from the environment, the planner settings on the database, and exports that
need no server-side cursor (behind pgbouncer in transaction pooling mode)."""
import csv
import importlib
import io
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from defrel.databases import SQLITE_MAPPED, databases, server_address
from defrel.exports import csv_chunks
from defrel.queries import in_chunks
from meetings.resources import ExerciseResource
from tests.meetings.factories import ExerciseFactory

BASE = Path("/srv/defrel")
PRIMARY, REPLICA = "postgres://defrel@db1:5432/defrel", "postgres://defrel@db2:5432/defrel"
ON_THE_DATABASE = ["TimeZone=UTC", "jit=off", "random_page_cost=1.1"]  # as PostgreSQL stores them
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL matter")


def test_direct_connections_use_psycopgs_pool_and_keep_no_connection_themselves():
    default = databases({"DATABASE_URL": PRIMARY}, BASE)["default"]
    assert default["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 10}
    assert default["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    assert not default.get("DISABLE_SERVER_SIDE_CURSORS")


def test_behind_pgbouncer_no_pool_no_server_side_cursor_no_connection_options():
    found = databases({"DATABASE_URL": PRIMARY, "DATABASE_POOLER": "pgbouncer",
                       "DATABASE_REPLICA_URLS": REPLICA, "CONN_MAX_AGE": "30"}, BASE)
    for alias in ("default", "replica1"):
        assert found[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert found[alias]["OPTIONS"] == {"connect_timeout": 3}  # no pool, no "options"
        assert found[alias]["CONN_MAX_AGE"] == 30


def test_replicas_become_aliases_that_serve_the_primarys_test_database():
    found = databases({"DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URLS": f"{REPLICA}, postgres://r@db3/defrel"}, BASE)
    assert list(found) == ["default", "replica1", "replica2"]
    assert (found["replica1"]["HOST"], found["replica2"]["HOST"], found["replica2"]["USER"]) == ("db2", "db3", "r")
    assert found["replica1"]["TEST"] == {"MIRROR": "default"}
    # A replica that is down must be refused at once, not waited for by a pool.
    assert "pool" not in found["replica1"]["OPTIONS"] and found["replica1"]["CONN_HEALTH_CHECKS"]


def test_an_sqlite_file_is_written_ahead_and_read_through_a_memory_map(tmp_path, django_db_blocker):
    from django.db.utils import ConnectionHandler

    settings = databases({"DATABASE_URL": f"sqlite:///{tmp_path}/defrel.sqlite3"}, BASE)["default"]
    wrapper = ConnectionHandler({"default": settings})["default"]
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                found = [cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "mmap_size")]
        finally:
            wrapper.close()
    assert found == ["wal", SQLITE_MAPPED]


@pytest.mark.parametrize("environment", [
    {"DATABASE_URL": "sqlite:///db.sqlite3", "DATABASE_REPLICA_URLS": REPLICA},
    {"DATABASE_URL": PRIMARY, "DATABASE_POOLER": "pgpool"},
])
def test_settings_that_cannot_work_are_refused(environment):
    with pytest.raises(ImproperlyConfigured):
        databases(environment, BASE)


@on_postgresql
@pytest.mark.django_db
def test_every_new_connection_gets_the_planner_settings_from_the_database():
    """Set by migration defrel 0008 on the (test) database, not per connection: a new session
    on the server shows them without having asked. (Straight to the server the connection
    reaches: through pgbouncer, its server connections opened before the migration keep
    what they had until they are renewed.)"""
    params = connection.get_connection_params()
    host, port = server_address(connection)
    with psycopg.connect(dbname=params["dbname"], user=params.get("user"), host=host, port=port,
                         password=params.get("password")) as fresh:
        shown = [fresh.execute(f"SHOW {name}").fetchone()[0] for name in ("jit", "random_page_cost", "timezone")]
    assert shown == ["off", "1.1", "UTC"]


@on_postgresql
@pytest.mark.django_db
def test_without_server_side_cursors_an_export_reads_its_rows_a_chunk_at_a_time(monkeypatch):
    for n in range(5):
        ExerciseFactory(key=f"exercise-{n}", name_en=f"Exercise {n}")
    queryset = ExerciseResource().get_queryset().order_by("-key")
    streamed = b"".join(csv_chunks(ExerciseResource(), queryset))
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)

    with CaptureQueriesContext(connection) as queries:
        keys = [exercise.key for exercise in in_chunks(queryset, chunk_size=2)]
    assert keys == [f"exercise-{n}" for n in (4, 3, 2, 1, 0)]
    exercise_reads = [q["sql"] for q in queries.captured_queries if 'FROM "meetings_exercise"' in q["sql"]]
    assert len(exercise_reads) == 1 + 3  # the ids, then three chunks of 2, 2 and 1
    assert "Freedom Edge" not in exercise_reads[0] and "LIMIT" not in " ".join(exercise_reads)

    chunked = b"".join(csv_chunks(ExerciseResource(), queryset))
    assert chunked == streamed
    rows = list(csv.DictReader(io.StringIO(chunked.decode("utf-8-sig"))))
    assert [(row["key"], row["name_en"]) for row in rows][:2] == [("exercise-4", "Exercise 4"), ("exercise-3", "Exercise 3")]


def database_settings():
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(setconfig) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
                       " WHERE d.datname = current_database() AND s.setrole = 0 ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


@on_postgresql
@pytest.mark.django_db
def test_a_migration_run_by_a_role_that_does_not_own_the_database_changes_nothing_and_says_how():
    planner = importlib.import_module("defrel.migrations.0008_planner_settings")
    assert database_settings() == ON_THE_DATABASE
    notices = []
    connection.ensure_connection()
    connection.connection.add_notice_handler(lambda notice: notices.append(notice.message_primary))
    with connection.cursor() as cursor:  # inside the test's transaction: all of it is undone
        cursor.execute("CREATE ROLE defrel_not_owner; SET LOCAL ROLE defrel_not_owner")
    with connection.schema_editor(atomic=False) as editor:
        planner.planner_settings(reset=True)(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert database_settings() == ON_THE_DATABASE
    [notice] = notices
    assert "not the owner" in notice and "ALTER DATABASE" in notice and "SET jit = 'off'" in notice


@on_postgresql
@pytest.mark.django_db
def test_unapplying_the_migration_removes_the_settings_and_applying_it_restores_them():
    planner = importlib.import_module("defrel.migrations.0008_planner_settings")
    with connection.schema_editor(atomic=False) as editor:  # in the test's transaction: undone after
        planner.planner_settings(reset=True)(None, editor)
        assert database_settings() == []
        planner.planner_settings()(None, editor)
    assert database_settings() == ON_THE_DATABASE

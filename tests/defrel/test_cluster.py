"""`make cluster`: a primary, a streaming replica and pgbouncer in transaction pooling mode."""
import tempfile

import psycopg
import pytest

from defrel import cluster
from tests.defrel.replay import wait_for_replay

pytestmark = pytest.mark.skipif(bool(cluster.missing()), reason=f"needs {', '.join(cluster.missing())}")


@pytest.fixture(scope="module")
def running():
    started = cluster.Cluster(tempfile.mkdtemp(prefix="defrel-test-cluster-")).start(for_tests=True)
    yield started
    started.stop()


def test_a_write_through_pgbouncer_reaches_the_replica(running):
    url = running.environment()
    with psycopg.connect(url["DATABASE_URL"], autocommit=True) as through_pgbouncer:
        assert through_pgbouncer.execute("SELECT inet_server_port()").fetchone()[0] == int(running.ports["primary"])
        through_pgbouncer.execute("CREATE TABLE visit (note text)")
        through_pgbouncer.execute("INSERT INTO visit VALUES ('日豪防衛相会談')")
        with psycopg.connect(url["DATABASE_REPLICA_URLS"], autocommit=True) as replica:
            assert replica.execute("SELECT pg_is_in_recovery()").fetchone()[0]
            # Both writes replayed, not the table alone: the replica can show the table a
            # moment before it has replayed the row.
            wait_for_replay(lambda sql: through_pgbouncer.execute(sql).fetchone()[0],
                            lambda sql: replica.execute(sql).fetchone()[0])
            assert replica.execute("SELECT note FROM visit").fetchall() == [("日豪防衛相会談",)]


def test_the_replica_streams_through_its_slot(running):
    with psycopg.connect(running.url("primary")) as primary:
        assert primary.execute("SELECT slot_name, active FROM pg_replication_slots").fetchall() == [(cluster.SLOT, True)]


def test_pgbouncer_pools_transactions_so_session_settings_do_not_follow(running):
    """Transaction pooling: what one transaction SETs for its session is not for the client's
    next one to rely on. This is why defrel sends no per-connection options behind it."""
    with psycopg.connect(running.environment()["DATABASE_URL"], autocommit=True) as client:
        pids = {client.execute("SELECT pg_backend_pid()").fetchone()[0]}
        with psycopg.connect(running.environment()["DATABASE_URL"], autocommit=True) as other:
            with other.transaction():  # holds a server connection
                other.execute("SELECT 1")
                pids.add(client.execute("SELECT pg_backend_pid()").fetchone()[0])
    assert len(pids) == 2  # one client, two server connections


def test_stop_removes_everything(running):  # last: it stops the module's cluster
    running.stop()
    assert not running.dir.exists()
    assert not any(running.answers(name) for name in ("primary", "replica", "pgbouncer"))

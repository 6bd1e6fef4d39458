"""Waiting for a streaming replica to catch up, in the tests that read from one."""
import time


def wait_for_replay(on_primary, on_replica, seconds=10):
    """Until the replica has replayed everything the primary had written when this was called.
    ``on_primary`` and ``on_replica`` each run one SQL statement and return its one value."""
    written = on_primary("SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + seconds
    while not on_replica(f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn"):
        assert time.monotonic() < deadline, f"the replica did not catch up in {seconds} s"
        time.sleep(0.02)

"""A throw-away PostgreSQL primary, a streaming replica and a pgbouncer in transaction pooling
mode in front of the primary, all on 127.0.0.1 (``make cluster``, the tests in CI); with the
app half of the stack (defrel.stack: Redis, two gunicorn app servers, nginx) for ``make cluster``
and the load test.

    python -m defrel.cluster              the whole stack with the curated data: print its
                                          address and settings, stop on Ctrl-C
    python -m defrel.cluster start DIR    the databases in DIR (empty or new), print ``export``
                                          lines (--for-tests: no fsync, no autovacuum; --stack:
                                          the app half too, migrated and with the curated data)
    python -m defrel.cluster stop DIR     stop what ``start DIR`` started and remove DIR

The replica is made as a real one is: a replication slot on the primary (so the primary keeps
every WAL segment the replica has not received), ``pg_basebackup -R`` (a copy that knows how to
follow the primary), then ``pg_ctl start``. Only the standard library and defrel's own
loopback and stack modules (which need nothing else): the app is run as commands
(``manage.py``, gunicorn), never imported.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from defrel.loopback import answers, free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PGBOUNCER = Path(os.environ.get("PGBOUNCER", shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"))
USER, DATABASE, SLOT = "defrel", "defrel", "defrel_replica"
# Tests only: no crash safety, and no autovacuum (it would analyze tables whose rows sit in a
# test's open transaction as empty, and the planner then picks plans that take minutes).
FOR_TESTS = {"fsync": "off", "autovacuum": "off"}


def missing():
    """The programs this needs that the machine lacks."""
    return [str(p) for p in (PG_BIN / "initdb", PG_BIN / "pg_basebackup", PGBOUNCER) if not p.exists()]


class Cluster:
    """Primary, replica and pgbouncer under ``directory``, on ports recorded in its ``ports``."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.primary, self.replica = self.dir / "primary", self.dir / "replica"
        ports = self.dir / "ports"
        if ports.exists():
            self.ports = dict(line.split("=") for line in ports.read_text().split())
        else:
            self.ports = {"primary": str(free_port()), "replica": str(free_port()), "pgbouncer": str(free_port())}

    def url(self, name):
        return f"postgres://{USER}@127.0.0.1:{self.ports[name]}/{DATABASE}"

    def environment(self):
        return {"DATABASE_URL": self.url("pgbouncer"), "DATABASE_POOLER": "pgbouncer",
                "DATABASE_REPLICA_URLS": self.url("replica"), "DEFREL_PRIMARY_URL": self.url("primary")}

    def run(self, *command, check=True, **kwargs):
        """``command`` as the postgres user when this runs as root: initdb, PostgreSQL and
        pgbouncer all refuse to run as root."""
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        return subprocess.run([*as_postgres, *map(str, command)], check=check, **kwargs)

    def pg_ctl_start(self, data, port, settings):
        options = " ".join(f"-c {k}={v}" for k, v in {
            "listen_addresses": "127.0.0.1", "port": port, "unix_socket_directories": self.dir, **settings}.items())
        self.run(PG_BIN / "pg_ctl", "-D", data, "-o", options, "-l", data.with_suffix(".log"), "-w", "start")

    def start(self, for_tests=False):
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        (self.dir / "ports").write_text("".join(f"{k}={v}\n" for k, v in self.ports.items()))
        settings = FOR_TESTS if for_tests else {}
        self.run(PG_BIN / "initdb", "-D", self.primary, "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self.pg_ctl_start(self.primary, self.ports["primary"], settings)
        self.psql("primary", "postgres", f"SELECT pg_create_physical_replication_slot('{SLOT}')")
        self.psql("primary", "postgres", f"CREATE DATABASE {DATABASE}")
        self.run(PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", self.ports["primary"], "-U", USER,
                 "-D", self.replica, "-R", "-S", SLOT, "-X", "stream", "-c", "fast")
        self.start_replica(settings)
        self.start_pgbouncer()
        return self

    def start_replica(self, settings=None):
        # Feedback: the primary's vacuum keeps rows a replica's query still reads, so a long
        # export on the replica is not cancelled.
        self.pg_ctl_start(self.replica, self.ports["replica"], {**(settings or {}), "hot_standby_feedback": "on"})

    def kill_replica(self):
        """The replica stopped as by a crash (``pg_ctl stop -m immediate``: its connections cut,
        no checkpoint); start_replica() brings it back, recovering and streaming again."""
        self.run(PG_BIN / "pg_ctl", "-D", self.replica, "-m", "immediate", "-w", "stop")

    def start_pgbouncer(self):
        (self.dir / "userlist.txt").write_text(f'"{USER}" ""\n')
        (self.dir / "pgbouncer.ini").write_text(f"""[databases]
* = host=127.0.0.1 port={self.ports["primary"]}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.ports["pgbouncer"]}
unix_socket_dir =
auth_type = trust
auth_file = {self.dir / "userlist.txt"}
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
# Idle server connections closed soon: a test database can be dropped and made again.
server_idle_timeout = 10
logfile = {self.dir / "pgbouncer.log"}
pidfile = {self.dir / "pgbouncer.pid"}
""")
        self.run(PGBOUNCER, "-d", self.dir / "pgbouncer.ini")
        deadline = time.monotonic() + 10
        while not self.answers("pgbouncer"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"pgbouncer did not start: see {self.dir / 'pgbouncer.log'}")
            time.sleep(0.1)

    def answers(self, name):
        return answers(self.ports[name])

    def psql(self, name, database, sql):
        result = self.run(PG_BIN / "psql", "-h", "127.0.0.1", "-p", self.ports[name], "-U", USER,
                          "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql, stdout=subprocess.PIPE, text=True)
        return result.stdout.strip()

    def stop(self):
        """Stops what started (the app half, then pgbouncer by the id in its pid file, then
        PostgreSQL) and removes the directory."""
        if (self.dir / "stack").exists():
            from defrel.stack import Stack

            Stack(self.dir / "stack").stop()
        pidfile = self.dir / "pgbouncer.pid"
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text()), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
        for data in (self.replica, self.primary):
            if (data / "postmaster.pid").exists():
                self.run(PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop", check=False,
                         stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_stack(cluster):
    from defrel.stack import Stack, missing as stack_missing

    if stack_missing():
        sys.exit("the app half of the stack needs " + ", ".join(stack_missing()))
    return Stack(cluster.dir / "stack", cluster.environment(), cluster.url("primary")).start(curated=True)


def main(argv):
    if missing():
        sys.exit("defrel.cluster needs " + ", ".join(missing()))
    command = argv[1] if len(argv) > 1 else "run"
    if command == "start":
        cluster = Cluster(argv[2]).start(for_tests="--for-tests" in argv)
        environment = cluster.environment()
        if "--stack" in argv:
            stack = start_stack(cluster)
            environment = stack.environment()
            print(f"# nginx in front of the app servers: {stack.url}/")
        print("".join(f"export {k}={v}\n" for k, v in environment.items()), end="")
    elif command == "stop":
        Cluster(argv[2]).stop()
    elif command == "run":
        cluster = Cluster(tempfile.mkdtemp(prefix="defrel-cluster-"))
        try:
            cluster.start()
            stack = start_stack(cluster)
            print(f"defrel on {stack.url}/ : nginx in front of two gunicorn app servers, Redis, PostgreSQL")
            print("primary + streaming replica through pgbouncer (transaction pooling), all on 127.0.0.1.")
            print(f"The app servers' settings (their logs, nginx's and its configuration in {stack.dir}):")
            print("".join(f"  {k}={v}\n" for k, v in stack.environment().items() if k != "SECRET_KEY"), end="")
            print(f"An editor: DATABASE_URL={cluster.url('primary')} .venv/bin/python manage.py createsuperuser")
            print("Ctrl-C stops them and removes their data.", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            cluster.stop()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

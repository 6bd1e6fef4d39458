"""A throw-away PostgreSQL cluster for the benchmark and the load test."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available():
    return (Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")) / "initdb").exists()


class TempPostgres:
    """A cluster on 127.0.0.1 and a free port (initdb and pg_ctl run as the postgres user when
    this runs as root), with a database ``defrel``, removed by stop()."""

    def __init__(self, prefix="defrel-bench-pg-"):
        self.bin = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.data, self.port = self.dir / "data", free_port()
        as_postgres = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            as_postgres = ["runuser", "-u", "postgres", "--"]
        self.run = lambda *cmd: subprocess.run([*as_postgres, *map(str, cmd)], check=True,
                                                stdout=subprocess.DEVNULL)
        self.run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.dir}"
        self.run(self.bin / "pg_ctl", "-D", self.data, "-o", options, "-l", self.dir / "log", "-w", "start")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/defrel"
        subprocess.run([sys.executable, "-c", "import psycopg2; c = psycopg2.connect(host='127.0.0.1', "
                        f"port={self.port}, user='postgres', dbname='postgres'); c.autocommit = True; "
                        "c.cursor().execute('CREATE DATABASE defrel')"], check=True)

    def stop(self):
        try:
            self.run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

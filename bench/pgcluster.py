"""A throw-away PostgreSQL cluster for the benchmark and the load test."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(url):
    """The database ``url`` names, dropped if it exists and created empty on its server."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    code = ("import sys, psycopg; c = psycopg.connect(sys.argv[1], autocommit=True); k = c.cursor(); "
            "k.execute('DROP DATABASE IF EXISTS \"' + sys.argv[2] + '\"'); "
            "k.execute('CREATE DATABASE \"' + sys.argv[2] + '\"')")
    subprocess.run([sys.executable, "-c", code, parts._replace(path="/postgres").geturl(), name], check=True)
    return url


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
        self.url = self.create_database("defrel")

    def create_database(self, name):
        """A new, empty database ``name`` in the cluster; its URL."""
        return fresh_database(f"postgres://postgres@127.0.0.1:{self.port}/{name}")

    def stop(self):
        try:
            self.run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

"""What the benchmark measures against: a revision of the app (this checkout, or a baseline
revision checked out into a temporary git worktree), its databases, its gunicorn and Datasette
servers, and its child processes."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from client import Client

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable


def say(text):
    print(text, file=sys.stderr, flush=True)


def file_of(database_url):
    """The file of a ``sqlite:///`` address (the benchmark's are absolute: ``sqlite:////…``)."""
    return Path(database_url.split("sqlite:///", 1)[1])


@dataclass
class Side:
    """One revision of the app: ``name`` is the key of its figures ("baseline" or "current")."""

    name: str
    root: Path
    revision: str

    def env(self, database_url, log_level="ERROR"):
        return dict(os.environ, DATABASE_URL=database_url, DEBUG="0", DEFREL_ENV="development",
                    ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL=log_level, BENCH_APP_ROOT=str(self.root),
                    # One client asks for pages as fast as it can: not an abuser to throttle.
                    DEFREL_API_RATE="1000000/second")

    def child(self, helper, database_url, *args):
        """A bench/child.py helper bound to this revision and ``database_url``; its JSON."""
        out = subprocess.run([PY, str(BENCH / "child.py"), helper, database_url, *map(str, args)],
                             cwd=self.root, env=self.env(database_url), check=True, stdout=subprocess.PIPE)
        return json.loads(out.stdout)

    def build(self, database_url, meetings):
        """Migrates the database and fills it with ``meetings`` synthetic meetings unless it
        holds them already; the seconds that took, or None when it was reused."""
        migrate = [PY, "manage.py", "migrate", "--noinput", "-v0"]
        subprocess.run(migrate, cwd=self.root, env=self.env(database_url), check=True)
        have = self.child("data_state", database_url)
        if have.pop("imported", 0) and database_url.startswith("sqlite:"):
            # An earlier run's admin import left its meetings in the file (synth removes only
            # its own): start from an empty file, so that every run measures ``meetings``.
            say(f"  {self.name}: an earlier run's imported meetings are in the file; building it anew")
            database = file_of(database_url)
            for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
                path.unlink(missing_ok=True)  # a write-ahead log left beside it is the old file's
            subprocess.run(migrate, cwd=self.root, env=self.env(database_url), check=True)
            have = self.child("data_state", database_url)
            have.pop("imported", 0)
        if have == {"meetings": meetings, "careers": True, "engagements": True, "venues": True}:
            say(f"  {self.name}: reusing the {meetings:,}-meeting database")
            return None
        say(f"  {self.name}: building a {meetings:,}-meeting database (bench/synth)")
        started = time.monotonic()
        self.child("synth", database_url, meetings)
        return time.monotonic() - started


def current_side():
    revision = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    return Side("current", ROOT, revision or "working tree")


class Baseline:
    """``revision`` checked out into a temporary git worktree sharing this checkout's .venv;
    removed by close()."""

    def __init__(self, revision):
        self.dir = Path(tempfile.mkdtemp(prefix="defrel-bench-baseline-"))
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(self.dir), revision],
                       cwd=ROOT, check=True)
        if (ROOT / ".venv").exists():
            (self.dir / ".venv").symlink_to((ROOT / ".venv").resolve())
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=self.dir, capture_output=True,
                             text=True, check=True).stdout.strip()
        self.side = Side("baseline", self.dir, f"{revision} ({sha})" if sha != revision else sha)

    def close(self):
        subprocess.run(["git", "worktree", "remove", "--force", str(self.dir)], cwd=ROOT, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, proc, path="/", timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            Client(port).get(path)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def children(pid):
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Server:
    def __init__(self, command, env, port, log, cwd=ROOT):
        self.port, self.log = port, open(log, "w")
        self.proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=self.log, stderr=self.log)

    def worker_pid(self):
        """gunicorn serves from its worker; Datasette from its own process."""
        return (children(self.proc.pid) or [self.proc.pid])[0]

    def replace_worker(self):
        worker = self.worker_pid()
        if worker != self.proc.pid:
            os.kill(worker, 9)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and self.worker_pid() in (worker, self.proc.pid):
                time.sleep(0.2)
            wait_for(self.port, self.proc)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def gunicorn(side, database_url, name):
    """One sync worker serving ``side``'s app."""
    port = free_port()
    server = Server([PY, "-m", "gunicorn", "defrel.wsgi:application", "-b", f"127.0.0.1:{port}",
                     "-w", "1", "--timeout", "1200", "--log-level", "warning"],
                    side.env(database_url), port, BENCH / f"{name}-{side.name}.log", cwd=side.root)
    wait_for(port, server.proc)
    return server


# Datasette may run from another virtualenv (BENCH_DATASETTE_PYTHON) than the app's.
DATASETTE_PY = os.environ.get("BENCH_DATASETTE_PYTHON") or PY


def datasette(db, settings, metadata=None):
    port = free_port()
    command = [DATASETTE_PY, "-m", "datasette", "serve", str(db), "-h", "127.0.0.1", "-p", str(port)]
    if metadata:
        command += ["--metadata", str(metadata)]
    for name, value in settings.items():
        command += ["--setting", name, str(value)]
    server = Server(command, dict(os.environ), port, BENCH / "datasette.log")
    wait_for(port, server.proc)
    return server


def installed(module, install=True, python=PY):
    """Whether ``module`` can be imported in the venv, after installing bench/requirements.txt
    into it if it could not and ``install``."""
    if not subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode:
        return True
    if install:
        say(f"installing {module} into the venv (bench/requirements.txt)")
        subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", str(BENCH / "requirements.txt")], check=True)
    return install


def datasette_version(install):
    """Datasette's version (installed if ``install``), or None when it is not there."""
    if not installed("datasette", install, DATASETTE_PY):
        return None
    return subprocess.run([DATASETTE_PY, "-m", "datasette", "--version"], capture_output=True, text=True).stdout.split()[-1]

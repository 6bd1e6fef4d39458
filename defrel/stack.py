"""The app half of `make cluster`: Redis, two gunicorn app servers and nginx in front of them,
on 127.0.0.1, beside the databases of a defrel.cluster.Cluster (in its directory) or any others.

    python -m defrel.stack nginx-conf     the nginx configuration, with example addresses

Each app server is a gunicorn master of its own with a few sync workers and the production
environment (DEBUG off, a SECRET_KEY, pgbouncer, the replica, Redis). nginx balances over them
as one upstream and moves a request that could not reach one (refused, reset before an answer,
timed out) to the other, except a POST already sent (see ``nginx_conf``). Every process writes
its pid file and log in the stack's directory (``<cluster>/stack/``), so ``python -m
defrel.cluster stop DIR`` can stop them from another process. Only the standard library; the
app servers run this checkout with the interpreter that runs this module (the project's
virtualenv).
"""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from defrel.loopback import answers, free_port

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path(os.environ.get("NGINX", shutil.which("nginx") or "/usr/sbin/nginx"))
REDIS = Path(os.environ.get("REDIS_SERVER", shutil.which("redis-server") or "/usr/bin/redis-server"))
APP_SERVERS = ("app1", "app2")


def missing():
    """The programs this needs that the machine lacks."""
    return [str(p) for p in (NGINX, REDIS) if not p.exists()]


def nginx_conf(listen, upstreams, files="/var/lib/defrel-nginx", user=None):
    """The nginx configuration of the stack: one place, used by ``Stack`` and shown in the
    README (``python -m defrel.stack nginx-conf``). ``listen`` and ``upstreams`` are
    host:port; ``files`` the directory of its pid file, logs and temporary files.

    proxy_next_upstream: a request whose server refused the connection, reset it before an
    answer or timed out goes to the next server (at most once more). nginx never does that
    for a POST it has already sent (a non-idempotent request), and neither do we: the server
    may have committed it before it died. The client gets 502 and the editor's next look at
    the record shows whether the save is there; a second POST of the same form would be
    refused as stale (its seen_version), never saved twice. A server that failed is left
    alone for fail_timeout (10 s) before it is tried again."""
    servers = "".join(f"        server {u} max_fails=1 fail_timeout=10s;\n" for u in upstreams)
    return (f"user {user};\n" if user else "") + f"""worker_processes 1;
daemon off;
pid {files}/nginx.pid;
error_log {files}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    # Which app server answered, and each one tried: "app1:8000, app2:8000" "502, 200"; then
    # what the cache did: HIT, MISS, EXPIRED, STALE (the kept page shown), UPDATING, or "-".
    log_format timed '$msec $status $request_method "$request_uri" $request_time '
                     '"$upstream_addr" "$upstream_status" $upstream_cache_status';
    access_log {files}/nginx-access.log timed;
    client_body_temp_path {files}/client_body;
    proxy_temp_path {files}/proxy;
    fastcgi_temp_path {files}/fastcgi;
    uwsgi_temp_path {files}/uwsgi;
    scgi_temp_path {files}/scgi;
    # The admin's imports: Django refuses more than 5 MiB (DATA_UPLOAD_MAX_MEMORY_SIZE).
    client_max_body_size 6m;
    # Public pages say "Cache-Control: public, max-age" (defrel.http_cache): nginx keeps each
    # that long and answers readers itself. Pages that say private, answers that set a cookie
    # and every request with a session (an editor reads their own writes) go to the app.
    proxy_cache_path {files}/cache levels=1:2 keys_zone=defrel:10m max_size=256m inactive=10m;
    upstream defrel {{
{servers}    }}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://defrel;
            # The port too: Django compares a POST's Origin with the host it was sent to.
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;  # DEFREL_PROXY_COUNT=1
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            # A full CSV export streams for a minute under load: the time between two reads.
            proxy_read_timeout 300s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            proxy_cache defrel;
            proxy_cache_bypass $cookie_sessionid;
            proxy_no_cache $cookie_sessionid;
            proxy_cache_lock on;  # readers asking for one page at once: one request to the app
            # A page past its max-age is still answered from the cache while nginx asks for it
            # again in the background, and while no app server answers: for as long as the page
            # says (stale-while-revalidate, stale-if-error). nginx asks with the kept copy's
            # ETag: a page whose data has not changed comes back 304, not drawn again.
            proxy_cache_background_update on;
            proxy_cache_revalidate on;
        }}
    }}
}}
"""


class Stack:
    """Redis, the app servers and nginx in ``directory``, for ``databases`` (DATABASE_URL and
    the rest, as defrel.cluster.Cluster.environment() gives them) whose primary ``primary_url``
    reaches directly (migrations); ``workers`` sync workers per app server, gunicorn's worker
    ``timeout`` in seconds."""

    def __init__(self, directory, databases=None, primary_url=None, workers=3, timeout=30, access_log_format=None):
        self.dir, self.databases, self.primary_url = Path(directory), databases or {}, primary_url
        self.workers, self.timeout, self.access_log_format = workers, timeout, access_log_format
        ports = self.dir / "ports"
        if ports.exists():
            self.ports = dict(line.split("=") for line in ports.read_text().split())
        else:
            self.ports = {name: str(free_port()) for name in ("redis", *APP_SERVERS, "nginx")}

    @property
    def url(self):
        return f"http://127.0.0.1:{self.ports['nginx']}"

    def environment(self):
        """The app servers' environment: the cluster's databases, Redis, and production settings
        but HTTPS (loopback has no TLS; DEFREL_ENV=production would redirect to https and set
        secure cookies that a plain-HTTP client never sends back)."""
        key = self.dir / "secret_key"
        return {**self.databases, "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
                "DEBUG": "0", "SECRET_KEY": key.read_text().strip() if key.exists() else "",
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "DEFREL_PROXY_COUNT": "1", "LOG_FORMAT": "json"}

    def manage(self, *command, database_url=None):
        """``manage.py command`` with the app servers' environment (``database_url`` instead
        of pgbouncer, e.g. the primary itself for migrations)."""
        env = dict(os.environ, **self.environment())
        if database_url:
            env.update(DATABASE_URL=database_url, DATABASE_POOLER="")
        # Its output to stderr: `start DIR --stack` prints only `export` lines on stdout.
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=sys.stderr)

    def start(self, prepare=True, curated=False):
        """Starts Redis; if ``prepare``, migrates the database (on the primary itself:
        pgbouncer would hold on to server connections made before migration defrel 0008 set
        the planner settings), loads the curated data into an empty one if ``curated`` and
        collects the static files (whitenoise serves them); starts the app servers and nginx."""
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "ports").write_text("".join(f"{k}={v}\n" for k, v in self.ports.items()))
        (self.dir / "secret_key").write_text(secrets.token_urlsafe(50))
        self.spawn("redis", [REDIS, "--bind", "127.0.0.1", "--port", self.ports["redis"], "--save", "",
                             "--appendonly", "no", "--dir", self.dir, "--pidfile", self.dir / "redis.pid"])
        self.wait("redis")
        if prepare:
            self.manage("migrate", "--noinput", "-v0", database_url=self.primary_url)
            if curated:
                self.manage("load_curated", "--if-empty", database_url=self.primary_url)
            self.manage("collectstatic", "--noinput", "-v0")
        for name in APP_SERVERS:
            self.start_app_server(name)
        for name in APP_SERVERS:
            self.wait(name)
        upstreams = [f"127.0.0.1:{self.ports[name]}" for name in APP_SERVERS]
        user = "root" if os.geteuid() == 0 else None  # else its workers would be nobody's
        (self.dir / "nginx.conf").write_text(nginx_conf(f"127.0.0.1:{self.ports['nginx']}", upstreams,
                                                        self.dir, user))
        self.spawn("nginx", [NGINX, "-p", self.dir, "-c", self.dir / "nginx.conf", "-e", self.dir / "nginx-error.log"])
        self.wait("nginx")
        return self

    def start_app_server(self, name):
        command = [sys.executable, "-m", "gunicorn", "defrel.wsgi:application", "--bind",
                   f"127.0.0.1:{self.ports[name]}", "--workers", str(self.workers), "--timeout", str(self.timeout),
                   "--pid", self.dir / f"{name}.pid", "--log-level", "warning",
                   # In its process title where setproctitle is installed: how pid() knows it.
                   "--name", f"defrel-{name}-127.0.0.1:{self.ports[name]}",
                   "--access-logfile", self.dir / f"{name}-access.log"]
        if self.access_log_format:
            command += ["--access-logformat", self.access_log_format]
        self.spawn(name, command, env=dict(os.environ, **self.environment()))

    def spawn(self, name, command, env=None):
        with open(self.dir / f"{name}.log", "a") as log:
            # A session of its own: Ctrl-C in `make cluster` reaches only the cluster, which
            # then stops everything in order.
            process = subprocess.Popen([str(c) for c in command], cwd=ROOT, env=env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        (self.dir / f"{name}.pid").write_text(str(process.pid))  # gunicorn and nginx rewrite it
        return process

    def wait(self, name, timeout=60):
        deadline = time.monotonic() + timeout
        while not answers(self.ports[name]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start: see {self.dir / (name + '.log')}")
            time.sleep(0.1)

    def pid(self, name):
        """The id in ``name``'s pid file, if that process is still this stack's: its command
        line names the stack's directory or its address (Redis shows only that); a stale
        file's id may have been given to another process since."""
        try:
            pid = int((self.dir / f"{name}.pid").read_text())
            title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            return None
        return pid if str(self.dir) in title or f"127.0.0.1:{self.ports.get(name)}" in title else None

    def kill_app_server(self, name):
        """SIGKILL to the app server's master and its workers at once, as a machine that dies:
        nothing is finished, nothing is answered. The pids it killed."""
        master = self.pid(name)
        pids = [master, *workers_of(master)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return pids

    def stop(self):
        """Stops nginx, the app servers and Redis (by the ids in their pid files)."""
        for name in ("nginx", *APP_SERVERS, "redis"):
            pid = self.pid(name)
            if pid:
                try:
                    os.kill(pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
                except ProcessLookupError:
                    continue
                deadline = time.monotonic() + 20
                while alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.1)


def workers_of(pid):
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, TypeError):
        return []


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of this process that exited stays a zombie until waited for.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(") ")[-1][:1] != "Z"


if __name__ == "__main__":
    if sys.argv[1:] == ["nginx-conf"]:
        print(nginx_conf("127.0.0.1:8080", ["app1:8000", "app2:8000"]), end="")
    else:
        sys.exit(__doc__)

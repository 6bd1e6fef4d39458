"""defrel at 100,000 meetings, measured side by side with Datasette and the raw limits.

    make bench                     # or: .venv/bin/python bench/run.py [--requests 30 --cap 15]
    DATABASE_URL=postgres://… make bench   # PostgreSQL at that address instead of a throw-away one
    make bench BENCH_ARGS=--no-postgres    # SQLite only

After SQLite, it measures PostgreSQL too (pages, export, COPY, import): the server DATABASE_URL
names, or else a throw-away cluster started with the machine's initdb (bench/pgcluster.py).

Builds (or reuses) bench/defrel-100k.sqlite3 with `manage.py synth`, serves it with gunicorn
(one sync worker) and with Datasette (installed into the venv from bench/requirements.txt),
measures page latency with a bounded client on loopback (a fixed number of requests per page
and a time cap, one at a time), full CSV exports (rows/s, time to first byte, peak RSS of the
serving process) and an all-or-nothing import of 10,000 rows, then prints a table and writes
bench/RESULTS.md. The helpers run as `run.py _setup|_import|_copy` in a child process so that
each is bound to the database it measures.
"""
import argparse
import csv
import datetime
import http.client
import itertools
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import admin_import  # bench/admin_import.py, likewise
from child import django_setup  # noqa: F401 - bench/child.py; loadtest.py imports it from here
import pgcluster  # bench/pgcluster.py: run.py runs from bench/

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
USER, PASSWORD = "bench", "bench-only-password-9f3k"
VIEW = "bench_meetings_export"
DETAIL_SAMPLE = 60  # meetings asked of both servers in turn
SEARCHES = 100  # different search terms, for the list searched anew each time
EXPORT_TURNS = 3  # full exports by defrel and by the command line, taken in turn


def export_sql(dialect):
    """The columns of MeetingResource (defrel's export) as the server's streaming export
    computes them (meetings.fast_export, the same SQL), plain: unescaped, unquoted, one a
    column, for the sqlite3 command line's view and PostgreSQL's COPY."""
    sys.path.insert(0, str(ROOT))
    from meetings.fast_export import export_sql as meetings_export_sql

    return meetings_export_sql(dialect)


# --- small HTTP client -----------------------------------------------------------------------

class Client:
    """One host, cookies kept, a new connection per request (gunicorn's sync worker closes it)."""

    def __init__(self, port, timeout=1200):
        self.port, self.cookies, self.timeout = port, {}, timeout

    def open(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict):
            body = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return conn, response

    def get(self, path, **kwargs):
        conn, response = self.open("GET", path, **kwargs)
        body = response.read()
        conn.close()
        return response.status, body

    def login_django_admin(self, login_path):
        status, page = self.get(login_path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        conn, response = self.open("POST", login_path, body={
            "csrfmiddlewaretoken": token, "username": USER, "password": PASSWORD, "next": login_path,
        })
        response.read()
        conn.close()
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"admin login failed ({response.status})")


class FormInputs(HTMLParser):
    """The inputs of a page's forms: name → list of values (checked boxes, chosen options)."""

    def __init__(self):
        super().__init__()
        self.fields, self.select, self.options = {}, None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                self.fields.setdefault(a["name"], []).append(a.get("value") or "on")
            elif a.get("type") not in {"submit", "file"}:
                self.fields.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select:
            self.options.setdefault(self.select, []).append((a.get("value", ""), ""))

    def handle_data(self, data):
        if self.select and self.options.get(self.select) and not self.options[self.select][-1][1]:
            value, _ = self.options[self.select][-1]
            self.options[self.select][-1] = (value, data.strip())

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


# --- measuring --------------------------------------------------------------------------------

def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latency(client, path, *, requests, cap, warmup=2, on_timeout=None):
    try:
        return timed_gets(client, path, requests=requests, cap=cap, warmup=warmup)
    except TimeoutError:
        if on_timeout:
            on_timeout()  # the worker is still rendering it: replace the worker
        return {"error": f"no answer in {client.timeout:.0f} s", "path": path}


def timed_gets(client, path, *, requests, cap, warmup):
    """p50/p95 in ms of ``requests`` sequential GETs (fewer if ``cap`` seconds run out, but at
    least 3; a page slower than a third of the cap gets one warm-up). ``path`` may be a list:
    each GET then asks for the next of them, warm-ups included, so nothing is asked twice."""
    paths = itertools.cycle(path) if isinstance(path, list) else itertools.repeat(path)
    cold = None
    for _ in range(warmup):
        t0 = time.perf_counter()
        status, body = client.get(next(paths))
        first = (time.perf_counter() - t0) * 1000
        cold = first if cold is None else cold  # nothing cached yet for this page
        if status != 200:
            return {"error": f"HTTP {status}", "path": path}
        if first > cap * 1000:  # one request took the whole budget: it is the only sample
            return {"p50": first, "p95": first, "n": 1, "bytes": len(body), "path": path, "first": cold}
        if first > cap * 1000 / 3:
            break
    times, started = [], time.monotonic()
    while len(times) < requests and (time.monotonic() - started < cap or len(times) < 3):
        t0 = time.perf_counter()
        status, body = client.get(next(paths))
        times.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            return {"error": f"HTTP {status}", "path": path}
    return {"p50": statistics.median(times), "p95": percentile(times, 0.95), "n": len(times),
            "bytes": len(body), "path": path, "first": cold}


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid):
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class PeakRSS:
    """Samples a process's resident memory every 10 ms until stopped."""

    def __init__(self, pid):
        self.pid, self.before, self.peak, self.running = pid, rss_kb(pid), rss_kb(pid), True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while self.running:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.01)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.before / 1024, self.peak / 1024


def count_csv_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.reader(f)) - 1  # the header


def stream(chunks, started, out_path, pid):
    """Writes a byte stream to ``out_path``; returns time to first byte, total time and the
    peak RSS of ``pid`` while it ran."""
    rss = PeakRSS(pid) if pid else None
    ttfb = None
    with open(out_path, "wb") as out:
        for chunk in chunks:
            if chunk and ttfb is None:
                ttfb = time.perf_counter() - started
            out.write(chunk)
    total = time.perf_counter() - started
    before, peak = rss.stop() if rss else (None, None)
    return {"ttfb": ttfb or total, "seconds": total, "rss_before": before, "rss_peak": peak}


def http_chunks(response):
    while True:
        chunk = response.read1(1 << 16)
        if not chunk:
            break
        yield chunk


def http_export(client, method, path, pid, body=None, expect_csv=True):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
        out_path = tmp.name
    try:
        started = time.perf_counter()
        conn, response = client.open(method, path, body=body)
        if response.status != 200:
            return {"error": f"HTTP {response.status}"}
        result = stream(http_chunks(response), started, out_path, pid)
        conn.close()
        result["rows"] = count_csv_rows(out_path)
        result["bytes"] = os.path.getsize(out_path)
        return result
    finally:
        os.unlink(out_path)


def process_export(command, env=None):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
        out_path = tmp.name
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
        result = stream(iter(lambda: proc.stdout.read1(1 << 16), b""), started, out_path, proc.pid)
        if proc.wait():
            return {"error": f"exit {proc.returncode}"}
        result["rows"] = count_csv_rows(out_path)
        result["bytes"] = os.path.getsize(out_path)
        return result
    finally:
        os.unlink(out_path)


# --- servers ------------------------------------------------------------------------------------

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


class Server:
    def __init__(self, command, env, port, log):
        self.port, self.log = port, open(log, "w")
        self.proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log, stderr=self.log)

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


def django_env(database_url):
    env = dict(os.environ, DATABASE_URL=database_url, DEBUG="0", DEFREL_ENV="development",
               ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL="ERROR")
    return env


def gunicorn(database_url, name):
    port = free_port()
    server = Server([PY, "-m", "gunicorn", "defrel.wsgi:application", "-b", f"127.0.0.1:{port}",
                     "-w", "1", "--timeout", "1200", "--log-level", "warning"],
                    django_env(database_url), port, BENCH / f"{name}.log")
    wait_for(port, server.proc)
    return server


def datasette(db, settings):
    port = free_port()
    command = [PY, "-m", "datasette", "serve", str(db), "-h", "127.0.0.1", "-p", str(port)]
    for name, value in settings.items():
        command += ["--setting", name, str(value)]
    server = Server(command, dict(os.environ), port, BENCH / "datasette.log")
    wait_for(port, server.proc)
    return server


# --- the helpers run in a child process bound to one database ------------------------------------

def helper_setup(database_url):
    """A superuser for the admin, and the URLs and sample records of the pages to measure."""
    django_setup(database_url)
    import django
    import import_export
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import translation

    from meetings.models import Meeting
    from partners.models import Country

    user, _ = User.objects.get_or_create(username=USER)
    user.is_staff = user.is_superuser = True
    user.set_password(PASSWORD)
    user.save()
    translation.activate("ja")
    busiest = list(Country.objects.exclude(code="JP").annotate(n=Count("meetings")).order_by("-n", "code")
                   .values("code", "name_en", "n"))
    median = busiest[len(busiest) // 2]
    latest = Meeting.objects.order_by("-date_lower", "key").values("pk", "key").first()
    ids = list(Meeting.objects.order_by("pk").values_list("pk", "key"))
    spread = ids[::max(1, len(ids) // DETAIL_SAMPLE)][:DETAIL_SAMPLE]
    levels = Meeting.objects.order_by().values("level").annotate(n=Count("pk"))
    level = min(levels, key=lambda r: abs(r["n"] - 10_000))
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        db_version = cursor.fetchone()[0]
    list_url = reverse("meetings:meeting-list")
    print(json.dumps({
        "meetings": Meeting.objects.count(),
        "pages": {
            "meeting list": list_url,
            "meeting list, deep page": f"{list_url}?page=1000",
            "meeting list, country and year": f"{list_url}?country={busiest[0]['code']}&year=2024",
            "meeting list, search": f"{list_url}?{urlencode({'q': busiest[9]['name_en']})}",
            # what readers do: a different search each time, which nothing has counted yet
            "meeting list, a new search each time": [f"{list_url}?{urlencode({'q': c['name_en']})}"
                                                     for c in busiest[10:10 + SEARCHES]],
            "meeting detail": reverse("meetings:meeting-detail", args=[latest["key"]]),
            "country profile (busiest)": reverse("partners:country-detail", args=[busiest[0]["code"]]),
            "country profile (median)": reverse("partners:country-detail", args=[median["code"]]),
            "agreements matrix": reverse("meetings:agreement-matrix"),
            "timeline, one year": f"{reverse('meetings:timeline')}?year=2024",
            "admin meetings changelist": reverse("admin:meetings_meeting_changelist"),
        },
        "busiest": busiest[0], "median": median,
        "meeting_pk": latest["pk"],
        "detail_sample": [[pk, reverse("meetings:meeting-detail", args=[key])] for pk, key in spread],
        "export": reverse("meetings:meeting-export"),
        "export_10k": f"{reverse('meetings:meeting-export')}?level={level['level']}", "rows_10k": level["n"],
        "admin_login": reverse("admin:login"),
        "admin_export": reverse("admin:meetings_meeting_export"),
        "versions": {"Django": django.get_version(), "django-import-export": import_export.__version__,
                     connection.vendor: db_version},
    }))


def helper_import(database_url, rows):
    """Import ``rows`` new meetings (copies of existing ones under new keys) through
    MeetingResource, inside a transaction rolled back afterwards; then a file whose last row
    is wrong, which must import nothing."""
    django_setup(database_url)
    import tablib
    from django.db import transaction

    from meetings.models import Meeting
    from meetings.resources import MeetingResource

    resource = MeetingResource()
    dataset = resource.export(queryset=resource.get_queryset().order_by("-date_lower", "key")[:rows])
    keys = dataset.headers.index("key")
    for i in range(len(dataset)):
        row = list(dataset[i])
        row[keys] = f"imported-{i:06d}"
        dataset[i] = row
    before = Meeting.objects.count()
    with transaction.atomic():
        started = time.perf_counter()
        result = MeetingResource().import_data(dataset, dry_run=False)
        seconds = time.perf_counter() - started
        imported = Meeting.objects.count() - before
        ok = not (result.has_errors() or result.has_validation_errors())
        transaction.set_rollback(True)
    rows_bad = [list(r) for r in dataset[: min(rows, 1000)]]
    rows_bad[-1][dataset.headers.index("countries")] = "NO-SUCH-COUNTRY"
    bad = tablib.Dataset(*rows_bad, headers=dataset.headers)
    started = time.perf_counter()
    refused = MeetingResource().import_data(bad, dry_run=False)
    refused_seconds = time.perf_counter() - started
    print(json.dumps({
        "rows": len(dataset), "imported": imported, "ok": ok, "seconds": seconds,
        "bad_rows": len(bad), "bad_refused": refused.has_validation_errors(),
        "bad_left": Meeting.objects.count() - before, "bad_seconds": refused_seconds,
    }))


def helper_copy(database_url):
    """PostgreSQL COPY … TO STDOUT of the export's columns, written to stdout (the raw limit)."""
    django_setup(database_url)
    from django.db import connection

    with connection.cursor() as cursor:
        sql = export_sql("postgresql") + " ORDER BY m.date_lower DESC, m.key"
        cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", sys.stdout.buffer)


def child(helper, database_url, *args):
    out = subprocess.run([PY, __file__, helper, database_url, *map(str, args)], cwd=ROOT,
                         env=django_env(database_url), check=True, stdout=subprocess.PIPE)
    return json.loads(out.stdout)


# --- the benchmark ------------------------------------------------------------------------------

def say(text):
    print(text, file=sys.stderr, flush=True)


def build(database_url, meetings):
    env = django_env(database_url)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    # A file whose officials each hold one office (built before synth gave them careers)
    # is built anew.
    have = subprocess.run([PY, "manage.py", "shell", "-c",
                           "from meetings.models import Meeting; from partners.models import Official, Tenure; "
                           "print(Meeting.objects.filter(key__startswith='syn-').count(), "
                           "int(Tenure.objects.count() > Official.objects.count()))"],
                          cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    if have.strip().splitlines()[-1].split() == [str(meetings), "1"]:
        say(f"reusing the {meetings:,}-meeting database")
        return None
    say(f"building a {meetings:,}-meeting database with manage.py synth")
    started = time.monotonic()
    subprocess.run([PY, "manage.py", "synth", "--meetings", str(meetings)], cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def read_through(path):
    """Reads a file once, so that the servers measured start from it in memory: this machine
    hands unused file cache back, and a reused file could otherwise come from disk for
    whichever server asks first."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def ensure_datasette():
    if subprocess.run([PY, "-c", "import datasette"], capture_output=True).returncode:
        say("installing Datasette into the venv (bench/requirements.txt)")
        subprocess.run([PY, "-m", "pip", "install", "--quiet", "-r", str(BENCH / "requirements.txt")],
                       check=True)
    return subprocess.run([PY, "-m", "datasette", "--version"], capture_output=True,
                          text=True).stdout.split()[-1]


def drop_view(db):
    with sqlite3.connect(db) as conn:
        conn.execute(f"DROP VIEW IF EXISTS {VIEW}")


def make_view(db):
    drop_view(db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"CREATE VIEW {VIEW} AS {export_sql('sqlite')} ORDER BY m.date_lower DESC, m.key")


def measure_pages(server, info, args):
    """Every page's latency; a page that gives no answer within --page-timeout is recorded
    as such and its worker replaced (gunicorn's master starts a new one), so that one
    unbounded page cannot take the benchmark's whole time."""
    reader, client = Client(server.port), Client(server.port)  # a reader has no session
    client.login_django_admin(info["admin_login"])
    reader.timeout = client.timeout = args.page_timeout
    results = {}
    for name, path in info["pages"].items():
        first = path[0] if isinstance(path, list) else path
        say(f"  {name}: {first}" + (f" and {len(path) - 1} more" if isinstance(path, list) else ""))
        who = client if first.startswith(info["admin_login"].rsplit("login/", 1)[0]) else reader
        results[name] = latency(who, path, requests=args.requests, cap=args.cap,
                                on_timeout=server.replace_worker)
    client.timeout = 1200  # exports take as long as they take
    return results, client


def head_to_head(defrel, datasette, table, sample):
    """The meeting page and Datasette's row page of the same meetings, a different meeting
    each time, the two servers asked in turn (which first alternates), so that neither
    gains from a page it has just rendered nor from a quieter moment of the machine."""
    ours, theirs = Client(defrel.port), Client(datasette.port)
    pairs = [(lambda path=path: ours.get(path), lambda pk=pk: theirs.get(f"{table}/{pk}"))
             for pk, path in sample]
    for ask_ours, ask_theirs in pairs[:2]:  # warm-up: templates, connections, page caches
        ask_ours(), ask_theirs()
    times = {"defrel": [], "datasette": []}
    for i, (ask_ours, ask_theirs) in enumerate(pairs):
        turn = [("defrel", ask_ours), ("datasette", ask_theirs)]
        for name, ask in turn if i % 2 == 0 else turn[::-1]:
            t0 = time.perf_counter()
            status, _body = ask()
            times[name].append((time.perf_counter() - t0) * 1000)
            if status != 200:
                return {"error": f"{name}: HTTP {status}"}
    return {name: {"p50": statistics.median(t), "p95": percentile(t, 0.95), "n": len(t)}
            for name, t in times.items()}


def admin_export(client, info, pid):
    """The import-export admin's export: its form, every field ticked, CSV."""
    status, page = client.get(info["admin_export"])
    form = FormInputs()
    form.feed(page.decode())
    data = {name: values for name, values in form.fields.items()}
    csv_choice = next(v for v, label in form.options.get("format", []) if label.lower() == "csv")
    data["format"] = [csv_choice]
    if "resource" in form.options:
        data["resource"] = [form.options["resource"][0][0]]
    return http_export(client, "POST", info["admin_export"], pid, body=data)


def cli_export_command(db):
    """(label, command) writing the export view as CSV: the sqlite3 command line, or Python's
    sqlite3 module where that is not installed."""
    cli = shutil.which("sqlite3")
    if cli:
        return "sqlite3 command line", [cli, "-csv", "-header", str(db), f"SELECT * FROM {VIEW}"]
    code = (f"import csv, sqlite3, sys; c = sqlite3.connect({str(db)!r}); cur = c.execute("
            f"'SELECT * FROM {VIEW}'); w = csv.writer(sys.stdout); "
            f"w.writerow([d[0] for d in cur.description]); w.writerows(cur)")
    return "Python sqlite3 module (no sqlite3 command line)", [PY, "-c", code]


def median_run(runs):
    """Of several runs of one export, the one with the median rate (an error if any failed)."""
    failed = [r for r in runs if "error" in r]
    return failed[0] if failed else sorted(runs, key=rate)[len(runs) // 2]


def run_sqlite(args, results):
    db = BENCH / "defrel-100k.sqlite3"
    url = f"sqlite:///{db}"
    if db.exists():
        drop_view(db)  # SQLite cannot rebuild a table a view reads (as migrations do) under it
    results["synth_seconds"] = build(url, args.meetings)
    read_through(db)
    results["datasette_version"] = ensure_datasette()
    make_view(db)
    info = child("_setup", url)
    results["info"] = info
    results["versions"] = info["versions"]

    say("defrel on SQLite (gunicorn, 1 sync worker)")
    server = gunicorn(url, "gunicorn-sqlite")
    try:
        results["defrel"], client = measure_pages(server, info, args)
        pid = server.worker_pid()
        say("  exports: defrel streaming (10k, then all in turn with the command line), then the admin's")
        results["export_10k"] = http_export(client, "GET", info["export_10k"], pid)
        results["cli_label"], cli = cli_export_command(db)
        if cli[0].endswith("sqlite3"):
            results["sqlite3_version"] = subprocess.run([cli[0], "--version"], capture_output=True,
                                                        text=True).stdout.split()[0]
        ours, theirs = [], []
        for _ in range(EXPORT_TURNS):  # in turn: both see the same moments of a shared machine
            ours.append(http_export(client, "GET", info["export"], pid))
            theirs.append(process_export(cli))
        results["export"], results["cli_export"] = median_run(ours), median_run(theirs)
        results["export_turns"] = {"defrel": [round(rate(r)) for r in ours],
                                   "cli": [round(rate(r)) for r in theirs]}
        results["admin_export"] = admin_export(client, info, pid) if not args.skip_admin_export else None
    finally:
        server.stop()

    say("Datasette on the same file (default settings but max_csv_mb=0)")
    server = datasette(db, {"max_csv_mb": 0})
    try:
        table = f"/{db.stem}/meetings_meeting"
        client = Client(server.port)
        pages = {
            "table page (default)": table,
            "table page, _nofacet=1": f"{table}?_nofacet=1",
            "table page, one year": f"{table}?date_lower__gte=2024-01-01&date_lower__lte=2024-12-31",
            "row page": f"{table}/{info['meeting_pk']}",
        }
        results["datasette"] = {}
        for name, path in pages.items():
            say(f"  {name}: {path}")
            results["datasette"][name] = latency(client, path, requests=args.requests, cap=args.cap)
    finally:
        server.stop()
    say(f"  meeting page against Datasette's row page, {len(info['detail_sample'])} meetings, in turn")
    servers = [gunicorn(url, "gunicorn-sqlite-detail"), datasette(db, {"max_csv_mb": 0})]
    try:
        results["head_to_head"] = head_to_head(*servers, f"/{db.stem}/meetings_meeting", info["detail_sample"])
    finally:
        for server in servers:
            server.stop()
    # A view's CSV pages by OFFSET, each page a query under sql_time_limit_ms: give it room.
    server = datasette(db, {"max_csv_mb": 0, "sql_time_limit_ms": 600_000})
    try:
        say("  Datasette streaming CSV of the view")
        results["datasette_export"] = http_export(
            Client(server.port), "GET", f"/{db.stem}/{VIEW}.csv?_stream=on&_size=max", server.worker_pid()
        )
    finally:
        server.stop()

    (BENCH / "results.json").write_text(json.dumps(results, indent=1, default=str))
    say(f"import of {args.import_rows:,} meetings through MeetingResource (SQLite)")
    results["import"] = child("_import", url, args.import_rows)
    say(f"import of {args.admin_import_rows:,} meetings through the admin, XLSX and CSV (SQLite)")
    results["admin_import"] = child("_admin_import", url, args.admin_import_rows)


def run_postgres(args, results, url):
    say("PostgreSQL: " + urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl())
    results["pg_synth_seconds"] = build(url, args.meetings)
    info = child("_setup", url)
    results["pg_versions"] = info["versions"]
    server = gunicorn(url, "gunicorn-postgres")
    try:
        results["pg_defrel"], client = measure_pages(server, info, args)
        pid = server.worker_pid()
        results["pg_export_10k"] = http_export(client, "GET", info["export_10k"], pid)
        results["pg_export"] = http_export(client, "GET", info["export"], pid)
    finally:
        server.stop()
    say("  COPY … TO STDOUT")
    results["pg_copy"] = process_export([PY, __file__, "_copy", url], env=django_env(url))
    say(f"  import of {args.import_rows:,} meetings (PostgreSQL)")
    results["pg_import"] = child("_import", url, args.import_rows)
    say(f"  import of {args.admin_import_rows:,} meetings through the admin (PostgreSQL)")
    results["pg_admin_import"] = child("_admin_import", url, args.admin_import_rows)


# --- the report ---------------------------------------------------------------------------------

def ms(r):
    return "error: " + r["error"] if "error" in r else f"{r['p50']:8.1f} {r['p95']:8.1f} {r['n']:4d}"


def rate(r):
    return r["rows"] / r["seconds"] if r and "rows" in r else 0


def export_line(label, r):
    if not r:
        return f"| {label} | skipped | | | |"
    if "error" in r:
        return f"| {label} | {r['error']} | | | |"
    rss = f"{r['rss_peak']:.0f} MB (from {r['rss_before']:.0f})" if r.get("rss_peak") else "—"
    return f"| {label} | {r['rows']:,} | {rate(r):,.0f} | {r['ttfb']:.3f} | {rss} |"


def verdict(ok, text):
    return f"{'met' if ok else 'MISSED'}: {text}"


def report(results, args, started):
    info = results["info"]
    d, ds = results["defrel"], results["datasette"]
    lines = [
        "# defrel at 100,000 meetings — benchmark",
        "",
        f"Run {datetime.datetime.now():%Y-%m-%d %H:%M} with `make bench` "
        f"(`bench/run.py --requests {args.requests} --cap {args.cap}`), {time.monotonic() - started:.0f} s in all.",
        "",
        f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}), {mem_total()} memory, {platform.platform()}",
        f"- Python {platform.python_version()}, " + ", ".join(f"{k} {v}" for k, v in results["versions"].items())
        + f", gunicorn (1 sync worker), Datasette {results['datasette_version']}"
        + (f", sqlite3 CLI {results['sqlite3_version']}" if results.get("sqlite3_version") else ""),
        f"- Data: `manage.py synth --meetings {args.meetings}` → {info['meetings']:,} meetings"
        + (f" (built in {results['synth_seconds']:.0f} s)" if results.get("synth_seconds") else " (reused)")
        + f"; busiest partner {info['busiest']['code']} with {info['busiest']['n']:,} meetings, "
        f"median partner {info['median']['code']} with {info['median']['n']:,}.",
        "- Latency: sequential GETs on loopback after 2 warm-ups (1 for a page slower than a third of "
        f"the cap), one client (public pages without a session, the admin logged in), full body read; {args.requests} requests per page or fewer when "
        f"{args.cap:.0f} s ran out (at least 3; 1 when the warm-up alone took longer than that).",
        "",
        "## Page latency (SQLite), ms",
        "",
        "| page | p50 | p95 | n | first request |",
        "|---|---:|---:|---:|---:|",
    ]
    groups = [("defrel", d), ("Datasette", ds), ("defrel on PostgreSQL", results.get("pg_defrel") or {})]
    for label, group in groups:
        for name, r in group.items():
            lines.append(f"| {label}: {name} | {r['error']} | | | |" if "error" in r else
                         f"| {label}: {name} | " + " | ".join(ms(r).split()) + f" | {r.get('first', 0):.1f} |")
    lines += ["", "*First request*: the page's first answer in the run, before anything was cached "
              "(defrel keeps facet counts, totals, a search's matches, the agreements matrix's table, a country profile's agreements, chart and timeline, and a timeline page's records until the data next changes; Datasette caches nothing)."]
    h2h = results.get("head_to_head") or {}
    if h2h:
        lines += ["", "## Meeting page against Datasette's row page, in turn, ms", "",
                  f"Each of {len(info['detail_sample'])} meetings spread over the table asked once of "
                  "each server, the servers taking turns; nothing cached by either.", ""]
        if "error" in h2h:
            lines.append(f"- error: {h2h['error']}")
        else:
            lines += ["| page | p50 | p95 | n |", "|---|---:|---:|---:|",
                      "| defrel: meeting detail | " + " | ".join(ms(h2h["defrel"]).split()) + " |",
                      "| Datasette: row page | " + " | ".join(ms(h2h["datasette"]).split()) + " |"]
    lines += [
        "",
        "## Full CSV export of meetings with partners and participants (titles at the time)",
        "",
        "| export | rows | rows/s | first byte, s | peak RSS of the server |",
        "|---|---:|---:|---:|---:|",
        export_line(f"defrel streaming, one level ({info['export_10k'].split('?')[1]})", results["export_10k"]),
        export_line("defrel streaming, all", results["export"]),
        export_line("defrel admin (django-import-export)", results.get("admin_export")),
        export_line("Datasette `_stream=on` of a view with the same columns", results["datasette_export"]),
        export_line(results["cli_label"] + ", same view", results["cli_export"]),
    ]
    if results.get("pg_export"):
        lines += [export_line("PostgreSQL: defrel streaming, one level", results["pg_export_10k"]),
                  export_line("PostgreSQL: defrel streaming, all", results["pg_export"]),
                  export_line("PostgreSQL: COPY … TO STDOUT, same columns", results["pg_copy"])]
    turns = results.get("export_turns")
    if turns:
        lines += ["", f"The full export and the {results['cli_label']} ran {len(turns['defrel'])} times "
                  "in turn; the table shows each one's median run. Rows/s of every run: defrel "
                  + ", ".join(f"{r:,}" for r in turns["defrel"]) + "; command line "
                  + ", ".join(f"{r:,}" for r in turns["cli"]) + "."]
    imports = [("SQLite", results["import"])] + ([("PostgreSQL", results["pg_import"])]
                                                 if results.get("pg_import") else [])
    lines += ["", "## Import through MeetingResource (all or nothing)", "",
              "| database | rows | rows/s | all imported | a bad last row leaves | refused in |",
              "|---|---:|---:|---|---:|---:|"]
    for label, r in imports:
        lines.append(f"| {label} | {r['rows']:,} | {r['rows'] / r['seconds']:,.0f} | "
                     f"{'yes' if r['ok'] and r['imported'] == r['rows'] else 'NO'} | "
                     f"{r['bad_left']} of {r['bad_rows']:,} rows | {r['bad_seconds']:.1f} s |")

    lines += admin_import_lines(results)

    def p50(group, name):
        r = group.get(name, {})
        return r.get("p50")

    lines += ["", "## Targets", ""]
    checks = []
    a, b = p50(d, "meeting list"), p50(ds, "table page (default)")
    if a and b:
        checks.append(verdict(a <= b / 10, f"meeting list with facets {a:.0f} ms ≤ a tenth of Datasette's "
                              f"default table page {b:.0f} ms (ratio {a / b:.2f}, target ≤ 0.10)"))
    b = p50(ds, "table page, _nofacet=1")
    if a and b:
        checks.append(verdict(a <= b, f"meeting list {a:.0f} ms ≤ Datasette `_nofacet=1` {b:.0f} ms "
                              f"(ratio {a / b:.2f})"))
    a, b = p50(d, "meeting detail"), p50(ds, "row page")
    if a and b:
        checks.append(verdict(a <= b, f"meeting detail {a:.1f} ms ≤ Datasette row page {b:.1f} ms, "
                              f"the same page again and again (ratio {a / b:.2f})"))
    a, b = p50(h2h, "defrel"), p50(h2h, "datasette")
    if a and b:
        checks.append(verdict(a <= b, f"meeting detail {a:.1f} ms ≤ Datasette row page {b:.1f} ms, "
                              f"different meetings in turn (ratio {a / b:.2f})"))
    e, cli, dse = results["export"], results["cli_export"], results["datasette_export"]
    if "rows" in e:
        checks.append(verdict(rate(e) >= 50_000, f"streaming export {rate(e):,.0f} rows/s ≥ 50,000"))
        if "rows" in cli:
            checks.append(verdict(rate(e) >= 0.75 * rate(cli), f"streaming export at {rate(e) / rate(cli):.2f} "
                                  f"of the {results['cli_label']}'s {rate(cli):,.0f} rows/s (target ≥ 0.75)"))
        if "rows" in dse:
            checks.append(f"ratio to Datasette's streaming CSV ({rate(dse):,.0f} rows/s): {rate(e) / rate(dse):.2f}")
        checks.append(verdict(e["ttfb"] < 1, f"first byte after {e['ttfb']:.3f} s (< 1 s)"))
        small = results["export_10k"]
        if "rows" in small:
            growth = e["rss_peak"] - small["rss_peak"]
            checks.append(verdict(growth < 50, f"server peak RSS grew {growth:.0f} MB from the "
                                  f"{small['rows']:,}-row export to the {e['rows']:,}-row one (< 50 MB)"))
    for label, r in [("SQLite", results.get("admin_import")), ("PostgreSQL", results.get("pg_admin_import"))]:
        for kind in ("xlsx", "csv") if r else ():
            step = r[kind]
            slowest = max(step["upload_request_seconds"], step.get("confirm_request_seconds", 0))
            checks.append(verdict(
                slowest < ADMIN_REQUEST_TARGET and step.get("written") == r["rows"],
                f"admin import on {label}, {r['rows']:,} rows of {kind.upper()}: upload request "
                f"{step['upload_request_seconds']:.2f} s, confirm request "
                f"{step.get('confirm_request_seconds', 0):.2f} s, each < {ADMIN_REQUEST_TARGET} s (the "
                f"check, {step['check_seconds']:.0f} s, and the import, {step.get('import_seconds', 0):.0f} s, "
                f"run off the request); {step.get('written', 0):,} written"))
    for label, r in imports:
        per_s = r["rows"] / r["seconds"]
        checks.append(verdict(per_s >= 1000 and r["ok"] and not r["bad_left"],
                              f"import on {label}: {per_s:,.0f} rows/s ≥ 1,000 (target stated for "
                              f"PostgreSQL), all or nothing: {'kept' if not r['bad_left'] else 'BROKEN'}"))
    lines += [f"- {c}" for c in checks]
    if args.notes and Path(args.notes).exists():
        lines += ["", Path(args.notes).read_text().strip()]
    return "\n".join(lines) + "\n"


ADMIN_REQUEST_TARGET = 2  # seconds a request of the admin's import may take (bench/NOTES.md)


def admin_import_lines(results):
    """The table of the admin's two import steps (bench/admin_import.py)."""
    runs = [("SQLite", results.get("admin_import")), ("PostgreSQL", results.get("pg_admin_import"))]
    runs = [(label, r) for label, r in runs if r]
    if not runs:
        return []
    lines = ["", "## Import through the admin: preview, then confirm", "",
             "Files of short meetings naming existing partners and officials, uploaded with Django's "
             "test client inside one process (as the import above). Each request answers at once; "
             "the check and the import run off the request (defrel.imports.background) while the "
             "editor's page reloads. Wall-clock seconds.", "",
             "| database | file | size | expands | upload request, s | check, s | confirm request, s "
             "| import, s | written | preview page |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, r in runs:
        for kind in ("xlsx", "csv"):
            step, made = r[kind], r["files"][kind]
            expands = f"{made['ratio']}×" if "ratio" in made else "—"
            lines.append(
                f"| {label} | {r['rows']:,} rows, {kind.upper()} | {made['bytes'] / 1024 / 1024:.2f} MB | {expands} | "
                f"{step['upload_request_seconds']:.2f} | {step['check_seconds']:.1f} | "
                + (f"{step['confirm_request_seconds']:.2f} | {step['import_seconds']:.1f}" if "confirm_request_seconds" in step
                   else "refused | —") + f" | {step.get('written', 0):,} | {step['preview_kb']:,} KB |")
    return lines


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def mem_total():
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        return f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        return "unknown"


def main():
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        helper, database_url, *rest = sys.argv[1:]
        {"_setup": helper_setup, "_import": lambda url, n: helper_import(url, int(n)),
         "_admin_import": lambda url, n: print(json.dumps(admin_import.run(url, int(n)))),
         "_copy": helper_copy}[helper](database_url, *rest)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--cap", type=float, default=15, help="seconds per page at most")
    parser.add_argument("--page-timeout", type=float, default=90,
                        help="seconds a page may take before it is recorded as unanswered")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--admin-import-rows", type=int, default=20_000,
                        help="rows of the XLSX and CSV files imported through the admin")
    parser.add_argument("--skip-admin-export", action="store_true")
    parser.add_argument("--no-postgres", action="store_true",
                        help="SQLite only (by default PostgreSQL too: DATABASE_URL, or a throw-away cluster)")
    parser.add_argument("--out", default=str(BENCH / "RESULTS.md"))
    parser.add_argument("--notes", default=str(BENCH / "NOTES.md"),
                        help="analysis appended to the results (what a missed target means)")
    args = parser.parse_args()
    started = time.monotonic()
    results = {}
    cluster = None
    try:
        run_sqlite(args, results)
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://", "pgsql://")) and not args.no_postgres \
                and pgcluster.available():
            say("a throw-away PostgreSQL cluster")
            cluster = pgcluster.TempPostgres()
            url = cluster.url
        if url.startswith(("postgres://", "postgresql://", "pgsql://")) and not args.no_postgres:
            run_postgres(args, results, url)
    finally:  # what was measured is kept even when a later phase fails
        if cluster:
            cluster.stop()
        (BENCH / "results.json").write_text(json.dumps(results, indent=1, default=str))
    text = report(results, args, started)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()

"""defrel under load: 50 concurrent users for 5 minutes against gunicorn, with admin edits.

    make loadtest                              # SQLite; LOADTEST_SECONDS=120 make loadtest for less
    DATABASE_URL=postgres://… make loadtest    # also PostgreSQL (a database synth may fill)
    make loadtest LOADTEST_ARGS=--temp-postgres   # also PostgreSQL in a throw-away local cluster

Builds (or reuses) bench/defrel-loadtest.sqlite3 with `manage.py synth` (gitignored), creates an
editor account in the group "editor", serves the database with gunicorn (2 × cores + 1 sync
workers on 127.0.0.1, a free port) and runs a bounded threaded client on loopback: every user
loops until the time is up and then stops. Public users mix meeting lists (filters, search,
pages), details (meeting, country, official, agreement), timelines, the agreement matrix and CSV
exports (small filtered ones mostly, an occasional full one); editors log in through the admin's
login page and edit a small set of records again and again: GET the change form, POST it back
with its `seen_version` and a summary_en with a unique token appended. A 302 is a saved edit, the
form again with "Someone else saved this record" a conflict (refused, as it must be); anything
else an error. Afterwards every saved token must be in its record (appended, so a lost update
would drop earlier ones) and in its history, and no refused token anywhere; the gunicorn log is
searched for "database is locked" and server errors. Figures go to bench/LOADTEST.md.
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
sys.path.insert(0, str(BENCH))
from pgcluster import TempPostgres  # noqa: E402
from run import build, cpu_model, django_setup, mem_total, percentile  # noqa: E402  (bench/run.py's helpers)

SQLITE_DB = BENCH / "defrel-loadtest.sqlite3"  # bench/.gitignore: defrel-*.sqlite3*
EDITOR, EDITOR_PASSWORD = "loadtest-editor", "loadtest-only-Pw-7c2e9a"
# defrel.admin.VersionCheckedForm's refusal, in English and Japanese (the admin is in Japanese:
# outside the /en/ prefix LocaleMiddleware takes LANGUAGE_CODE whatever the language cookie says).
STALE = ("Someone else saved this record", "あなたが開いた後に他の利用者が保存しています")
HOT_MEETINGS, HOT_AGREEMENTS = 12, 4  # few records, so that editors collide now and then
REQUEST_TIMEOUT = 300
FULL_EXPORT_EVERY = 90  # seconds: the full meeting export, an occasional heavy request


def say(text):
    print(text, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django_env(database_url):
    return dict(os.environ, DATABASE_URL=database_url, DEBUG="0", DEFREL_ENV="development",
                ALLOWED_HOSTS="127.0.0.1,localhost", LOG_LEVEL="WARNING")


# --- helpers run in a child process bound to one database ----------------------------------------

def helper_setup(database_url):
    """The editor account (group "editor", not a superuser), and samples of what to request."""
    django_setup(database_url)
    import django
    from axes.utils import reset
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.urls import reverse

    from meetings.models import Agreement, Meeting
    from partners.models import Country, Official

    user, _ = User.objects.get_or_create(username=EDITOR)
    user.is_staff, user.is_superuser = True, False
    user.set_password(EDITOR_PASSWORD)
    user.save()
    user.groups.set([Group.objects.get(name="editor")])
    reset(username=EDITOR)  # a fresh start for django-axes (no failures are ever made)
    rng = random.Random(5)

    def sample(queryset, field, n):
        values = list(queryset.order_by().values_list(field, flat=True))
        return rng.sample(values, min(n, len(values)))

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        db_version = cursor.fetchone()[0]
    countries = Country.objects.exclude(code="JP")
    print(json.dumps({
        "meetings": Meeting.objects.count(), "agreements": Agreement.objects.count(),
        "officials": Official.objects.count(), "countries": countries.count(),
        "meeting_keys": sample(Meeting.objects, "key", 1000),
        "agreement_keys": sample(Agreement.objects, "key", 300),
        "official_slugs": sample(Official.objects, "slug", 500),
        "official_names": sample(Official.objects, "name_en", 50),
        "country_codes": sorted(countries.values_list("code", flat=True)),
        "country_names": sorted(countries.values_list("name_en", flat=True)),
        "levels": [v for v, _ in Meeting.Level.choices], "kinds": [v for v, _ in Meeting.Kind.choices],
        "formats": [v for v, _ in Meeting.Format.choices],
        "edit_targets": [reverse("admin:meetings_meeting_change", args=[pk])
                         for pk in sample(Meeting.objects, "pk", HOT_MEETINGS)]
        + [reverse("admin:meetings_agreement_change", args=[pk])
           for pk in sample(Agreement.objects, "pk", HOT_AGREEMENTS)],
        "urls": {
            "meeting_list": reverse("meetings:meeting-list"),
            "meeting_export": reverse("meetings:meeting-export"),
            "agreement_export": reverse("meetings:agreement-export"),
            "timeline": reverse("meetings:timeline"),
            "matrix": reverse("meetings:agreement-matrix"),
            "meeting": reverse("meetings:meeting-detail", args=["KEY"]),
            "agreement": reverse("meetings:agreement-detail", args=["KEY"]),
            "country": reverse("partners:country-detail", args=["CODE"]),
            "official": reverse("partners:official-detail", args=["SLUG"]),
            "admin_login": reverse("admin:login"),
        },
        "versions": {"Django": django.get_version(), connection.vendor: db_version},
    }))


def helper_verify(database_url, path):
    """Every saved token in its record's summary_en and in its history; no refused token."""
    django_setup(database_url)
    from django.urls import resolve

    from meetings.models import Agreement, Meeting

    edits = json.loads(Path(path).read_text())
    models = {"meeting": Meeting, "agreement": Agreement}

    def record(url):
        match = resolve(url)
        return models[match.url_name.split("_")[1]], match.kwargs["object_id"]

    saved_ok, missing, history_missing, refused_found = 0, [], [], []
    for url, token in edits["saved"]:
        model, pk = record(url)
        if model.objects.filter(pk=pk, summary_en__contains=token).exists():
            saved_ok += 1
        else:
            missing.append(token)
        if not model.history.filter(id=pk, summary_en__contains=token).exists():
            history_missing.append(token)
    for url, token in edits["refused"]:
        model, pk = record(url)
        if model.history.filter(summary_en__contains=token).exists():
            refused_found.append(token)
    print(json.dumps({"saved": len(edits["saved"]), "verified": saved_ok, "missing": missing,
                      "history_missing": history_missing, "refused": len(edits["refused"]),
                      "refused_found": refused_found}))


def child(helper, database_url, *args):
    out = subprocess.run([PY, __file__, helper, database_url, *map(str, args)], cwd=ROOT,
                         env=django_env(database_url), check=True, stdout=subprocess.PIPE)
    return json.loads(out.stdout)


# --- the client -----------------------------------------------------------------------------------

class Client:
    """One user: cookies kept, a new connection per request (gunicorn's sync workers close it),
    the whole body read."""

    def __init__(self, port, cookies=None):
        self.port, self.cookies = port, dict(cookies or {})

    def request(self, method, path, body=None, kind=""):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = {"X-Loadtest-Kind": kind} if kind else {}  # gunicorn's access log records it
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response.status, response.headers, data


class ChangeForm(HTMLParser):
    """What a browser would post from the admin's change form: inputs (ticked boxes only),
    textareas, and the chosen options of each select."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self.select, self.first_option, self.chose, self.textarea = None, None, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.append((name, a.get("value") or "on"))
            elif kind not in {"submit", "button", "image", "file", "reset"}:
                self.data.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select, self.first_option, self.chose = name, None, False
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in a:
                self.data.append((self.select, value))
                self.chose = True

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):  # HTML drops the newline right after <textarea>
                text = text[1:]
            self.data.append((name, text))
            self.textarea = None
        elif tag == "select" and self.select:
            if not self.chose and self.first_option is not None:
                self.data.append((self.select, self.first_option))
            self.select = None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)  # kind → seconds of the requests that succeeded
        self.errors = defaultdict(int)  # kind → 5xx, connection errors, unexpected statuses
        self.error_samples = []
        self.statuses = defaultdict(int)
        self.conflicts = 0
        self.saved, self.refused = [], []  # (change URL, token)

    def add(self, kind, seconds, status, ok, detail=""):
        with self.lock:
            self.statuses[status] += 1
            if ok:
                self.times[kind].append(seconds)
            else:
                self.errors[kind] += 1
                if len(self.error_samples) < 30:
                    self.error_samples.append(f"{kind}: {status} {detail}"[:300])


class LoadTest:
    def __init__(self, port, info, seconds, users, editors, think, seed):
        self.port, self.info, self.seconds, self.users, self.editors = port, info, seconds, users, editors
        self.think, self.stats, self.run_id = think, Stats(), uuid.uuid4().hex[:8]
        self.seed, self.deadline, self.token_n = seed, None, 0
        self.token_lock, self.full_lock, self.next_full = threading.Lock(), threading.Lock(), 0.0

    def timed(self, client, kind, method, path, body=None, expect=(200,)):
        started = time.perf_counter()
        try:
            status, headers, data = client.request(method, path, body, kind)
        except (OSError, http.client.HTTPException) as error:
            self.stats.add(kind, time.perf_counter() - started, "connection", False,
                           f"{type(error).__name__}: {error} {path}")
            return None, None, None
        seconds = time.perf_counter() - started
        ok = status in expect
        self.stats.add(kind, seconds, status, ok, path)
        return status, headers, data

    def pause(self, rng):
        low, high = self.think
        time.sleep(min(rng.uniform(low, high), max(0.0, self.deadline - time.monotonic())))

    # --- public users --------------------------------------------------------------------------

    def public_request(self, rng):
        i, u = self.info, self.info["urls"]
        year = rng.choice([rng.randint(1990, 2025), rng.randint(2015, 2025)])
        code = rng.choice(i["country_codes"])
        choices = [
            (14, "list", lambda: u["meeting_list"] + rng.choice(["", f"?page={rng.randint(2, 200)}"])),
            (16, "list, filtered", lambda: u["meeting_list"] + "?" + urlencode(rng.choice([
                {"country": code, "year": year},
                {"country": code},
                {"level": rng.choice(i["levels"]), "year": year},
                {"kind": rng.choice(i["kinds"]), "format": rng.choice(i["formats"])},
                {"year": year, "sort": "date"},
            ]))),
            (7, "list, search", lambda: u["meeting_list"] + "?" + urlencode(rng.choice([
                {"q": rng.choice(i["country_names"])},
                {"q": rng.choice(i["official_names"])},
                {"q": rng.choice(["maritime", "2+2", "防衛", "Summit", "cyber"]), "year": year},
            ]))),
            (14, "meeting detail", lambda: u["meeting"].replace("KEY", rng.choice(i["meeting_keys"]))),
            (7, "country detail", lambda: u["country"].replace("CODE", code)
             + rng.choice(["", f"?year={year}", f"?year={year}", "?kind=milestone"])),
            (8, "official detail", lambda: u["official"].replace("SLUG", rng.choice(i["official_slugs"]))),
            (7, "agreement detail", lambda: u["agreement"].replace("KEY", rng.choice(i["agreement_keys"]))),
            (8, "timeline", lambda: u["timeline"] + rng.choice(
                ["", f"?year={year}", f"?country={code}", f"?country={code}&year={year}",
                 f"?official={rng.choice(i['official_slugs'])}"])),
            (3, "matrix", lambda: u["matrix"] + rng.choice(["", f"?as_of={year}-06-30"])),
            (8, "export, filtered", lambda: rng.choice([
                u["meeting_export"] + "?" + urlencode({"country": code, "year": year}),
                u["meeting_export"] + "?" + urlencode({"level": rng.choice(i["levels"]), "year": year}),
                u["agreement_export"] + "?" + urlencode({"party": code}),
            ])),
        ]
        with self.full_lock:
            if time.monotonic() >= self.next_full:
                self.next_full += FULL_EXPORT_EVERY
                return "export, full", u["meeting_export"]
        weight, kind, make = rng.choices(choices, weights=[c[0] for c in choices])[0]
        path = make()
        if rng.random() < 0.15 and not path.startswith("/en/"):
            path = "/en" + path  # the English site
        return kind, path

    def public_user(self, n):
        rng, client = random.Random(self.seed * 1000 + n), Client(self.port)
        while time.monotonic() < self.deadline:
            kind, path = self.public_request(rng)
            self.timed(client, kind, "GET", path)
            self.pause(rng)

    # --- editors -------------------------------------------------------------------------------

    def login(self, client):
        url = self.info["urls"]["admin_login"]
        status, _h, page = self.timed(client, "admin login", "GET", url)
        if status != 200:
            return False
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, headers, _ = self.timed(client, "admin login", "POST", url, {
            "csrfmiddlewaretoken": token, "username": EDITOR, "password": EDITOR_PASSWORD, "next": "/admin/",
        }, expect=(302,))
        return status == 302 and "sessionid" in client.cookies

    def token(self):
        with self.token_lock:
            self.token_n += 1
            return f"[loadtest {self.run_id}-{self.token_n:05d}]"

    def edit(self, client, rng):
        url = rng.choice(self.info["edit_targets"])
        model = "meeting" if "/meetings/meeting/" in url else "agreement"
        status, _h, page = self.timed(client, "admin change form", "GET", url)
        if status != 200:
            return
        form = ChangeForm(f"{model}_form")
        form.feed(page.decode())
        data = form.data
        fields = dict(data)
        if "seen_version" not in fields or "summary_en" not in fields:
            self.stats.add("admin save", 0, "form", False, f"no seen_version/summary_en in {url}")
            return
        token = self.token()
        summary = fields["summary_en"].rstrip() + " " + token
        body = [(k, summary if k == "summary_en" else v) for k, v in data if k != "_save"]
        self.pause(rng)  # the editor types
        started = time.perf_counter()
        try:
            status, headers, reply = client.request("POST", url, body, "admin save")
        except (OSError, http.client.HTTPException) as error:
            self.stats.add("admin save", time.perf_counter() - started, "connection", False, repr(error))
            return
        seconds = time.perf_counter() - started
        if status == 302:
            self.stats.add("admin save", seconds, status, True)
            with self.stats.lock:
                self.stats.saved.append((url, token))
        elif status == 200 and any(text.encode() in reply for text in STALE):
            self.stats.add("admin save (refused: stale)", seconds, status, True)
            with self.stats.lock:
                self.stats.conflicts += 1
                self.stats.refused.append((url, token))
        else:
            errors = re.findall(rb'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', reply or b"", re.S)[:3]
            self.stats.add("admin save", seconds, status, False,
                           f"{url} {b' '.join(errors).decode(errors='replace')[:200]}")

    def editor(self, n):
        rng = random.Random(self.seed * 1000 + 500 + n)
        client = Client(self.port, {"django_language": "en"})
        time.sleep(rng.uniform(0, 3))
        if not self.login(client):
            return
        while time.monotonic() < self.deadline:
            self.edit(client, rng)
            self.pause(rng)

    def run(self):
        started = time.monotonic()
        self.deadline = started + self.seconds
        self.next_full = started + FULL_EXPORT_EVERY / 2
        threads = [threading.Thread(target=self.editor, args=(n,)) for n in range(self.editors)]
        threads += [threading.Thread(target=self.public_user, args=(n,))
                    for n in range(self.users - self.editors)]
        for n, thread in enumerate(threads):
            thread.start()
            time.sleep(min(0.2, self.seconds / 100))  # a short ramp-up
        for thread in threads:
            thread.join()
        return time.monotonic() - started


# --- servers ------------------------------------------------------------------------------------

def workers():
    return 2 * (os.cpu_count() or 1) + 1


class Gunicorn:
    def __init__(self, database_url, log, access_log):
        self.port, self.log_path = free_port(), log
        self.log = open(log, "w")
        # The time each request spent in a worker (the client's time adds the wait in the queue).
        # Worker timeout above the longest request (a full export under load), so none is killed.
        self.proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "defrel.wsgi:application", "-b", f"127.0.0.1:{self.port}",
             "-w", str(workers()), "--timeout", "240", "--log-level", "warning",
             "--access-logfile", str(access_log), "--access-logformat", "%({x-loadtest-kind}i)s\t%(s)s\t%(D)s"],
            env=django_env(database_url), cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {log}")
            try:
                Client(self.port).request("GET", "/")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# --- one database ---------------------------------------------------------------------------------

def log_findings(path):
    text = Path(path).read_text(errors="replace")
    return {
        "database_is_locked": text.count("database is locked"),
        "tracebacks": text.count("Traceback (most recent call last)"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "server_errors_logged": len(re.findall(r"Internal Server Error", text)),
    }


def server_times(access_log):
    """kind → seconds in the worker, from gunicorn's access log (%(D)s is in microseconds)."""
    times = defaultdict(list)
    for line in Path(access_log).read_text().splitlines():
        kind, _status, micros = (line.split("\t") + ["", "", ""])[:3]
        if kind and kind != "-" and micros.isdigit():
            times[kind].append(int(micros) / 1e6)
    return times


def run_one(label, database_url, args, log):
    access_log = Path(str(log).replace(".log", "-access.log"))
    say(f"{label}: {urlsplit(database_url)._replace(netloc=urlsplit(database_url).hostname or '').geturl()}")
    build(database_url, args.meetings)
    info = child("_setup", database_url)
    server = Gunicorn(database_url, log, access_log)
    say(f"  gunicorn: {workers()} workers on 127.0.0.1:{server.port}; {args.users} users "
        f"({args.editors} editors) for {args.seconds} s")
    try:
        test = LoadTest(server.port, info, args.seconds, args.users, args.editors, args.think, args.seed)
        elapsed = test.run()
    finally:
        server.stop()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"saved": test.stats.saved, "refused": test.stats.refused}, f)
    try:
        verified = child("_verify", database_url, f.name)
    finally:
        os.unlink(f.name)
    s = test.stats
    served = server_times(access_log)
    kinds = sorted(set(s.times) | set(s.errors), key=lambda k: -len(s.times.get(k, [])))
    per_kind = {k: {"n": len(s.times.get(k, [])) + s.errors.get(k, 0), "errors": s.errors.get(k, 0),
                    "p50": statistics.median(s.times[k]) * 1000 if s.times.get(k) else None,
                    "p95": percentile(s.times[k], 0.95) * 1000 if s.times.get(k) else None,
                    "server_p50": statistics.median(served[k]) * 1000 if served.get(k) else None,
                    "server_p95": percentile(served[k], 0.95) * 1000 if served.get(k) else None}
                for k in kinds}
    total = sum(v["n"] for v in per_kind.values())
    all_times = [t for ts in s.times.values() for t in ts]
    return {
        "label": label, "elapsed": elapsed, "requests": total, "rps": total / elapsed,
        "p50": statistics.median(all_times) * 1000 if all_times else None,
        "p95": percentile(all_times, 0.95) * 1000 if all_times else None,
        "errors": sum(s.errors.values()), "error_samples": s.error_samples,
        "statuses": {str(k): v for k, v in sorted(s.statuses.items(), key=str)},
        "conflicts": s.conflicts, "kinds": per_kind, "verify": verified, "log": log_findings(log),
        "log_path": str(Path(log).relative_to(ROOT)), "info": {k: info[k] for k in
                                                               ("meetings", "agreements", "officials",
                                                                "countries", "versions")},
    }


# --- the report -----------------------------------------------------------------------------------

def fmt_ms(value):
    return "—" if value is None else f"{value:,.0f}"


def passed(r):
    v = r["verify"]
    return (r["errors"] == 0 and r["log"]["database_is_locked"] == 0 and not v["missing"]
            and not v["history_missing"] and not v["refused_found"] and v["saved"] > 0)


def report(results, args, versions, started_at):
    lines = [
        "# defrel under load",
        "",
        f"Run {started_at:%Y-%m-%d %H:%M} with `make loadtest` (`bench/loadtest.py"
        + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "") + f"`, LOADTEST_SECONDS={args.seconds}).",
        "",
        f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}), {mem_total()} memory, {platform.platform()}; "
        f"load average before the run {versions['loadavg']} (the machine is shared with other work).",
        f"- Python {platform.python_version()}, gunicorn {versions['gunicorn']} "
        f"({workers()} sync workers = 2 × {os.cpu_count()} cores + 1, 127.0.0.1), "
        + ", ".join(f"{k} {v}" for k, v in versions["db"].items()) + ".",
        f"- Load: {args.users} concurrent users ({args.editors} of them editors) on loopback, one "
        f"process of threads, a new connection per request, the whole body read, "
        f"{args.think[0]:g}–{args.think[1]:g} s of thinking between requests; every user stops "
        "when the time is up. Public users: meeting lists (pages, filters, search), details "
        "(meeting, country, official, agreement), timelines, the agreement matrix, CSV exports "
        f"(filtered mostly; every {FULL_EXPORT_EVERY} s one user takes the full meeting export); 15 % of "
        "the public requests on /en/. "
        f"Editors: log in through /admin/login/, then edit {HOT_MEETINGS} meetings and "
        f"{HOT_AGREEMENTS} agreements again and again (GET the change form, think, POST it back "
        "with its seen_version and a unique token appended to summary_en).",
        "- Errors: 5xx, connection errors and any unexpected status. A refused stale edit is a "
        "conflict, not an error. Verified: each saved token is in its record and in its history "
        "(tokens are appended, so a lost update would drop one), and no refused token was saved.",
        "",
        "## Summary",
        "",
        "| database | meetings | requests | req/s | p50 ms | p95 ms | errors | \"database is locked\" "
        "| edits saved | conflicts | edits verified | refused edits found | result |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        v = r["verify"]
        lines.append(
            f"| {r['label']} | {r['info']['meetings']:,} | {r['requests']:,} | {r['rps']:.1f} | {fmt_ms(r['p50'])} "
            f"| {fmt_ms(r['p95'])} | {r['errors']} | {r['log']['database_is_locked']} | {v['saved']} "
            f"| {r['conflicts']} | {v['verified']}/{v['saved']} (history {v['saved'] - len(v['history_missing'])})"
            f" | {len(v['refused_found'])}/{v['refused']} | {'met' if passed(r) else 'MISSED'} |")
    for r in results:
        lines += ["", f"## {r['label']}: per kind of request ({r['elapsed']:.0f} s)", "",
                  "Client time: from sending the request to the last byte, the wait for a free worker "
                  "included. Worker time: gunicorn's own measure of the time in a worker (access log).",
                  "", "| kind | requests | p50 ms | p95 ms | worker p50 ms | worker p95 ms | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for kind, k in r["kinds"].items():
            lines.append(f"| {kind} | {k['n']:,} | {fmt_ms(k['p50'])} | {fmt_ms(k['p95'])} "
                         f"| {fmt_ms(k.get('server_p50'))} | {fmt_ms(k.get('server_p95'))} | {k['errors']} |")
        lines += ["", f"HTTP statuses: {', '.join(f'{k}: {v:,}' for k, v in r['statuses'].items())}. "
                  f"gunicorn log ({r['log_path']}): {r['log']['database_is_locked']} \"database is locked\", "
                  f"{r['log']['tracebacks']} tracebacks, {r['log']['worker_timeouts']} worker timeouts."]
        if r["error_samples"]:
            lines += ["", "Errors (first ones):", ""] + [f"- `{e}`" for e in r["error_samples"]]
        if r["verify"]["missing"]:
            lines += ["", "Saved edits missing: " + ", ".join(r["verify"]["missing"][:20])]
    notes = BENCH / "LOADTEST-NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    return "\n".join(lines) + "\n"


def think_range(text):
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def main():
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        helper, database_url, *rest = sys.argv[1:]
        {"_setup": helper_setup, "_verify": helper_verify}[helper](database_url, *rest)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS") or 300))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS") or 50))
    parser.add_argument("--editors", type=int, default=5, help="how many of the users are editors")
    parser.add_argument("--think", type=think_range, default=(0.5, 2.0), help="seconds, e.g. 0.5-2")
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--temp-postgres", action="store_true",
                        help="also run on PostgreSQL in a throw-away cluster (PG_BIN, default PostgreSQL 15)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--out", default=str(BENCH / "LOADTEST.md"))
    args = parser.parse_args()
    if not 0 < args.editors < args.users:
        parser.error("--editors must be between 1 and --users - 1")
    started_at = datetime.datetime.now()
    gunicorn_version = subprocess.run([PY, "-m", "gunicorn", "--version"], capture_output=True,
                                      text=True).stdout.split()[-1].strip("()")
    versions = {"gunicorn": gunicorn_version, "db": {},
                "loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    results = []
    if not args.skip_sqlite:
        results.append(run_one("SQLite", f"sqlite:///{SQLITE_DB}", args, BENCH / "loadtest-gunicorn-sqlite.log"))
    url = os.environ.get("DATABASE_URL", "")
    cluster = None
    try:
        if args.temp_postgres:
            cluster = TempPostgres(prefix="defrel-loadtest-pg-")
            url = cluster.url
        if url.startswith(("postgres://", "postgresql://", "pgsql://")):
            results.append(run_one("PostgreSQL", url, args, BENCH / "loadtest-gunicorn-postgres.log"))
    finally:
        if cluster:
            cluster.stop()
    for r in results:
        versions["db"].update(r["info"]["versions"])
    (BENCH / "loadtest-results.json").write_text(json.dumps(results, indent=1))
    text = report(results, args, versions, started_at)
    Path(args.out).write_text(text)
    print(text)
    sys.exit(0 if results and all(passed(r) for r in results) else 1)


if __name__ == "__main__":
    main()

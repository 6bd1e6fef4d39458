"""defrel under load: 50 concurrent users for 5 minutes against gunicorn, with admin edits.

    make loadtest                              # SQLite; make loadtest LOADTEST_SECONDS=30 for less
    DATABASE_URL=postgres://… make loadtest    # also PostgreSQL (a database bench/synth may fill)
    make loadtest LOADTEST_ARGS=--temp-postgres   # also PostgreSQL in a throw-away local cluster

Builds (or reuses) bench/defrel-loadtest.sqlite3 with bench/synth (gitignored), creates an
editor account in the group "editor", serves the database with gunicorn (2 × cores + 1 sync
workers on 127.0.0.1, a free port) and runs locust headless with bench/locustfile.py (the
users: readers and editors) on loopback until the time is up. Afterwards every saved edit's
token must be in its record (tokens are appended, so a lost update would drop earlier ones)
and in its history, and no refused token anywhere; the gunicorn log is searched for "database
is locked" and server errors. Figures go to bench/LOADTEST.md (bench/loadtest_report.py).
"""
import argparse
import csv
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from loadtest_report import passed, report
from pages import percentile
from pgcluster import TempPostgres
from servers import BENCH, PY, current_side, free_port, installed, say, wait_for

SQLITE_DB = BENCH / "defrel-loadtest.sqlite3"  # bench/.gitignore: defrel-*.sqlite3*
EDITOR, EDITOR_PASSWORD = "loadtest-editor", "loadtest-only-Pw-7c2e9a"
HOT_MEETINGS, HOT_AGREEMENTS = 12, 4  # few records, so that editors collide now and then
FULL_EXPORT_EVERY = 90  # seconds: the full meeting export, an occasional heavy request


# --- inside Django (bench/child.py) ---------------------------------------------------------------

def setup():
    """The editor account (group "editor", not a superuser), and samples of what to request."""
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
    return {
        "meetings": Meeting.objects.count(), "agreements": Agreement.objects.count(),
        "officials": Official.objects.count(), "countries": countries.count(),
        "editor": EDITOR, "editor_password": EDITOR_PASSWORD,
        "meeting_keys": sample(Meeting.objects, "key", 1000),
        "agreement_keys": sample(Agreement.objects, "key", 300),
        "official_slugs": sample(Official.objects, "slug", 500),
        "official_names": sample(Official.objects, "name_en", 50),
        "country_codes": sorted(countries.values_list("code", flat=True)),
        "country_names": sorted(countries.values_list("name_en", flat=True)),
        "levels": Meeting.Level.values, "kinds": Meeting.Kind.values, "formats": Meeting.Format.values,
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
    }


def verify(path):
    """Every saved token in its record's summary_en and in its history; no refused token."""
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
        model, _pk = record(url)
        if model.history.filter(summary_en__contains=token).exists():
            refused_found.append(token)
    return {"saved": len(edits["saved"]), "verified": saved_ok, "missing": missing,
            "history_missing": history_missing, "refused": len(edits["refused"]),
            "refused_found": refused_found}


# --- one database ---------------------------------------------------------------------------------

def workers():
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn(side, database_url, log, access_log):
    """Workers for every core; the time each request spent in a worker goes to the access log
    (the client's time adds the wait in the queue); a worker timeout above the longest request
    (a full export under load), so that none is killed."""
    port = free_port()
    proc = subprocess.Popen(
        [PY, "-m", "gunicorn", "defrel.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(workers()), "--timeout", "240", "--log-level", "warning",
         "--access-logfile", str(access_log), "--access-logformat", "%({x-loadtest-kind}i)s\t%(s)s\t%(D)s"],
        env=side.env(database_url, "WARNING"), cwd=side.root, stdout=log, stderr=subprocess.STDOUT)
    wait_for(port, proc)
    return port, proc


def locust(port, info, args, prefix):
    """locust headless against 127.0.0.1:port; the saved and refused edits and the statuses."""
    with tempfile.TemporaryDirectory() as tmp:
        info_path, record_path = Path(tmp) / "info.json", Path(tmp) / "record.json"
        info_path.write_text(json.dumps(info))
        env = dict(os.environ, LOADTEST_INFO=str(info_path), LOADTEST_RECORD=str(record_path),
                   LOADTEST_EDITORS=str(args.editors), LOADTEST_THINK=args.think,
                   LOADTEST_FULL_EXPORT_EVERY=str(FULL_EXPORT_EVERY))
        subprocess.run([PY, "-m", "locust", "-f", str(BENCH / "locustfile.py"), "--headless", "--only-summary",
                        "-u", str(args.users), "-r", "5", "-t", f"{args.seconds}s", "--stop-timeout", "30",
                        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--loglevel", "WARNING"],
                       env=env, cwd=BENCH, check=False)
        return json.loads(record_path.read_text())


def stats(prefix):
    """locust's figures by kind of request (its _stats.csv) and its failures (_failures.csv)."""
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    with open(f"{prefix}_failures.csv", newline="") as f:
        failures = [f"{row['Name']}: {row['Error']} (× {row['Occurrences']})" for row in csv.DictReader(f)]
    return rows, failures


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


def figures(row, served):
    def number(key):
        return float(row[key]) if row.get(key) not in (None, "", "N/A") else None

    return {"n": int(row["Request Count"]), "errors": int(row["Failure Count"]),
            "p50": number("50%"), "p95": number("95%"),
            "server_p50": percentile(served, 0.5) * 1000 if served else None,
            "server_p95": percentile(served, 0.95) * 1000 if served else None}


def run_one(label, database_url, args, log):
    side = current_side()
    access_log = Path(str(log).replace(".log", "-access.log"))
    say(f"{label}: {urlsplit(database_url)._replace(netloc=urlsplit(database_url).hostname or '').geturl()}")
    side.build(database_url, args.meetings)
    info = side.child("loadtest_setup", database_url)
    prefix = BENCH / f"locust-{label.lower()}"
    with open(log, "w") as log_file:
        port, server = gunicorn(side, database_url, log_file, access_log)
        say(f"  gunicorn: {workers()} workers on 127.0.0.1:{port}; locust: {args.users} users "
            f"({args.editors} editors) for {args.seconds} s")
        started = datetime.datetime.now()
        try:
            record = locust(port, info, args, prefix)
        finally:
            server.terminate()
            server.wait(30)
    elapsed = (datetime.datetime.now() - started).total_seconds()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(record, f)
    try:
        verified = side.child("loadtest_verify", database_url, f.name)
    finally:
        os.unlink(f.name)
    rows, failures = stats(prefix)
    total = rows.pop("Aggregated")
    served = server_times(access_log)
    kinds = {name: figures(row, served.get(name)) for name, row in
             sorted(rows.items(), key=lambda item: -int(item[1]["Request Count"]))}
    return {
        "label": label, "elapsed": elapsed, "requests": int(total["Request Count"]),
        "rps": int(total["Request Count"]) / elapsed, "p50": figures(total, None)["p50"],
        "p95": figures(total, None)["p95"], "errors": int(total["Failure Count"]), "error_samples": failures[:30],
        "statuses": record["statuses"], "conflicts": len(record["refused"]), "kinds": kinds,
        "verify": verified, "log": log_findings(log), "log_path": str(Path(log).relative_to(BENCH.parent)),
        "info": {k: info[k] for k in ("meetings", "agreements", "officials", "countries", "versions")},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS") or 300))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS") or 50))
    parser.add_argument("--editors", type=int, default=5, help="how many of the users are editors")
    parser.add_argument("--think", default="0.5-2", help="seconds between a user's requests, e.g. 0.5-2")
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--temp-postgres", action="store_true",
                        help="also run on PostgreSQL in a throw-away cluster (PG_BIN, default PostgreSQL 15)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--out", default=str(BENCH / "LOADTEST.md"))
    args = parser.parse_args()
    args.full_export_every, args.hot = FULL_EXPORT_EVERY, (HOT_MEETINGS, HOT_AGREEMENTS)
    if not 0 < args.editors < args.users:
        parser.error("--editors must be between 1 and --users - 1")
    installed("locust")
    started_at = datetime.datetime.now()
    versions = {"db": {}, "loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg()),
                **{name: subprocess.run([PY, "-m", name, "--version"], capture_output=True, text=True)
                   .stdout.split()[1 if name == "locust" else -1].strip("()") for name in ("gunicorn", "locust")}}
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
    text = report(results, args, versions, started_at, workers())
    Path(args.out).write_text(text)
    print(text)
    sys.exit(0 if results and all(passed(r) for r in results) else 1)


if __name__ == "__main__":
    main()

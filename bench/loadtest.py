"""defrel under load on its production stack, with a replica and an app server failing.

    make loadtest                       # 100 users (10 editors) for 300 s on 20,000 meetings
    make loadtest LOADTEST_SECONDS=60 LOADTEST_USERS=40 LOADTEST_EDITORS=4 LOADTEST_MEETINGS=2000

Starts the stack on loopback in a throw-away directory (defrel.cluster and defrel.stack, as
`make cluster` does): a PostgreSQL primary, its streaming replica and pgbouncer; bench/synth
fills the primary with LOADTEST_MEETINGS meetings; an editor account is made (group "editor",
not a superuser); then Redis, two gunicorn app servers (--workers sync workers each) and nginx
in front. locust runs headless with bench/locustfile.py (readers and editors) against nginx
until the time is up, and on a clock (EVENTS) the replica is killed (`pg_ctl stop -m
immediate`), brought back, and one app server is killed (SIGKILL to its master and workers)
and stays down. Afterwards every acknowledged edit's token must be in its record (tokens are
appended, so a lost update would drop earlier ones) and in its history, no refused token
anywhere; every failed request is listed with its time, kind and status, and the figures are
cut into the phases between the events. Figures go to bench/LOADTEST.md
(bench/loadtest_report.py); the logs and nginx's configuration to bench/loadtest-*.
"""
import argparse
import csv
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cpu import ProcessorTime
from loadtest_report import passed, report
from pages import percentile
from servers import BENCH, PY, ROOT, current_side, installed, say
from stack_parts import stack_parts

sys.path.insert(0, str(ROOT))
from defrel.cluster import PGBOUNCER, Cluster, missing as cluster_missing  # noqa: E402 (standard library only)
from defrel.stack import APP_SERVERS, NGINX, REDIS, Stack, missing as stack_missing  # noqa: E402
from loadtest_logs import (  # noqa: E402 (it reads defrel.stack's names)
    app_processor_time, cache_answers, log_findings, nginx_moves, page_reads, server_times)

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
    """Every acknowledged token in its record's summary_en and in its history; no refused token
    anywhere; and, for the edits whose outcome the editor never learnt (their POST failed),
    whether they were saved."""
    from django.urls import resolve

    from meetings.models import Agreement, Meeting

    edits = json.loads(Path(path).read_text())
    models = {"meeting": Meeting, "agreement": Agreement}

    def record(url):
        match = resolve(url)
        return models[match.url_name.split("_")[1]], match.kwargs["object_id"]

    saved_ok, missing, history_missing, refused_found, unknown_saved = 0, [], [], [], []
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
    for url, token in edits["unknown"]:
        model, pk = record(url)
        if model.objects.filter(pk=pk, summary_en__contains=token).exists():
            unknown_saved.append(token)
    return {"saved": len(edits["saved"]), "verified": saved_ok, "missing": missing,
            "history_missing": history_missing, "refused": len(edits["refused"]),
            "refused_found": refused_found, "unknown": len(edits["unknown"]), "unknown_saved": unknown_saved}


# --- the stack under load -------------------------------------------------------------------------

# What happens during the run, at these fractions of its length (each phase of the report runs
# from one event to the next). The killed app server stays down: nginx carries on with the other.
EVENTS = ((0.30, "replica down"), (0.50, "replica back"), (0.65, "app server app2 killed"))
PHASES = ("both app servers, replica up", "replica down", "replica back", "one app server")
ACCESS_FORMAT = "%({x-loadtest-kind}i)s\t%(s)s\t%(D)s"  # kind, status, microseconds in the worker


def act(event, cluster, stack):
    """Does what ``event`` says; what was done, for the timeline."""
    if event == "replica down":
        cluster.kill_replica()
        return "pg_ctl stop -m immediate"
    if event == "replica back":
        cluster.start_replica()
        return "pg_ctl start (recovery, then streaming again through its slot)"
    pids = stack.kill_app_server("app2")
    return f"SIGKILL to its master and {len(pids) - 1} workers (pids {', '.join(map(str, pids))}); stays down"


def locust(stack, cluster, info, args, prefix):
    """locust headless against nginx, and the events of EVENTS on their clock; the record the
    users wrote (their edits, every request), the timeline (seconds since the start) and the
    start (time.time())."""
    with tempfile.TemporaryDirectory() as tmp:
        info_path, record_path = Path(tmp) / "info.json", Path(tmp) / "record.json"
        info_path.write_text(json.dumps(info))
        env = dict(os.environ, LOADTEST_INFO=str(info_path), LOADTEST_RECORD=str(record_path),
                   LOADTEST_EDITORS=str(args.editors), LOADTEST_THINK=args.think,
                   LOADTEST_FULL_EXPORT_EVERY=str(FULL_EXPORT_EVERY))
        started = time.time()
        users = subprocess.Popen(
            [PY, "-m", "locust", "-f", str(BENCH / "locustfile.py"), "--headless", "--only-summary",
             "-u", str(args.users), "-r", "10", "-t", f"{args.seconds}s", "--stop-timeout", "30",
             "--host", stack.url, "--csv", str(prefix), "--loglevel", "WARNING"], env=env, cwd=BENCH)
        timeline = []
        try:
            for fraction, event in EVENTS:
                time.sleep(max(0.0, started + fraction * args.seconds - time.time()))
                at = time.time() - started
                done = act(event, cluster, stack)
                say(f"  t={at:.0f} s: {event} ({done})")
                timeline.append({"t": at, "event": event, "done": done, "took": time.time() - started - at})
            users.wait()
        finally:
            if users.poll() is None:
                users.terminate()
                users.wait(60)
        record = json.loads(record_path.read_text())
    for request in record["requests"]:
        request[0] -= started  # seconds since the start
    return record, timeline, started


def stats(prefix):
    """locust's figures by kind of request (its _stats.csv)."""
    with open(f"{prefix}_stats.csv", newline="") as f:
        return {row["Name"]: row for row in csv.DictReader(f)}








def figures(row, served):
    def number(key):
        return float(row[key]) if row.get(key) not in (None, "", "N/A") else None

    return {"n": int(row["Request Count"]), "errors": int(row["Failure Count"]),
            "p50": number("50%"), "p95": number("95%"),
            "server_p50": percentile(served, 0.5) * 1000 if served else None,
            "server_p95": percentile(served, 0.95) * 1000 if served else None}


def reader(kind):
    return not kind.startswith("admin")


def summary(requests):
    """Requests, errors, p50/p95 in ms of ``requests`` (as the locustfile records them)."""
    times = sorted(r[3] for r in requests)
    return {"n": len(requests), "errors": sum(1 for r in requests if r[4]),
            "p50": percentile(times, 0.5) if times else None, "p95": percentile(times, 0.95) if times else None}


def phases(requests, timeline, seconds, moves, reads):
    """The run cut at each event: readers' and editors' figures in each phase, and where the
    app servers read the public pages from (the log's times are whole seconds)."""
    bounds = [0.0, *(e["t"] for e in timeline), float("inf")]
    result = []
    for name, low, high in zip(PHASES, bounds, bounds[1:]):
        inside = [r for r in requests if low <= r[0] < high]
        saves = [r for r in inside if r[1].startswith("admin save")]
        result.append({"name": name, "from": low, "to": min(high, seconds),
                       "readers": summary([r for r in inside if reader(r[1])]),
                       "editors": summary([r for r in inside if not reader(r[1])]),
                       "saved": sum(1 for r in saves if r[1] == "admin save" and not r[4]),
                       "refused": sum(1 for r in saves if r[1] != "admin save"),
                       "moved": sum(1 for t in moves if low <= t < high),
                       "from_replica": sum(1 for t, db in reads if low <= t < high and "replica" in db),
                       "from_primary": sum(1 for t, db in reads if low <= t < high and "default" in db)})
    return result


def over_time(requests, processor_time, started, seconds, width=30):
    """The run in stretches of ``width`` seconds: readers' requests and figures, how busy the
    machine was (its processors' share) and which parts of the stack kept it so (processor
    seconds by part), so that a slow start shows apart from the rest."""
    busy = [(t - started, used) for t, used in processor_time["busy"]]
    by_part = [(t - started, used) for t, used in processor_time.get("by_part", ())]
    result = []
    for low in range(0, int(seconds), width):
        high = low + width
        inside = [r for r in requests if low <= r[0] < high and reader(r[1])]
        samples = [(t, used) for t, used in busy if low <= t < high]
        share = ((samples[-1][1] - samples[0][1]) / ((samples[-1][0] - samples[0][0]) * os.cpu_count())
                 if len(samples) > 1 else None)
        parts = [used for t, used in by_part if low <= t < high]
        spent = ({part: seconds - parts[0].get(part, 0.0) for part, seconds in parts[-1].items()}
                 if len(parts) > 1 else {})
        result.append({"from": low, "to": high, "readers": summary(inside), "busy": share, "parts": spent})
    return result


def run(cluster, args):
    side = current_side()
    primary = cluster.url("primary")
    say(f"stack: PostgreSQL primary + replica, pgbouncer in {cluster.dir}")
    side.build(primary, args.meetings)
    info = side.child("loadtest_setup", primary)
    stack = Stack(cluster.dir / "stack", cluster.environment(), primary, workers=args.workers, timeout=240,
                  access_log_format=ACCESS_FORMAT).start()
    say(f"  nginx {stack.url} → 2 gunicorn app servers × {args.workers} workers; locust: {args.users} users "
        f"({args.editors} editors) for {args.seconds} s")
    processor = ProcessorTime(stack_parts(cluster)).start()
    record, timeline, started = locust(stack, cluster, info, args, BENCH / "locust-stack")
    elapsed = time.time() - started
    processor_time = processor.stop()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(record, f)
    try:
        verified = side.child("loadtest_verify", primary, f.name)
    finally:
        os.unlink(f.name)
    rows = stats(BENCH / "locust-stack")
    total = rows.pop("Aggregated")
    served = server_times(stack)
    kinds = {name: figures(row, served.get(name)) for name, row in
             sorted(rows.items(), key=lambda item: -int(item[1]["Request Count"]))}
    requests = record["requests"]
    failed = [{"t": r[0], "kind": r[1], "status": r[2], "error": r[4]} for r in requests if r[4]]
    moves = nginx_moves(stack, started)
    findings = log_findings(stack)
    for name in ("nginx.conf", "nginx-access.log", "nginx-error.log", *(f"{a}{s}.log" for a in APP_SERVERS
                                                                      for s in ("", "-access"))):
        shutil.copy(stack.dir / name, BENCH / f"loadtest-{name}")  # kept after the cluster goes
    return {
        "elapsed": elapsed, "requests": int(total["Request Count"]), "rps": int(total["Request Count"]) / elapsed,
        "readers": summary([r for r in requests if reader(r[1])]),
        "editors": summary([r for r in requests if not reader(r[1])]),
        "failed": failed, "statuses": record["statuses"], "conflicts": len(record["refused"]), "kinds": kinds,
        "timeline": timeline, "phases": phases(requests, timeline, args.seconds, moves, page_reads(stack, started)),
        "over_time": over_time(requests, processor_time, started, args.seconds),
        "moved": len(moves), "processor": processor_time, "app_processor": app_processor_time(stack, info),
        "verify": verified, "log": findings, "cache": cache_answers(stack),
        "info": {k: info[k] for k in ("meetings", "agreements", "officials", "countries", "versions")},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS") or 300))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS") or 100))
    parser.add_argument("--editors", type=int, default=int(os.environ.get("LOADTEST_EDITORS") or 10),
                        help="how many of the users are editors")
    parser.add_argument("--meetings", type=int, default=int(os.environ.get("LOADTEST_MEETINGS") or 20_000))
    parser.add_argument("--workers", type=int, default=3, help="sync workers of each app server")
    parser.add_argument("--think", default="0.5-2", help="seconds between a user's requests, e.g. 0.5-2")
    parser.add_argument("--out", default=str(BENCH / "LOADTEST.md"))
    args = parser.parse_args()
    args.full_export_every, args.hot = FULL_EXPORT_EVERY, (HOT_MEETINGS, HOT_AGREEMENTS)
    if not 0 < args.editors < args.users:
        parser.error("--editors must be between 1 and --users - 1")
    if cluster_missing() or stack_missing():
        sys.exit("make loadtest needs " + ", ".join(cluster_missing() + stack_missing()))
    installed("locust")
    started_at = datetime.datetime.now()
    versions = {"loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg()),
                **{name: subprocess.run([PY, "-m", name, "--version"], capture_output=True, text=True)
                   .stdout.split()[1 if name == "locust" else -1].strip("()") for name in ("gunicorn", "locust")},
                "nginx": subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1],
                "redis": subprocess.run([REDIS, "--version"], capture_output=True, text=True).stdout.split()[2][2:],
                "pgbouncer": subprocess.run([PGBOUNCER, "--version"], capture_output=True, text=True)
                .stdout.split("\n")[0].split()[-1]}
    cluster = Cluster(tempfile.mkdtemp(prefix="defrel-loadtest-")).start()
    try:
        result = run(cluster, args)
    finally:
        cluster.stop()
    versions.update(result["info"]["versions"])
    (BENCH / "loadtest-results.json").write_text(json.dumps(result, indent=1))
    text = report(result, args, versions, started_at)
    Path(args.out).write_text(text)
    print(text)
    sys.exit(0 if passed(result) else 1)


if __name__ == "__main__":
    main()

"""What a load test reads from the stack's logs once the users have stopped
(bench/loadtest.py): the app servers' tracebacks and replica notes, the time each request
spent in a worker, the requests nginx moved to the other app server, where the public pages
were read from and the processor time of each page."""
import datetime
import json
import re
from collections import defaultdict
from pathlib import Path

from pages import percentile

from defrel.stack import APP_SERVERS  # the project's root is on the path (bench/loadtest.py)

def log_findings(stack):
    apps = "".join(Path(stack.dir / f"{name}.log").read_text(errors="replace") for name in APP_SERVERS)
    nginx = (stack.dir / "nginx-error.log").read_text(errors="replace")
    return {
        "tracebacks": apps.count("Traceback (most recent call last)"),
        "worker_timeouts": apps.count("WORKER TIMEOUT"),
        "server_errors_logged": apps.count("Internal Server Error"),
        "replica_skipped": apps.count("skipped:"),
        "replica_failed_during_page": apps.count("answered from the primary"),
        "nginx_upstream_errors": len(re.findall(r"\[error\].*upstream", nginx)),
    }


def cache_answers(stack):
    """{what nginx's cache did: n} over the run's requests (the access log's last field: HIT,
    STALE, UPDATING, MISS, EXPIRED, BYPASS for a session, "-" for what it never keeps)."""
    counted = defaultdict(int)
    for line in (stack.dir / "nginx-access.log").read_text().splitlines():
        counted[line.rsplit(" ", 1)[-1]] += 1
    return dict(sorted(counted.items(), key=lambda item: -item[1]))


def server_times(stack):
    """kind → seconds in a worker, from both app servers' access logs (%(D)s: microseconds)."""
    times = defaultdict(list)
    for name in APP_SERVERS:
        path = stack.dir / f"{name}-access.log"
        for line in path.read_text().splitlines() if path.exists() else []:
            kind, _status, micros = (line.split("\t") + ["", "", ""])[:3]
            if kind and kind != "-" and micros.isdigit():
                times[kind].append(int(micros) / 1e6)
    return times


def nginx_moves(stack, started):
    """Seconds since the start of each request nginx sent to a second app server."""
    moves = []
    for line in (stack.dir / "nginx-access.log").read_text().splitlines():
        msec, _, rest = line.partition(" ")
        upstreams = rest.split('"')[3] if rest.count('"') >= 4 else ""
        if "," in upstreams:
            moves.append(float(msec) - started)
    return moves


def page_reads(stack, started):
    """(seconds since the start, the databases used) of each public GET the app servers logged
    (LOG_FORMAT=json: one line per request, with the aliases it read from)."""
    reads = []
    for name in APP_SERVERS:
        for line in (stack.dir / f"{name}.log").read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            entry = json.loads(line)
            if entry.get("method") == "GET" and not entry["path"].startswith("/admin"):
                at = datetime.datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S%z").timestamp()
                reads.append((at - started, entry.get("db") or ""))
    return reads


def routes(info):
    """(pattern, route) for the pages the users ask: a record's key, code or slug in its URL
    stands for any; the admin's ids too."""
    patterns = [(re.compile("^" + re.escape(url).replace("KEY", "[^/]+").replace("CODE", "[^/]+")
                            .replace("SLUG", "[^/]+") + "$"), url.replace("KEY", "<key>")
                 .replace("CODE", "<code>").replace("SLUG", "<slug>")) for url in info["urls"].values()]
    return patterns + [(re.compile(r"^/admin/(\w+)/(\w+)/\d+/change/$"), "/admin/…/<id>/change/")]


def app_processor_time(stack, info):
    """route → milliseconds on a processor of each request the app servers logged (cpu_ms of
    their JSON request log; /en/… counted with its Japanese twin)."""
    patterns, times = routes(info), defaultdict(list)
    for name in APP_SERVERS:
        for line in (stack.dir / f"{name}.log").read_text(errors="replace").splitlines():
            if line.startswith("{") and '"cpu_ms"' in line:
                entry = json.loads(line)
                path = entry["path"].removeprefix("/en")
                route = next((r for pattern, r in patterns if pattern.match(path)), "other")
                times[route].append(entry["cpu_ms"])
    return {route: {"n": len(ms), "p50": percentile(sorted(ms), 0.5), "mean": sum(ms) / len(ms),
                    "total_s": sum(ms) / 1000} for route, ms in sorted(times.items(), key=lambda i: -sum(i[1]))}

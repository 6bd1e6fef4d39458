"""bench/LOADTEST.md from a load test's figures (bench/loadtest.py)."""
import os
import platform
import sys
from pathlib import Path

from report import cpu_model, mem_total
from stack_parts import APP_SERVERS, LOCUST, PRIMARY, REPLICA

NOTES = Path(__file__).resolve().parent / "LOADTEST-NOTES.md"  # kept by hand, appended


def fmt_ms(value):
    return "—" if value is None else f"{value:,.0f}"


def passed(r):
    """Readers without an error, every acknowledged edit kept, no refused edit saved."""
    v = r["verify"]
    return (r["readers"]["errors"] == 0 and not v["missing"] and not v["history_missing"]
            and not v["refused_found"] and v["saved"] > 0)


def report(r, args, versions, started_at):
    """The text of bench/LOADTEST.md, section by section, the notes kept by hand last."""
    lines = (run_description(r, args, versions, started_at) + summary_table(r) + timeline_list(r, args)
             + phases_table(r) + over_time_table(r) + failures_list(r) + kinds_table(r) + processor_table(r))
    if NOTES.exists():
        lines += ["", NOTES.read_text().strip()]
    return "\n".join(lines) + "\n"


def run_description(r, args, versions, started_at):
    """The title and how the run was made: the machine, the stack, the load, what counts as an error."""
    low, _, high = args.think.partition("-")
    return [
        "# defrel under load, on its production stack",
        "",
        f"Run {started_at:%Y-%m-%d %H:%M} with `make loadtest` (`bench/loadtest.py"
        + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "") + f"`, {args.seconds} s, {args.users} users, "
        f"{args.editors} editors, {r['info']['meetings']:,} meetings).",
        "",
        f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}), {mem_total()} memory, {platform.platform()}; "
        f"load average before the run {versions['loadavg']} (the machine is shared with other work). "
        "Everything below runs on it, on 127.0.0.1, the load generator included.",
        f"- Stack (`defrel/cluster.py`, `defrel/stack.py`; the nginx configuration is "
        f"`bench/loadtest-nginx.conf`): nginx {versions['nginx']} → two gunicorn {versions['gunicorn']} app "
        f"servers ({args.workers} sync workers each; Python {platform.python_version()}, Django "
        f"{versions['Django']}) → pgbouncer {versions['pgbouncer']} (transaction pooling) → PostgreSQL "
        f"{versions['postgresql']} primary, and straight to its streaming replica for public pages; Redis "
        f"{versions['redis']} as the shared cache; locust {versions['locust']}.",
        f"- Load: {args.users} users ({args.editors} of them editors), locust headless (`bench/locustfile.py`, "
        f"one process, 10 new users a second), the whole body read, {low}–{high or low} s of thinking between "
        "requests; users stop when the time is up (a request under way is finished, up to 30 s). Readers: "
        "meeting lists (pages, filters, search), details (meeting, country, official, agreement), timelines, "
        f"the agreement matrix, CSV exports (filtered mostly; every {args.full_export_every} s one user takes "
        f"the full meeting export); 15 % on /en/. Editors: log in through /admin/login/, then edit {args.hot[0]} "
        f"meetings and {args.hot[1]} agreements again and again (GET the change form, think, POST it back with "
        "its seen_version and a unique token appended to summary_en).",
        "- Errors: 5xx, connection errors and any unexpected status. A refused stale edit is a conflict, not an "
        "error. Verified on the primary afterwards: each acknowledged (302) token is in its record and in its "
        "history (tokens are appended, so a lost update would drop one), no refused token was saved.",
    ]


def summary_table(r):
    """The summary table: one row for the whole run, and whether it met its targets."""
    v = r["verify"]
    return [
        "",
        "## Summary",
        "",
        "| requests | req/s | reader p50 ms | reader p95 ms | reader errors | editor errors | edits acknowledged "
        "| in record (history) | conflicts | refused edits found | unanswered edits (saved) | result |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {r['requests']:,} | {r['rps']:.1f} | {fmt_ms(r['readers']['p50'])} | {fmt_ms(r['readers']['p95'])} "
        f"| {r['readers']['errors']} | {r['editors']['errors']} | {v['saved']} | {v['verified']} "
        f"({v['saved'] - len(v['history_missing'])}) | {r['conflicts']} | {len(v['refused_found'])}/{v['refused']} "
        f"| {v['unknown']} ({len(v['unknown_saved'])}) | {'met' if passed(r) else 'MISSED'} |",
    ]


def timeline_list(r, args):
    """The run's events, from the users' start to their stop."""
    lines = [
        "",
        "## Timeline",
        "",
        "- t=0 s: the users start (all running after "
        f"{args.users / 10:.0f} s).",
    ]
    lines += [f"- t={e['t']:.0f} s: {e['event']}: {e['done']} ({e['took']:.1f} s)." for e in r["timeline"]]
    lines += [f"- t={r['elapsed']:.0f} s: the users stop."]
    return lines


def phases_table(r):
    """The phases table: one row for each stretch between two events."""
    lines = ["", "## Phases", "",
             "Each phase runs from one event to the next; a request belongs to the phase in which it started. "
             "Moved: requests nginx sent on to the other app server after the first failed them. Pages read "
             "from: the public GETs the app servers answered, by the database they read (their JSON request "
             "log; a page made from the cache reads neither; its times are whole seconds).", "",
             "| phase | from s | to s | reader requests | reader errors | reader p50 ms | reader p95 ms "
             "| editor requests | editor errors | edits saved | refused (stale) | moved by nginx "
             "| pages read from replica / primary |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in r["phases"]:
        rd, ed = p["readers"], p["editors"]
        lines.append(f"| {p['name']} | {p['from']:.0f} | {p['to']:.0f} | {rd['n']:,} | {rd['errors']} "
                     f"| {fmt_ms(rd['p50'])} | {fmt_ms(rd['p95'])} | {ed['n']:,} | {ed['errors']} | {p['saved']} "
                     f"| {p['refused']} | {p['moved']} | {p['from_replica']} / {p['from_primary']} |")
    return lines


def over_time_table(r):
    """Readers' figures stretch by stretch of the run, with how busy the machine was."""
    if not r.get("over_time"):
        return []
    lines = ["", "## Over time", "",
             f"The readers' requests by when they started, in stretches of {r['over_time'][0]['to']} s; "
             "busy: the share of the machine's processors in use "
             "(/proc/stat, read once a second); then the processor seconds of the main parts of the "
             "stack in the stretch (as in \"Processor time by part of the stack\").", "",
             "| from s | to s | reader requests | reader p50 ms | reader p95 ms | busy "
             + "".join(f"| {label} " for label, _ in STRETCH_PARTS) + "|",
             "|---:|---:|---:|---:|---:|---:" + "|---:" * len(STRETCH_PARTS) + "|"]
    for w in r["over_time"]:
        rd = w["readers"]
        busy = "—" if w["busy"] is None else f"{w['busy']:.0%}"
        parts = w.get("parts") or {}
        named = {p for _, names in STRETCH_PARTS if names for p in names}
        spent = "".join("| — " if not parts else
                        f"| {sum(s for p, s in parts.items() if (p in names if names else p not in named)):.1f} "
                        for _, names in STRETCH_PARTS)
        lines.append(f"| {w['from']} | {w['to']} | {rd['n']:,} | {fmt_ms(rd['p50'])} | {fmt_ms(rd['p95'])} | {busy} "
                     f"{spent}|")
    return lines


# The columns of the stretches' processor seconds: (heading, the parts summed; None: every
# part not in another column).
STRETCH_PARTS = [("app s", (APP_SERVERS,)), ("PostgreSQL s", (PRIMARY, REPLICA)), ("locust s", (LOCUST,)),
                 ("rest s", None)]


def failures_list(r):
    """The failed requests (the first 60), the unanswered edits and any edit lost or wrongly saved."""
    v = r["verify"]
    lines = ["", "## Failed requests", ""]
    if r["failed"]:
        lines += [f"- t={f['t']:.1f} s, {f['kind']}, status {f['status']}: `{f['error']}`" for f in r["failed"][:60]]
        if len(r["failed"]) > 60:
            lines.append(f"- … and {len(r['failed']) - 60} more (bench/loadtest-results.json)")
    else:
        lines.append("None.")
    if v["unknown"]:
        lines += ["", f"Edits whose POST failed (the editor got no answer): {v['unknown']}; saved all the same "
                  f"(committed before the server died): {len(v['unknown_saved'])}."]
    for name, tokens in (("Acknowledged edits missing from their record", v["missing"]),
                         ("Acknowledged edits missing from their history", v["history_missing"]),
                         ("Refused edits found saved", v["refused_found"])):
        if tokens:
            lines += ["", f"{name}: " + ", ".join(tokens[:20])]
    return lines


def kinds_table(r):
    """The table by kind of request, then the HTTP statuses and what the servers' logs show."""
    log = r["log"]
    lines = ["", f"## Per kind of request ({r['elapsed']:.0f} s)", "",
             "Client time: locust's, from sending the request to the last byte, through nginx, the wait for a "
             "free worker included (its percentiles are rounded to two significant figures). Worker time: "
             "gunicorn's own measure of the time in a worker (both app servers' access logs).",
             "", "| kind | requests | p50 ms | p95 ms | worker p50 ms | worker p95 ms | errors |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, k in r["kinds"].items():
        lines.append(f"| {kind} | {k['n']:,} | {fmt_ms(k['p50'])} | {fmt_ms(k['p95'])} "
                     f"| {fmt_ms(k.get('server_p50'))} | {fmt_ms(k.get('server_p95'))} | {k['errors']} |")
    statuses = sorted(r["statuses"].items(), key=lambda item: str(item[0]))
    lines += ["", f"HTTP statuses: {', '.join(f'{k}: {n:,}' for k, n in statuses)}. App servers' logs "
              f"(bench/loadtest-app1.log, -app2.log): {log['tracebacks']} tracebacks, {log['worker_timeouts']} "
              f"worker timeouts, {log['replica_skipped']} \"replica skipped\" (a worker's check found it down), "
              f"{log['replica_failed_during_page']} pages made again from the primary after the replica failed "
              f"under them. nginx's error log: {log['nginx_upstream_errors']} upstream errors; {r['moved']} "
              "requests moved to the other app server."]
    if r.get("cache"):
        lines += ["", "nginx's cache, request by request (its access log): " + ", ".join(
            f"{CACHE_ANSWERS.get(k, k)} {n:,}" for k, n in r["cache"].items()) + "."]
    return lines


# What nginx's $upstream_cache_status says, in the report's words.
CACHE_ANSWERS = {"HIT": "answered from the cache (HIT)",
                 "STALE": "answered with the page kept while it was asked for again (STALE)",
                 "UPDATING": "the same while another request was asking (UPDATING)",
                 "MISS": "not kept, asked of an app server (MISS)",
                 "EXPIRED": "kept too long ago, asked again while the reader waited (EXPIRED)",
                 "REVALIDATED": "kept, and the app server said it had not changed (REVALIDATED)",
                 "BYPASS": "an editor's, sent to the app (BYPASS)",
                 "-": "not looked up: POSTs (-)"}


def processor_table(r):
    """Where the processors' time went during the run, by part of the stack (bench/cpu.py)."""
    used = r.get("processor")
    if not used:
        return []
    capacity = used["capacity"]
    lines = ["", "## Processor time by part of the stack", "",
             f"Read from /proc once a second while the users ran ({used['elapsed']:.0f} s; "
             f"{os.cpu_count()} processors, so {capacity:,.0f} processor-seconds in all). A process counts under "
             "the part it or an ancestor belongs to (a PostgreSQL backend under its server, a gunicorn worker "
             "under its app server); *anything else* is other work on the shared machine.", "",
             "| part | processor s | share of the capacity | per request, ms |", "|---|---:|---:|---:|"]
    for part, seconds in [*used["parts"].items(), ("the whole machine, busy", used["machine"])]:
        lines.append(f"| {part} | {seconds:,.1f} | {seconds / capacity:.0%} | {seconds * 1000 / r['requests']:.1f} |")
    routes = r.get("app_processor") or {}
    if routes:
        lines += ["", "In the app servers, by page (`cpu_ms` of their JSON request log: the worker's own processor "
                  "time, from the request to the response ready; pages nginx answered from its cache never reach "
                  "them; /en/… counted with its Japanese twin):", "",
                  "| page | requests | processor ms, p50 | mean | processor s in all |", "|---|---:|---:|---:|---:|"]
        lines += [f"| `{route}` | {t['n']:,} | {t['p50']:.1f} | {t['mean']:.1f} | {t['total_s']:.1f} |"
                  for route, t in routes.items()]
    return lines

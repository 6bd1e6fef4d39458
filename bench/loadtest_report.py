"""bench/LOADTEST.md from a load test's figures (bench/loadtest.py)."""
import os
import platform
import sys
from pathlib import Path

from report import cpu_model, mem_total

NOTES = Path(__file__).resolve().parent / "LOADTEST-NOTES.md"  # kept by hand, appended


def fmt_ms(value):
    return "—" if value is None else f"{value:,.0f}"


def passed(r):
    v = r["verify"]
    return (r["errors"] == 0 and r["log"]["database_is_locked"] == 0 and not v["missing"]
            and not v["history_missing"] and not v["refused_found"] and v["saved"] > 0)


def report(results, args, versions, started_at, workers):
    low, _, high = args.think.partition("-")
    lines = [
        "# defrel under load",
        "",
        f"Run {started_at:%Y-%m-%d %H:%M} with `make loadtest` (`bench/loadtest.py"
        + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "") + f"`, LOADTEST_SECONDS={args.seconds}).",
        "",
        f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}), {mem_total()} memory, {platform.platform()}; "
        f"load average before the run {versions['loadavg']} (the machine is shared with other work).",
        f"- Python {platform.python_version()}, gunicorn {versions['gunicorn']} "
        f"({workers} sync workers = 2 × {os.cpu_count()} cores + 1, 127.0.0.1), "
        + ", ".join(f"{k} {v}" for k, v in versions["db"].items()) + f", locust {versions['locust']}.",
        f"- Load: {args.users} concurrent users ({args.editors} of them editors) on loopback, locust "
        f"headless (`bench/locustfile.py`, one process, spawning 5 users a second), the whole body read, "
        f"{low}–{high or low} s of thinking between requests; users stop when the time is up (a request "
        "under way is finished, up to 30 s). Readers: meeting lists (pages, filters, search), details "
        "(meeting, country, official, agreement), timelines, the agreement matrix, CSV exports "
        f"(filtered mostly; every {args.full_export_every} s one user takes the full meeting export); 15 % of "
        f"the readers' requests on /en/. Editors: log in through /admin/login/, then edit {args.hot[0]} meetings and {args.hot[1]} agreements again "
        "and again (GET the change form, think, POST it back with its seen_version and a unique token "
        "appended to summary_en).",
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
                  "Client time: locust's, from sending the request to the last byte, the wait for a free "
                  "worker included (its percentiles are rounded to two significant figures). Worker time: "
                  "gunicorn's own measure of the time in a worker (access log).",
                  "", "| kind | requests | p50 ms | p95 ms | worker p50 ms | worker p95 ms | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for kind, k in r["kinds"].items():
            lines.append(f"| {kind} | {k['n']:,} | {fmt_ms(k['p50'])} | {fmt_ms(k['p95'])} "
                         f"| {fmt_ms(k.get('server_p50'))} | {fmt_ms(k.get('server_p95'))} | {k['errors']} |")
        statuses = sorted(r["statuses"].items(), key=lambda item: str(item[0]))
        lines += ["", f"HTTP statuses: {', '.join(f'{k}: {v:,}' for k, v in statuses)}. "
                  f"gunicorn log ({r['log_path']}): {r['log']['database_is_locked']} \"database is locked\", "
                  f"{r['log']['tracebacks']} tracebacks, {r['log']['worker_timeouts']} worker timeouts."]
        if r["error_samples"]:
            lines += ["", "Errors (first ones):", ""] + [f"- `{e}`" for e in r["error_samples"]]
        if r["verify"]["missing"]:
            lines += ["", "Saved edits missing: " + ", ".join(r["verify"]["missing"][:20])]
    if NOTES.exists():
        lines += ["", NOTES.read_text().strip()]
    return "\n".join(lines) + "\n"

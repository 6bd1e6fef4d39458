"""defrel at 100,000 meetings, measured side by side with a baseline revision, Datasette and the
raw limits.

    make bench                                  # or: .venv/bin/python bench/run.py [--requests 30 --cap 15]
    make bench BASELINE=HEAD~1                  # this checkout and that revision, side by side
    make bench BENCH_ARGS="--meetings 2000 --requests 5 --cap 3 --no-postgres"   # a quick run
    DATABASE_URL=postgres://… make bench        # PostgreSQL at that address instead of a throw-away one

With BASELINE, the revision is checked out into a temporary git worktree (sharing .venv) and
every measurement of defrel runs on both revisions in the same run: pages request by request in turn,
exports in turn, imports back to back, each revision on its own database generated alike
(bench/synth, same size and seed; SQLite files bench/defrel-<size>[-baseline].sqlite3, a
second PostgreSQL database <name>_baseline). Datasette and the raw limits (the sqlite3 command
line on a view of the same columns, PostgreSQL's COPY) are measured once, as references.

Pages: gunicorn (one sync worker), a bounded client on loopback (a fixed number of requests per
page and a time cap, one at a time); exports: rows/s, time to first byte, peak RSS of the
serving process; imports: 10,000 rows through MeetingResource, all or nothing, and files
through the admin's two steps. Writes bench/RESULTS.md (bench/report.py) and results.json.
"""
import argparse
import json
import os
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pgcluster
from client import Client
from exports import (VIEW, admin_export, cli_export_command, drop_view, http_export, make_view, median_run,
                     process_export, rate, read_through, sqlite3_version)
from pages import Target, head_to_head, in_turn, measure_pages
from report import Report
from servers import (BENCH, PY, ROOT, Baseline, current_side, datasette, datasette_version, gunicorn, say,
                     file_of)

EXPORT_TURNS = 3  # full exports by each revision and by the command line, taken in turn
POSTGRES = ("postgres://", "postgresql://", "pgsql://")
SEARCH_TABLE = "bench_meeting_search"  # Datasette's FTS5 table of the meetings' texts


def sqlite_file(side, meetings):
    size = f"{meetings // 1000}k" if meetings % 1000 == 0 else str(meetings)
    db = BENCH / f"defrel-{size}{'-baseline' if side.name == 'baseline' else ''}.sqlite3"
    # A baseline file is kept for the same revision only: another one's schema may be newer.
    stamp = db.with_suffix(".revision")
    if side.name == "baseline" and db.exists() and (not stamp.exists() or stamp.read_text() != side.revision):
        db.unlink()
    if side.name == "baseline":
        stamp.write_text(side.revision)
    if db.exists():
        drop_view(db)  # SQLite cannot rebuild a table a view reads (as migrations do) under it
    return db


def prepare(sides, urls, args, results, db):
    """Each revision's database built (or reused) and its pages' setup; {name: info}."""
    infos = {}
    for side in sides:
        seconds = side.build(urls[side.name], args.meetings)
        run = results["runs"][side.name].setdefault(db, {})
        run["synth_seconds"] = seconds
        if urls[side.name].startswith("sqlite:"):
            read_through(file_of(urls[side.name]))
        infos[side.name] = run["info"] = side.child("setup", urls[side.name])
    return infos


def measure_served(sides, urls, infos, args, results, db, cli=None):
    """Pages and exports of every revision, served at once and asked in turn."""
    servers = {side.name: gunicorn(side, urls[side.name], f"gunicorn-{db}") for side in sides}
    try:
        pages, clients = measure_pages({name: (servers[name], infos[name]) for name in servers}, args, say)
        pids = {name: server.worker_pid() for name, server in servers.items()}
        for name in servers:
            results["runs"][name][db]["pages"] = pages[name]
        if args.pages:
            return
        for name in servers:
            run = results["runs"][name][db]
            say(f"  {name}: export of one level")
            run["export_10k"] = http_export(clients[name], "GET", infos[name]["export_10k"], pids[name])
        turns = {name: [] for name in servers}
        ndjson_turns = {}
        if cli:
            turns["cli"] = []
        for turn in range(EXPORT_TURNS):  # in turn: all see the same moments of a shared machine
            say(f"  full exports, turn {turn + 1} of {EXPORT_TURNS}")
            for name in (list(servers) if turn % 2 == 0 else list(servers)[::-1]):
                turns[name].append(http_export(clients[name], "GET", infos[name]["export"], pids[name]))
                if infos[name].get("ndjson"):  # the same meetings as NDJSON, right after
                    ndjson_turns.setdefault(name, []).append(
                        http_export(clients[name], "GET", infos[name]["ndjson"], pids[name]))
            if cli:
                turns["cli"].append(process_export(cli))
        for name in servers:
            run = results["runs"][name][db]
            run["export"] = median_run(turns[name])
            if name in ndjson_turns:
                run["ndjson"] = median_run(ndjson_turns[name])
            run["export_turns"] = {n: [round(rate(r)) for r in runs] for n, runs in turns.items()}
            if not args.skip_admin_export:
                say(f"  {name}: the admin's export")
                run["admin_export"] = admin_export(clients[name], infos[name], pids[name])
        if cli:
            results["cli_export"] = median_run(turns["cli"])
    finally:
        for server in servers.values():
            server.stop()


def imports(sides, urls, args, results, db):
    if args.pages:
        return
    for side in sides:
        run = results["runs"][side.name][db]
        say(f"  {side.name}: import of {args.import_rows:,} meetings through MeetingResource ({db})")
        run["import"] = side.child("import", urls[side.name], args.import_rows)
        if args.admin_import_rows:
            say(f"  {side.name}: import of {args.admin_import_rows:,} meetings through the admin ({db})")
            run["admin_import"] = side.child("admin_import", urls[side.name], args.admin_import_rows)


def view_sql(sides, url):
    """The export's columns as plain SQL, from this revision (or else the baseline's)."""
    for side in sides:
        sql = side.child("view", url)["sql"]
        if sql:
            return sql
    return None


def run_sqlite(args, sides, results):
    dbs = {side.name: sqlite_file(side, args.meetings) for side in sides}
    urls = {name: f"sqlite:///{db}" for name, db in dbs.items()}
    say("SQLite")
    infos = prepare(sides, urls, args, results, "sqlite")
    db = dbs["current"]
    results["versions"] = infos["current"]["versions"]
    results["datasette_version"] = None if args.no_datasette else datasette_version(install=True)
    sql = view_sql(sides, urls["current"])
    cli = None
    if sql:
        make_view(db, sql)
        results["cli_label"], cli = cli_export_command(db)
        results["sqlite3_version"] = sqlite3_version(cli)
    # Made before the servers run: this process's connections to the file see it as it was.
    search = datasette_search(db) if results["datasette_version"] and infos["current"].get("searched") else None
    try:
        measure_served(sides, urls, infos, args, results, "sqlite", cli)
        if results["datasette_version"]:
            measure_datasette(db, infos["current"], args, results, view=bool(sql), search=search)
    finally:
        if search:
            drop_datasette_search(db)
    if (len(sides) > 1 or results["datasette_version"]) and not args.pages:
        details_in_turn(sides, urls, infos, results, db)
    (BENCH / "results.json").write_text(json.dumps(results, indent=1, default=str))
    imports(sides, urls, args, results, "sqlite")


def details_in_turn(sides, urls, infos, results, db):
    say(f"  the meeting page of {len(infos['current']['detail_sample'])} meetings, every server in turn")
    servers = {side.name: gunicorn(side, urls[side.name], "gunicorn-sqlite-detail") for side in sides}
    if results["datasette_version"]:
        servers["datasette"] = datasette(db, {"max_csv_mb": 0})
    try:
        askers = {name: detail_asker(server, infos.get(name) or infos["current"], name, db)
                  for name, server in servers.items()}
        results["head_to_head"] = head_to_head(askers, len(infos["current"]["detail_sample"]))
    finally:
        for server in servers.values():
            server.stop()


def detail_asker(server, info, name, db):
    client, sample = Client(server.port), info["detail_sample"]
    if name == "datasette":
        return lambda i: client.get(f"/{db.stem}/meetings_meeting/{sample[i][0]}")[0]
    return lambda i: client.get(sample[i][1])[0]


def datasette_search(db):
    """For Datasette's ?_search= on meetings_meeting: an FTS5 table (trigram, as defrel's) over
    the same texts defrel searches, its meetings' search documents, and the metadata naming it
    (Datasette's fts_table / fts_pk); None on a revision without search documents."""
    with closing(sqlite3.connect(db)) as connection:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'defrel_searchdocument'").fetchone():
            return None
        connection.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
        connection.execute(f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(text, tokenize='trigram')")
        connection.execute(f"INSERT INTO {SEARCH_TABLE}(rowid, text) SELECT record_id, text "
                           "FROM defrel_searchdocument WHERE kind = 'meetings.meeting'")
        connection.commit()
    metadata = BENCH / "datasette-metadata.json"
    metadata.write_text(json.dumps({"databases": {db.stem: {"tables": {
        "meetings_meeting": {"fts_table": SEARCH_TABLE, "fts_pk": "id"}}}}}))
    return metadata


def drop_datasette_search(db):
    with closing(sqlite3.connect(db)) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
        connection.commit()


def measure_datasette(db, info, args, results, view, search=None):
    say("Datasette on the same file (default settings but max_csv_mb=0)")
    table = f"/{db.stem}/meetings_meeting"
    pages = {
        "table page (default)": table,
        "table page, _nofacet=1": f"{table}?_nofacet=1",
        "table page, one year": f"{table}?date_lower__gte=2024-01-01&date_lower__lte=2024-12-31",
        "row page": f"{table}/{info['meeting_pk']}",
        # The JSON twins of defrel's meeting list: its 50 newest, and its busiest partner's in 2024
        # (the partners through the many-to-many table, _through). Without facets: Datasette's
        # JSON has none unless asked, defrel's always carries the list's.
        "JSON, 50 newest": f"{table}.json?_sort_desc=date_lower&_size=50",
        "JSON, country and year": f"{table}.json?_sort_desc=date_lower&_size=50&date_lower__gte=2024-01-01"
                                  f"&date_lower__lte=2024-12-31&" + urlencode({"_through": json.dumps({
                                      "table": "meetings_meeting_countries", "column": "country_id",
                                      "value": str(info["busiest"]["pk"])})}),
    }
    metadata = search
    if metadata:  # the terms defrel's "a new search each time" asks, one per request
        pages["FTS search, a new search each time, _nofacet=1"] = [
            f"{table}?{urlencode({'_search': q, '_nofacet': 1})}" for q in info["searched"]]
        pages["FTS search, a new search each time (default)"] = [
            f"{table}?{urlencode({'_search': q})}" for q in info["searched"]]
    if args.pages:  # Datasette's pages of the same name: --pages search, --pages JSON
        pages = {name: path for name, path in pages.items() if args.pages.lower() in name.lower()}
    server = datasette(db, {"max_csv_mb": 0}, metadata)
    try:
        client = Client(server.port)
        client.timeout = args.page_timeout
        results["datasette"] = {}
        for name, path in pages.items():
            say(f"  {name}: {path[0] if isinstance(path, list) else path}")
            results["datasette"][name] = in_turn({"datasette": Target(client, path)}, requests=args.requests,
                                                 cap=args.cap)["datasette"]
    finally:
        server.stop()
    if not view or args.pages:
        return
    # A view's CSV pages by OFFSET, each page a query under sql_time_limit_ms: give it room.
    server = datasette(db, {"max_csv_mb": 0, "sql_time_limit_ms": 600_000})
    try:
        say("  Datasette streaming CSV of the view")
        results["datasette_export"] = http_export(
            Client(server.port), "GET", f"/{db.stem}/{VIEW}.csv?_stream=on&_size=max", server.worker_pid())
    finally:
        server.stop()


def run_postgres(args, sides, results, url, cluster):
    say("PostgreSQL: " + urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl())
    urls = {"current": url}
    if len(sides) > 1:
        base = urlsplit(url)
        name = base.path.lstrip("/") + "_baseline"
        urls["baseline"] = cluster.create_database(name) if cluster else \
            pgcluster.fresh_database(base._replace(path="/" + name).geturl())
    infos = prepare(sides, urls, args, results, "postgresql")
    results["versions"].update(infos["current"]["versions"])
    measure_served(sides, urls, infos, args, results, "postgresql")
    if results.get("cli_label") and not args.pages:  # this revision has the export's plain SQL
        say("  COPY … TO STDOUT")
        results["pg_copy"] = process_export([PY, str(BENCH / "child.py"), "copy", url],
                                            env=sides[0].env(url), cwd=ROOT)
    imports(sides, urls, args, results, "postgresql")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=os.environ.get("BASELINE") or None,
                        help="a git revision measured side by side with this checkout")
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--cap", type=float, default=15, help="seconds per page at most")
    parser.add_argument("--page-timeout", type=float, default=90,
                        help="seconds a page may take before it is recorded as unanswered")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--admin-import-rows", type=int, default=20_000,
                        help="rows of the XLSX and CSV files imported through the admin (0: skipped)")
    parser.add_argument("--skip-admin-export", action="store_true")
    parser.add_argument("--no-datasette", action="store_true", help="no Datasette (nor its install)")
    parser.add_argument("--pages", default="", metavar="TEXT",
                        help="only the pages whose name holds TEXT (Datasette's too: 'search', 'JSON'): "
                             "no exports, imports or head-to-head")
    parser.add_argument("--no-postgres", action="store_true",
                        help="SQLite only (by default PostgreSQL too: DATABASE_URL, or a throw-away cluster)")
    parser.add_argument("--out", default=str(BENCH / "RESULTS.md"))
    parser.add_argument("--notes", default=str(BENCH / "NOTES.md"),
                        help="analysis appended to the results (what a missed target means)")
    return parser.parse_args()


def main():
    args = arguments()
    started = time.monotonic()
    sides = [current_side()]
    results = {"argv": sys.argv[1:], "runs": {"current": {"revision": sides[0].revision}}}
    baseline = cluster = None
    try:
        if args.baseline:
            baseline = Baseline(args.baseline)
            sides.append(baseline.side)
            results["runs"]["baseline"] = {"revision": baseline.side.revision}
            say(f"baseline: {baseline.side.revision} in {baseline.dir}")
        run_sqlite(args, sides, results)
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(POSTGRES) and not args.no_postgres and pgcluster.available():
            say("a throw-away PostgreSQL cluster")
            cluster = pgcluster.TempPostgres()
            url = cluster.url
        if url.startswith(POSTGRES) and not args.no_postgres:
            run_postgres(args, sides, results, url, cluster)
    finally:  # what was measured is kept even when a later phase fails
        if cluster:
            cluster.stop()
        if baseline:
            baseline.close()
        (BENCH / "results.json").write_text(json.dumps(results, indent=1, default=str))
    text = Report(results, args, time.monotonic() - started).text()
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()

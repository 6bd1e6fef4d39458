"""Full CSV exports: rows/s, time to first byte and the peak memory of the process serving
them, for defrel's streaming export, its admin export, Datasette's CSV and the raw limits (the
sqlite3 command line on a view, PostgreSQL's COPY) of the same columns."""
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from client import FormInputs

VIEW = "bench_meetings_export"


# --- inside Django (bench/child.py) ---------------------------------------------------------------

def view_sql(dialect="sqlite"):
    """The columns of defrel's export as one plain SQL query (unescaped, unquoted, one a
    column) for the sqlite3 command line's view and PostgreSQL's COPY. The one call bench/
    makes into the app's export code: meetings.export_sql.export_sql (in meetings.fast_export
    in earlier revisions); {"sql": None} (and the raw limits skipped) in a revision without it."""
    try:
        from meetings.export_sql import export_sql
    except ImportError:
        try:
            from meetings.fast_export import export_sql
        except ImportError:
            return {"sql": None}
    return {"sql": export_sql(dialect) + " ORDER BY m.date_lower DESC, m.key"}


def copy():
    """PostgreSQL COPY … TO STDOUT of the export's columns, written to stdout (the raw limit)."""
    from django.db import connection

    with connection.cursor() as cursor:
        sql = view_sql("postgresql")["sql"]
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for block in copy:
                sys.stdout.buffer.write(block)


# --- measuring --------------------------------------------------------------------------------------

def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


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


def counted(out_path, result):
    result["rows"] = count_csv_rows(out_path)
    result["bytes"] = os.path.getsize(out_path)
    return result


def http_export(client, method, path, pid, body=None):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
        out_path = tmp.name
    try:
        started = time.perf_counter()
        conn, response = client.open(method, path, body=body)
        if response.status != 200:
            return {"error": f"HTTP {response.status}"}
        result = stream(http_chunks(response), started, out_path, pid)
        conn.close()
        return counted(out_path, result)
    finally:
        os.unlink(out_path)


def process_export(command, env=None, cwd=None):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
        out_path = tmp.name
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, cwd=cwd)
        result = stream(iter(lambda: proc.stdout.read1(1 << 16), b""), started, out_path, proc.pid)
        if proc.wait():
            return {"error": f"exit {proc.returncode}"}
        return counted(out_path, result)
    finally:
        os.unlink(out_path)


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


def rate(r):
    return r["rows"] / r["seconds"] if r and "rows" in r else 0


def median_run(runs):
    """Of several runs of one export, the one with the median rate (an error if any failed)."""
    failed = [r for r in runs if "error" in r]
    return failed[0] if failed else sorted(runs, key=rate)[len(runs) // 2]


# --- the raw limits on SQLite -----------------------------------------------------------------------

def drop_view(db):
    with sqlite3.connect(db) as conn:
        conn.execute(f"DROP VIEW IF EXISTS {VIEW}")


def make_view(db, sql):
    drop_view(db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"CREATE VIEW {VIEW} AS {sql}")


def cli_export_command(db):
    """(label, command) writing the export view as CSV: the sqlite3 command line, or Python's
    sqlite3 module where that is not installed."""
    cli = shutil.which("sqlite3")
    if cli:
        return "sqlite3 command line", [cli, "-csv", "-header", str(db), f"SELECT * FROM {VIEW}"]
    code = (f"import csv, sqlite3, sys; c = sqlite3.connect({str(db)!r}); cur = c.execute("
            f"'SELECT * FROM {VIEW}'); w = csv.writer(sys.stdout); "
            f"w.writerow([d[0] for d in cur.description]); w.writerows(cur)")
    return "Python sqlite3 module (no sqlite3 command line)", [sys.executable, "-c", code]


def sqlite3_version(command):
    if not command[0].endswith("sqlite3"):
        return None
    return subprocess.run([command[0], "--version"], capture_output=True, text=True).stdout.split()[0]


def read_through(path):
    """Reads a file once, so that the servers measured start from it in memory: this machine
    hands unused file cache back, and a reused file could otherwise come from disk for
    whichever server asks first."""
    with open(Path(path), "rb") as f:
        while f.read(1 << 20):
            pass

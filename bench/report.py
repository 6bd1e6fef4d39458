"""bench/RESULTS.md from a run's figures: this revision's, and beside them a baseline revision's
with the ratio (this / baseline) when `make bench BASELINE=<rev>` measured both."""
import datetime
import os
import platform
import re
from pathlib import Path

from exports import rate
from pages import EDIT_ROUNDS
from targets import admin_steps

TURN_NAMES = {"current": "this revision", "cli": "command line"}
NOISE = 0.10  # a ratio within 10 % of 1 is "same": runs on a shared machine move that much


def ms(r):
    return "error: " + r["error"] if "error" in r else f"{r['p50']:.1f} | {r['p95']:.1f} | {r['n']}"


def judged(now, before, lower_is_better):
    """'ratio (verdict)' of two figures, or '—'."""
    if not now or not before:
        return "—"
    ratio = now / before
    good = ratio <= 1 if lower_is_better else ratio >= 1
    verdict = "same" if abs(ratio - 1) <= NOISE else ("better" if good else "WORSE")
    return f"{ratio:.2f} ({verdict})"


class Report:
    def __init__(self, results, args, seconds):
        self.results, self.args, self.seconds = results, args, seconds
        self.runs = results["runs"]
        self.now, self.base = self.runs["current"], self.runs.get("baseline")
        self.compared = []  # (figure, verdict) for the summary against the baseline

    def figure(self, db, key):
        return (self.now.get(db) or {}).get(key), ((self.base or {}).get(db) or {}).get(key)

    def compare(self, label, now, before, lower_is_better):
        text = judged(now, before, lower_is_better)
        if self.base is not None:
            self.compared.append((label, text))
        return text

    def header(self):
        r, args, info = self.results, self.args, self.now["sqlite"]["info"]
        lines = [
            f"# defrel at {info['meetings']:,} meetings — benchmark", "",
            f"Run {datetime.datetime.now():%Y-%m-%d %H:%M} with `make bench"
            + (f" BASELINE={args.baseline}" if args.baseline else "") + "` "
            f"(`bench/run.py {' '.join(r['argv'])}`), {self.seconds:.0f} s in all.", "",
            f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}), {mem_total()} memory, {platform.platform()}",
            f"- Python {platform.python_version()}, " + ", ".join(f"{k} {v}" for k, v in r["versions"].items())
            + ", gunicorn (1 sync worker)" + (f", Datasette {r['datasette_version']}" if r.get("datasette_version") else "")
            + (f", sqlite3 CLI {r['sqlite3_version']}" if r.get("sqlite3_version") else ""),
            f"- Revisions: this one, {self.now['revision']}"
            + (f"; baseline {self.base['revision']}, checked out into a temporary git worktree and measured "
               "in the same run, the pages request by request and the exports in turn, on a database generated "
               "alike (bench/synth, same size and seed). *Ratio* is this revision / baseline: for times "
               f"lower is better, for rates higher; within {NOISE:.0%} of 1 it is *same*." if self.base else "."),
            f"- Data: bench/synth with {args.meetings:,} meetings → {info['meetings']:,} meetings; busiest "
            f"partner {info['busiest']['code']} with {info['busiest']['n']:,} meetings, median partner "
            f"{info['median']['code']} with {info['median']['n']:,}.",
            "- Latency: sequential GETs on loopback after 2 warm-ups (1 for a page slower than a third of "
            "the cap), one client (public pages without a session, the admin logged in), full body read; "
            f"{args.requests} requests per page or fewer when {args.cap:.0f} s ran out (at least 3; 1 when "
            "the warm-up alone took longer than that).",
        ]
        return lines

    def pages(self, db, title):
        now, before = self.figure(db, "pages")
        if not now:
            return []
        lines = ["", f"## Page latency ({title}), ms", "",
                 "| page | p50 | p95 | n | first request |" + (" baseline p50 | baseline p95 | p50 ratio |" if before else ""),
                 "|---|---:|---:|---:|---:|" + ("---:|---:|---:|" if before else "")]
        for name, r in now.items():
            first = f"{r['first']:.1f}" if r.get("first") else ""
            row = f"| defrel: {name} | {ms(r)} | {first} |" if "error" not in r else \
                f"| defrel: {name} | {r['error']} | | | |"
            if before:
                b = before.get(name, {})
                row += (f" {b['p50']:.1f} | {b['p95']:.1f} |" if "p50" in b else f" {b.get('error', '—')} | |")
                row += f" {self.compare(f'{title}: {name}, p50', r.get('p50'), b.get('p50'), True)} |"
            lines.append(row)
        for name, r in ((self.results.get("datasette") or {}) if db == "sqlite" else {}).items():
            lines.append(f"| Datasette: {name} | {ms(r)} | {r.get('first') or 0:.1f} |" + (" | | |" if before else ""))
        if db == "sqlite":
            lines += ["", "*First request*: the page's first answer in the run, before anything was cached "
                      "(defrel keeps facet counts, totals, a search's matches, the agreements matrix's table, a "
                      "country profile's agreements, chart and timeline, and a timeline page's records until "
                      "the part of the data they read next changes; Datasette caches nothing). *First request "
                      f"after an edit elsewhere*: the page asked twice, then a meeting none of whose partners "
                      f"is the busiest saved through the admin's change form by the logged-in editor, then the "
                      f"page's next request timed; {EDIT_ROUNDS} times, p50 the median and p95 the slowest. "
                      "*First request after an agreement edit*: the same with the Japanese title of one of "
                      "the busiest partner's agreements changed instead (a title the matrix shows)."]
        return lines

    def head_to_head(self):
        h2h = self.results.get("head_to_head") or {}
        if not h2h:
            return []
        lines = ["", "## Meeting page against Datasette's row page, in turn, ms", "",
                 f"Each of {len(self.now['sqlite']['info']['detail_sample'])} meetings spread over the table "
                 "asked once of each server, the servers taking turns; nothing cached by any.", ""]
        if "error" in h2h:
            return lines + [f"- error: {h2h['error']}"]
        lines += ["| page | p50 | p95 | n |", "|---|---:|---:|---:|"]
        names = {"current": "defrel: meeting detail", "baseline": "defrel at the baseline: meeting detail",
                 "datasette": "Datasette: row page"}
        lines += [f"| {names[k]} | {ms(r)} |" for k, r in h2h.items()]
        if "baseline" in h2h:
            lines.append("")
            lines.append(f"Ratio of the meeting page to the baseline's: "
                         f"{self.compare('meeting detail, in turn, p50', h2h['current']['p50'], h2h['baseline']['p50'], True)}.")
        return lines

    def export_row(self, label, r, before=None, compare=True):
        if not r:
            cells = "skipped | | | |"
        elif "error" in r:
            cells = f"{r['error']} | | | |"
        else:
            rss = f"{r['rss_peak']:.0f} MB (from {r['rss_before']:.0f})" if r.get("rss_peak") else "—"
            cells = f"{r['rows']:,} | {rate(r):,.0f} | {r['ttfb']:.3f} | {rss} |"
        if self.base is None:
            return f"| {label} | {cells}"
        if before is None or not compare:
            return f"| {label} | {cells} | | |"
        b = f"{rate(before):,.0f}" if "rows" in before else before.get("error", "—")
        return f"| {label} | {cells} {b} | {self.compare(f'{label}, rows/s', rate(r), rate(before), False)} |"

    def exports(self):
        r = self.results
        lines = ["", "## Full CSV export of meetings with partners and participants (titles at the time)", "",
                 "| export | rows | rows/s | first byte, s | peak RSS of the server |"
                 + (" baseline rows/s | rows/s ratio |" if self.base else ""),
                 "|---|---:|---:|---:|---:|" + ("---:|---:|" if self.base else "")]
        level = self.now["sqlite"]["info"]["export_10k"].split("?")[1]
        for db, prefix in (("sqlite", ""), ("postgresql", "PostgreSQL: ")):
            if not self.now.get(db):
                continue
            for key, label in (("export_10k", f"defrel streaming, one level ({level})"),
                               ("export", "defrel streaming, all"),
                               ("ndjson", "defrel NDJSON stream of the same meetings, all"),
                               ("admin_export", "defrel admin (django-import-export)")):
                now, before = self.figure(db, key)
                if now is not None or db == "sqlite":
                    lines.append(self.export_row(prefix + label, now, before or {}))
        lines.append(self.export_row("Datasette `_stream=on` of a view with the same columns",
                                     r.get("datasette_export"), compare=False))
        lines.append(self.export_row(f"{r.get('cli_label', 'sqlite3 command line')}, same view",
                                     r.get("cli_export"), compare=False))
        if r.get("pg_copy") is not None:
            lines.append(self.export_row("PostgreSQL: COPY … TO STDOUT, same columns", r["pg_copy"], compare=False))
        turns = self.now["sqlite"].get("export_turns")
        if turns:
            lines += ["", f"The full exports ran {len(turns['current'])} times in turn; the table shows each "
                      "one's median run. Rows/s of every run: " + "; ".join(
                          f"{TURN_NAMES.get(name, name)} " + ", ".join(f"{x:,}" for x in xs)
                          for name, xs in turns.items()) + "."]
        return lines

    def imports(self):
        lines = ["", "## Import through MeetingResource (all or nothing)", "",
                 "| database | rows | rows/s | all imported | a bad last row leaves | refused in |"
                 + (" baseline rows/s | rows/s ratio |" if self.base else ""),
                 "|---|---:|---:|---|---:|---:|" + ("---:|---:|" if self.base else "")]
        for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
            r, before = self.figure(db, "import")
            if not r:
                continue
            row = (f"| {label} | {r['rows']:,} | {r['rows'] / r['seconds']:,.0f} | "
                   f"{'yes' if r['ok'] and r['imported'] == r['rows'] else 'NO'} | "
                   f"{r['bad_left']} of {r['bad_rows']:,} rows | {r['bad_seconds']:.1f} s |")
            if self.base:
                b = before["rows"] / before["seconds"] if before else None
                row += (f" {b:,.0f} |" if b else " — |") + \
                    f" {self.compare(f'import on {label}, rows/s', r['rows'] / r['seconds'], b, False)} |"
            lines.append(row)
        return lines

    def admin_imports(self):
        runs = [(f"{label}{suffix}", run[db]["admin_import"])
                for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))
                for suffix, run in ((", this revision" if self.base else "", self.now), (", baseline", self.base))
                if run and (run.get(db) or {}).get("admin_import")]
        if not runs:
            return []
        lines = ["", "## Import through the admin: preview, then confirm", "",
                 "Files of short meetings naming existing partners and officials, uploaded with Django's "
                 "test client inside one process (as the import above). Each request answers at once; the "
                 "check and the import run off the request (defrel.imports.background) while the "
                 "editor's page reloads (a revision before that did each inside its request). "
                 "Wall-clock seconds.", "",
                 "| database | file | size | expands | upload request, s | check, s | confirm request, s "
                 "| import, s | written | preview page |",
                 "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, r in runs:
            for kind in ("xlsx", "csv"):
                step, made = r[kind], r["files"][kind]
                expands = f"{made['ratio']}×" if "ratio" in made else "—"
                upload, check, confirm, imported = admin_steps(step)
                lines.append(
                    f"| {label} | {r['rows']:,} rows, {kind.upper()} | {made['bytes'] / 1024 / 1024:.2f} MB | {expands} | "
                    f"{upload:.2f} | {check:.1f} | "
                    + (f"{confirm:.2f} | {imported:.1f}" if confirm is not None else "refused | —")
                    + f" | {step.get('written', 0):,} | {step['preview_kb']:,} KB |")
        if self.base:
            for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
                now, before = self.figure(db, "admin_import")
                for kind in ("xlsx", "csv") if now and before else ():
                    for index, step in ((1, "check"), (3, "import")):
                        self.compare(f"admin import on {label}, {kind.upper()}, {step} (s)",
                                     admin_steps(now[kind])[index], admin_steps(before[kind])[index], True)
        return lines

    def against_baseline(self):
        if self.base is None:
            return []
        worse = [label for label, text in self.compared if "WORSE" in text]
        return ["", "## Against the baseline", "",
                f"{len(self.compared)} figures compared: {sum('better' in t for _l, t in self.compared)} better, "
                f"{sum('same' in t for _l, t in self.compared)} the same (within {NOISE:.0%}), {len(worse)} worse"
                + (": " + "; ".join(worse) if worse else "") + "."]

    def text(self):
        lines = self.header() + self.pages("sqlite", "SQLite") + self.pages("postgresql", "PostgreSQL")
        lines += self.head_to_head() + self.exports() + self.imports() + self.admin_imports()
        lines += self.against_baseline() + self.targets()
        if self.args.notes and Path(self.args.notes).exists():
            lines += ["", Path(self.args.notes).read_text().strip()]
        return "\n".join(lines) + "\n"

    def targets(self):
        from targets import targets

        return ["", "## Targets (this revision)", ""] + [f"- {c}" for c in targets(self.results)]


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

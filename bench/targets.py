"""The targets this revision's figures are held to (bench/NOTES.md says where each comes from)."""
from exports import rate
from pages import AFTER_AGREEMENT_EDIT, AFTER_EDIT, AGREEMENT_EDITED_PAGES, EDITED_PAGES

ADMIN_REQUEST_TARGET = 2  # seconds a request of the admin's import may take (bench/NOTES.md)
SEARCH_TARGET = 50  # ms, p50 of a new search of the meeting list with its facets (issue 15)
EDIT_TARGET = 100  # ms, a page's first request after an edit of another partner's meeting (issue 16)


def admin_steps(step):
    """The seconds of one file's import through the admin: (upload request, check, confirm
    request, import). Revisions before imports moved off the request did each step inside its
    request: their figures are read as such."""
    if "upload_request_seconds" in step:
        return (step["upload_request_seconds"], step["check_seconds"],
                step.get("confirm_request_seconds"), step.get("import_seconds"))
    return (step["preview_seconds"], step["preview_seconds"],
            step.get("confirm_seconds"), step.get("confirm_seconds"))


def verdict(ok, text):
    return f"{'met' if ok else 'MISSED'}: {text}"


def p50(group, name):
    return (group or {}).get(name, {}).get("p50")


def targets(results):
    """Each target's verdict on this revision's figures (and a few ratios given for reference)."""
    now = results["runs"]["current"]
    d, ds, h2h = now["sqlite"]["pages"], results.get("datasette") or {}, results.get("head_to_head") or {}
    return (list_against_datasette(d, ds) + new_search_checks(now) + after_edit_checks(now)
            + new_search_against_datasette(d, ds) + json_against_datasette(d, ds)
            + detail_against_datasette(d, ds, h2h) + export_checks(results) + admin_import_checks(now)
            + import_checks(now))


def list_against_datasette(d, ds):
    """The meeting list against Datasette's table page, with and without its facets."""
    checks = []
    a, b = p50(d, "meeting list"), p50(ds, "table page (default)")
    if a and b:
        checks.append(verdict(a <= b / 10, f"meeting list with facets {a:.0f} ms ≤ a tenth of Datasette's "
                              f"default table page {b:.0f} ms (ratio {a / b:.2f}, target ≤ 0.10)"))
    b = p50(ds, "table page, _nofacet=1")
    if a and b:
        checks.append(verdict(a <= b, f"meeting list {a:.0f} ms ≤ Datasette `_nofacet=1` {b:.0f} ms "
                              f"(ratio {a / b:.2f})"))
    return checks


def new_search_checks(now):
    """A new search each time, facets included, on each database, against SEARCH_TARGET."""
    checks = []
    for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        a = p50((now.get(db) or {}).get("pages"), "meeting list, a new search each time")
        if a:
            checks.append(verdict(a <= SEARCH_TARGET, f"a new search each time on {label}, facets included, "
                                  f"{a:.0f} ms ≤ {SEARCH_TARGET} ms"))
    return checks


def after_edit_checks(now):
    """Each edited page's first request after an edit elsewhere (or an agreement edit), on each
    database, against EDIT_TARGET."""
    checks = []
    for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        for pages, suffix in ((EDITED_PAGES, AFTER_EDIT), (AGREEMENT_EDITED_PAGES, AFTER_AGREEMENT_EDIT)):
            for page in pages:
                r = ((now.get(db) or {}).get("pages") or {}).get(page + suffix) or {}
                if "p50" in r:
                    checks.append(verdict(r["p50"] <= EDIT_TARGET, f"{page} on {label}{suffix}, "
                                          f"{r['p50']:.0f} ms ≤ {EDIT_TARGET} ms (median of {r['n']}, "
                                          f"slowest {r['p95']:.0f} ms)"))
    return checks


def new_search_against_datasette(d, ds):
    """A new search each time against Datasette's full-text searches: ratios only, no target."""
    checks = []
    a = p50(d, "meeting list, a new search each time")
    for name in ("FTS search, a new search each time, _nofacet=1", "FTS search, a new search each time (default)"):
        b = p50(ds, name)
        if a and b:
            checks.append(f"a new search each time, facets included, {a:.0f} ms against Datasette's {name} "
                          f"{b:.0f} ms: ratio {a / b:.2f}")
    return checks


def json_against_datasette(d, ds):
    """The meeting list's JSON against Datasette's JSON of the same page."""
    checks = []
    for ours, theirs in (("meeting list, JSON", "JSON, 50 newest"),
                         ("meeting list, country and year, JSON", "JSON, country and year")):
        a, b = p50(d, ours), p50(ds, theirs)
        if a and b:  # issue 15: the JSON list at most as slow as Datasette's JSON of the same page
            checks.append(verdict(a <= b, f"{ours} {a:.0f} ms ≤ Datasette's {theirs} {b:.0f} ms "
                                  f"(ratio {a / b:.2f})"))
    return checks


def detail_against_datasette(d, ds, h2h):
    """The meeting page against Datasette's row page: the same page again, then meetings in turn."""
    checks = []
    a, b = p50(d, "meeting detail"), p50(ds, "row page")
    if a and b:
        checks.append(verdict(a <= b, f"meeting detail {a:.1f} ms ≤ Datasette row page {b:.1f} ms, "
                              f"the same page again and again (ratio {a / b:.2f})"))
    a, b = p50(h2h, "current"), p50(h2h, "datasette")
    if a and b:
        checks.append(verdict(a <= b, f"meeting detail {a:.1f} ms ≤ Datasette row page {b:.1f} ms, "
                              f"different meetings in turn (ratio {a / b:.2f})"))
    return checks


def export_checks(results):
    """The streaming CSV export on SQLite: its rate, against the command line's and Datasette's, its
    first byte, the NDJSON stream's rate and how the server's memory grows with the rows."""
    now = results["runs"]["current"]
    e, cli, dse = now["sqlite"].get("export") or {}, results.get("cli_export") or {}, results.get("datasette_export") or {}
    checks = []
    if "rows" in e:
        checks.append(verdict(rate(e) >= 50_000, f"streaming export {rate(e):,.0f} rows/s ≥ 50,000"))
        if "rows" in cli:
            checks.append(verdict(rate(e) >= 0.75 * rate(cli), f"streaming export at {rate(e) / rate(cli):.2f} "
                                  f"of the {results['cli_label']}'s {rate(cli):,.0f} rows/s (target ≥ 0.75)"))
        if "rows" in dse:
            checks.append(f"ratio to Datasette's streaming CSV ({rate(dse):,.0f} rows/s): {rate(e) / rate(dse):.2f}")
        checks.append(verdict(e["ttfb"] < 1, f"first byte after {e['ttfb']:.3f} s (< 1 s)"))
        nd = now["sqlite"].get("ndjson") or {}
        if "rows" in nd:
            checks.append(verdict(rate(nd) >= rate(e), f"NDJSON stream {rate(nd):,.0f} rows/s ≥ the CSV "
                                  f"stream's {rate(e):,.0f} (ratio {rate(nd) / rate(e):.2f})"))
        small = now["sqlite"]["export_10k"]
        if "rows" in small and small.get("rss_peak") and e.get("rss_peak"):
            growth = e["rss_peak"] - small["rss_peak"]
            checks.append(verdict(growth < 50, f"server peak RSS grew {growth:.0f} MB from the "
                                  f"{small['rows']:,}-row export to the {e['rows']:,}-row one (< 50 MB)"))
    return checks


def admin_import_checks(now):
    """The admin's import of each file kind on each database: every request under ADMIN_REQUEST_TARGET
    and every row written."""
    checks = []
    for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        r = (now.get(db) or {}).get("admin_import")
        for kind in ("xlsx", "csv") if r else ():
            step = r[kind]
            upload, check, confirm, written_in = admin_steps(step)
            checks.append(verdict(
                max(upload, confirm or 0) < ADMIN_REQUEST_TARGET and step.get("written") == r["rows"],
                f"admin import on {label}, {r['rows']:,} rows of {kind.upper()}: upload request "
                f"{upload:.2f} s, confirm request {confirm or 0:.2f} s, each < {ADMIN_REQUEST_TARGET} s "
                f"(off the request: the check {check:.0f} s, the import {written_in or 0:.0f} s); "
                f"{step.get('written', 0):,} written"))
    return checks


def import_checks(now):
    """The command line's import on each database: its rate, and all or nothing."""
    checks = []
    for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        r = (now.get(db) or {}).get("import")
        if r:
            per_s = r["rows"] / r["seconds"]
            checks.append(verdict(per_s >= 1000 and r["ok"] and not r["bad_left"],
                                  f"import on {label}: {per_s:,.0f} rows/s ≥ 1,000 (target stated for "
                                  f"PostgreSQL), all or nothing: {'kept' if not r['bad_left'] else 'BROKEN'}"))
    return checks

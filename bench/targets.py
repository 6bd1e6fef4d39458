"""The targets this revision's figures are held to (bench/NOTES.md says where each comes from)."""
from exports import rate

ADMIN_STEP_TARGET = 10  # seconds a step of the admin's import may take


def verdict(ok, text):
    return f"{'met' if ok else 'MISSED'}: {text}"


def p50(group, name):
    return (group or {}).get(name, {}).get("p50")


def targets(results):
    now = results["runs"]["current"]
    d, ds, h2h = now["sqlite"]["pages"], results.get("datasette") or {}, results.get("head_to_head") or {}
    checks = []
    a, b = p50(d, "meeting list"), p50(ds, "table page (default)")
    if a and b:
        checks.append(verdict(a <= b / 10, f"meeting list with facets {a:.0f} ms ≤ a tenth of Datasette's "
                              f"default table page {b:.0f} ms (ratio {a / b:.2f}, target ≤ 0.10)"))
    b = p50(ds, "table page, _nofacet=1")
    if a and b:
        checks.append(verdict(a <= b, f"meeting list {a:.0f} ms ≤ Datasette `_nofacet=1` {b:.0f} ms "
                              f"(ratio {a / b:.2f})"))
    a, b = p50(d, "meeting detail"), p50(ds, "row page")
    if a and b:
        checks.append(verdict(a <= b, f"meeting detail {a:.1f} ms ≤ Datasette row page {b:.1f} ms, "
                              f"the same page again and again (ratio {a / b:.2f})"))
    a, b = p50(h2h, "current"), p50(h2h, "datasette")
    if a and b:
        checks.append(verdict(a <= b, f"meeting detail {a:.1f} ms ≤ Datasette row page {b:.1f} ms, "
                              f"different meetings in turn (ratio {a / b:.2f})"))
    e, cli, dse = now["sqlite"]["export"], results.get("cli_export") or {}, results.get("datasette_export") or {}
    if "rows" in e:
        checks.append(verdict(rate(e) >= 50_000, f"streaming export {rate(e):,.0f} rows/s ≥ 50,000"))
        if "rows" in cli:
            checks.append(verdict(rate(e) >= 0.75 * rate(cli), f"streaming export at {rate(e) / rate(cli):.2f} "
                                  f"of the {results['cli_label']}'s {rate(cli):,.0f} rows/s (target ≥ 0.75)"))
        if "rows" in dse:
            checks.append(f"ratio to Datasette's streaming CSV ({rate(dse):,.0f} rows/s): {rate(e) / rate(dse):.2f}")
        checks.append(verdict(e["ttfb"] < 1, f"first byte after {e['ttfb']:.3f} s (< 1 s)"))
        small = now["sqlite"]["export_10k"]
        if "rows" in small and small.get("rss_peak") and e.get("rss_peak"):
            growth = e["rss_peak"] - small["rss_peak"]
            checks.append(verdict(growth < 50, f"server peak RSS grew {growth:.0f} MB from the "
                                  f"{small['rows']:,}-row export to the {e['rows']:,}-row one (< 50 MB)"))
    for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        r = (now.get(db) or {}).get("admin_import")
        for kind in ("xlsx", "csv") if r else ():
            step = r[kind]
            slowest = max(step["preview_seconds"], step.get("confirm_seconds", 0))
            checks.append(verdict(
                slowest < ADMIN_STEP_TARGET and step.get("written") == r["rows"],
                f"admin import on {label}, {r['rows']:,} rows of {kind.upper()}: preview "
                f"{step['preview_seconds']:.1f} s, confirm {step.get('confirm_seconds', 0):.1f} s, each "
                f"< {ADMIN_STEP_TARGET} s (gunicorn's default timeout is 30 s); "
                f"{step.get('written', 0):,} written"))
    for db, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        r = (now.get(db) or {}).get("import")
        if r:
            per_s = r["rows"] / r["seconds"]
            checks.append(verdict(per_s >= 1000 and r["ok"] and not r["bad_left"],
                                  f"import on {label}: {per_s:,.0f} rows/s ≥ 1,000 (target stated for "
                                  f"PostgreSQL), all or nothing: {'kept' if not r['bad_left'] else 'BROKEN'}"))
    return checks

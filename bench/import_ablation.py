"""The meeting import with one speed-up switched off at a time: what each is worth.

    .venv/bin/python bench/import_ablation.py sqlite:///bench/defrel-100k.sqlite3 [--rows 10000]
    .venv/bin/python bench/import_ablation.py postgres://…/db --only all-on readahead-off

Imports the same file as bench/run.py's import (the ``rows`` newest meetings under new keys,
through MeetingResource, all or nothing) inside a transaction rolled back afterwards, once
per variant, each in a fresh process, and prints a Markdown table of rows/s. The switches
are subclasses of MeetingResource that do what the resource did without the speed-up; a
switch whose code is gone says so instead of measuring."""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from child import django_setup  # bench/child.py: this file runs from bench/
from imports import copies_under_new_keys  # bench/imports.py: the same file as make bench's import

SWITCHES = ("readahead", "validation", "bulk", "copy")
VARIANTS = {"all-on": (), **{f"{s}-off": (s,) for s in SWITCHES}, "all-off": SWITCHES}


def resource_class(off):
    """MeetingResource with the speed-ups named in ``off`` switched off (for the code before
    the import's helpers moved to defrel/imports/ too, so both can be measured)."""
    from defrel import resources
    from meetings.resources import MeetingResource

    attrs = {}
    if "readahead" in off:  # every key looked up by its row, as without the resource's cache
        def read_ahead(self, dataset):
            if hasattr(resources, "ReadAhead"):
                self.read_ahead_state = resources.ReadAhead(self)  # reads nothing
            else:
                self.forget_read_ahead()
                self._import_state = resources.ImportState()
        attrs["read_ahead"] = read_ahead
    if "validation" in off:  # Model.full_clean(): its queries, check constraints included
        def full_clean(self, instance, exclude, validate_unique=True):
            return instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        attrs["full_clean"] = full_clean
    if "bulk" in off:  # import-export's own row-by-row save()
        attrs["Meta"] = type("Meta", (MeetingResource.Meta,), {"use_bulk": False})
    if "copy" in off:  # INSERT … VALUES on PostgreSQL too
        try:
            from defrel import bulk
        except ImportError:
            raise SystemExit("no COPY any more: rows are written by bulk_create()") from None
        bulk.copy_rows = lambda *args: None
    return type("Ablated", (MeetingResource,), attrs)


def measure(database_url, rows, off):
    django_setup(database_url)
    from django.db import transaction

    from meetings.models import Meeting

    dataset = copies_under_new_keys(rows)
    importer = resource_class(off)
    with transaction.atomic():
        before = Meeting.objects.count()
        started, cpu = time.perf_counter(), time.process_time()
        result = importer().import_data(dataset, dry_run=False)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        ok = not (result.has_errors() or result.has_validation_errors())
        imported = Meeting.objects.count() - before
        transaction.set_rollback(True)
    print(json.dumps({"rows": len(dataset), "seconds": seconds, "ok": ok, "imported": imported,
                      "cpu": cpu}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--only", nargs="*", choices=list(VARIANTS))
    parser.add_argument("--_off", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._off is not None:
        return measure(args.database_url, args.rows, tuple(a for a in args._off if a))
    print("| variant | rows | seconds | rows/s | Python's processor seconds | all imported |\n"
          "|---|---:|---:|---:|---:|---|")
    for name in args.only or VARIANTS:
        done = subprocess.run([sys.executable, __file__, args.database_url, "--rows", str(args.rows),
                               "--_off", *(VARIANTS[name] or [""])],
                              capture_output=True, text=True, cwd=Path(__file__).parent)
        if done.returncode:
            print(f"| {name} | — | — | — | — | {(done.stderr.strip().splitlines() or ['?'])[-1]} |", flush=True)
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {name} | {r['rows']:,} | {r['seconds']:.1f} | {r['rows'] / r['seconds']:,.0f} | {r['cpu']:.1f} | "
              f"{'yes' if r['ok'] and r['imported'] == r['rows'] else 'NO'} |", flush=True)


if __name__ == "__main__":
    main()

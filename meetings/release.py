"""A citable, versioned data release: one zip of every table as plain CSV, described by a
Frictionless Data Package, with CITATION.cff, the changes since the previous release (from the
history) and the licence and attribution terms. ``manage.py release`` writes it; the site
serves the newest (meetings.views.data)."""
import csv
import io
import json
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from defrel.changelog import changes
from defrel.exports import value_rows
from meetings import datapackage, release_texts, tables
from meetings.models import Release


def next_version(day, taken):
    """Date-based, sortable and citable: 2026.12.03; a second release that day 2026.12.03.2."""
    version = day.strftime("%Y.%m.%d")
    n = 1
    while (version if n == 1 else f"{version}.{n}") in taken:
        n += 1
    return version if n == 1 else f"{version}.{n}"


def write_table(zf, name, table):
    """The table as plain CSV (UTF-8, no BOM, nothing escaped for spreadsheets) into the zip
    entry ``name``, row by row (a release of 100,000 meetings is not held in memory); its rows."""
    resource = table.resource()
    rows = 0
    with zf.open(name, "w") as entry, io.TextIOWrapper(entry, encoding="utf-8", newline="") as text:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(resource.get_export_headers())
        for row in value_rows(resource, table.rows(resource)):
            writer.writerow(["" if v is None else v for v in row])
            rows += 1
    return rows


def changelog(previous, until):
    """{table slug: defrel.changelog.Changes} since the previous release (every table)."""
    since = previous.created_at if previous else None
    return {slug: changes(t.model, since, until) for slug, t in tables.TABLES.items()}


def build(directory=None, now=None):
    """Writes ``defrel-<version>.zip`` into ``directory`` (settings.RELEASES_DIR) and records
    the release; returns the Release. Read in one transaction, so the tables and the history
    are of one moment on a database that gives a transaction one snapshot (SQLite)."""
    directory = Path(directory or settings.RELEASES_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    with translation.override("en"), transaction.atomic():  # the files are in English
        previous = Release.objects.filter(created_at__lt=now).order_by("-created_at").first()
        day = timezone.localdate(now)  # the site's time zone, as readers date things
        version = next_version(day, set(Release.objects.values_list("version", flat=True)))
        filename = f"defrel-{version}.zip"
        paths = {slug: f"data/{slug}.csv" for slug in tables.TABLES}
        partial = directory / f".{filename}.partial"
        root = f"defrel-{version}"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            counts = {slug: write_table(zf, f"{root}/{paths[slug]}", t) for slug, t in tables.TABLES.items()}
            package = datapackage.package(version=version, created=now, paths=paths)
            texts = {
                "datapackage.json": json.dumps(package, ensure_ascii=False, indent=2),
                "CITATION.cff": release_texts.citation(version, day),
                "CHANGELOG.md": release_texts.changelog_md(
                    version, day, previous, counts if previous is None else changelog(previous, now)),
                "README.md": release_texts.readme(version, counts),
                "LICENSE.md": release_texts.licence(),
            }
            for name, text in texts.items():
                zf.writestr(f"{root}/{name}", text.encode())
        partial.replace(directory / filename)  # the site never serves a half-written file
        return Release.objects.create(version=version, filename=filename, created_at=now,
                                      records=sum(counts.values()))

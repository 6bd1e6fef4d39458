"""The texts of a data release: CITATION.cff, CHANGELOG.md, README.md and LICENSE.md. In
English, as the files' column names and the datapackage are; the sources' own terms are
quoted from sources/README.md, which is their one home."""
from pathlib import Path

from django.conf import settings

from meetings import tables

TITLE = "defrel: a relational timeline of Japan's defence relations"
LICENCE = "CC-BY-4.0"  # the data's own licence (defrel states none elsewhere)
SOURCES_README = Path(settings.BASE_DIR) / "sources" / "README.md"


def quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def citation(version, day):
    return "\n".join([
        "cff-version: 1.2.0",
        'message: "If you use these data, please cite them as below."',
        "type: dataset",
        f"title: {quoted(TITLE)}",
        f"version: {quoted(version)}",
        f"date-released: {day.isoformat()}",
        "authors:",
        '  - name: "defrel"',
        f"license: {LICENCE}",
        "abstract: " + quoted(
            "Who met whom, when, where and at what level; which defence agreements Japan has with "
            "which partners and where each stands in its life; which exercises were held with whom; "
            "and other defence engagements, curated from the 2025 Defense White Paper and official "
            "and press records, every record quoting the sentence it came from."),
        "keywords: [Japan, defence, diplomacy, agreements, EDTF]",
        "",
    ])


def changelog_md(version, day, previous, found):
    """``found``: {table: Changes} since ``previous``; the first release: {table: rows}."""
    lines = [f"# Changes in defrel {version}", ""]
    if previous is None:
        lines += [f"The first release ({day.isoformat()}): every record is new.", ""]
        lines += [f"- {tables.TABLES[slug].title}: {rows:,}" for slug, rows in found.items()]
        return "\n".join(lines) + "\n"
    lines += [f"Records added, changed and deleted since defrel {previous.version} "
              f"({previous.created_at.isoformat(timespec='seconds')}), by natural key, as the history of "
              "the database records them.", ""]
    for slug, changes in found.items():
        if not changes:
            continue
        lines += [f"## {tables.TABLES[slug].title}", ""]
        for heading, names in (("Added", changes.added), ("Changed", changes.changed), ("Deleted", changes.deleted)):
            if names:
                lines += [f"### {heading} ({len(names)})", "", *(f"- `{name}`" for name in names), ""]
    if not any(found.values()):
        lines.append("No record was added, changed or deleted.")
    return "\n".join(lines) + "\n"


def readme(version, counts):
    rows = "\n".join(f"| `data/{slug}.csv` | {tables.TABLES[slug].title} | {counts[slug]:,} |" for slug in tables.TABLES)
    return f"""# defrel {version}

{TITLE}: every table of the database as CSV, described by `datapackage.json` (a Frictionless
Data Package: column types, primary and foreign keys, and what every column means, from the
data dictionary). Cite it with `CITATION.cff`; `CHANGELOG.md` lists the records added and changed
since the previous release; `LICENSE.md` gives the licence and the sources' attribution terms.

| file | table | rows |
|---|---|---|
{rows}

- UTF-8 without a byte-order mark, comma-separated, a header row of column names.
- Records are named by natural keys (country codes, official slugs, record keys), never by
  database numbers; a cell holding several values joins them with "|".
- Dates are EDTF strings as precise as the source (2024-05-17, 2024-05, 2024, 2024-09/2024-10,
  2024-04/..); date_lower and date_upper are the first and last day they can mean.
- **No formula escaping.** These files are for programs, and hold every value exactly as the
  database does. The site's CSV downloads prefix a quote to a cell a spreadsheet would read as a
  formula (one starting with =, +, -, @, a tab or a carriage return); these do not, so that a
  value reads back unchanged and matches its Table Schema. Open them in a spreadsheet only
  with formulas disabled, or download the spreadsheet-safe CSV from the site instead.
"""


def licence():
    terms = SOURCES_README.read_text(encoding="utf-8").split("\n\n")
    sources = "\n\n".join(part for part in terms if "Terms of Use" in part or "publisher is not recorded" in part)
    return f"""# Licence and attribution

## The data

The records of defrel (the tables in `data/`, their descriptions and the changelog) are
licensed under the Creative Commons Attribution 4.0 International licence (CC BY 4.0,
https://creativecommons.org/licenses/by/4.0/). Attribute them as: defrel, version and date
as in `CITATION.cff`.

## The sources

Each record quotes the sentence of the document it was derived from (`source_excerpt`); the
documents are listed in `data/sources.csv`. Their terms, as defrel states them:

{sources}
"""

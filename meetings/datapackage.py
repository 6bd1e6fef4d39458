"""The release's ``datapackage.json``: a Frictionless Data Package with a Table Schema per
table, built from what already describes the tables — the column types of
defrel.exports.column_types, the descriptions of the data dictionary, the natural keys of
the resources (primary keys) and their key widgets (foreign keys)."""
from django.utils import translation

from defrel.dates import FORMS_PATTERN
from defrel.exports import column_types
from defrel.imports.widgets import KeyWidget
from defrel.models import Source
from meetings import dictionary, tables

LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
EDTF_NOTE = ("EDTF (Extended Date/Time Format, Library of Congress), level 0-1 subset; "
             "date_lower and date_upper give the days it spans")


def foreign_keys(resource):
    """A column naming one record of another table by its natural key: a foreign key.
    Many-valued cells (“AU|US”) are described, not declared: a Table Schema key cannot
    split a cell."""
    owners = tables.by_model()
    keys = []
    for field in resource.get_export_fields():
        widget = field.widget
        if isinstance(widget, KeyWidget) and widget.model in owners:
            keys.append({"fields": field.column_name,
                         "reference": {"resource": owners[widget.model].slug, "fields": widget.field}})
    return keys


def schema(slug, resource, described):
    types = column_types(resource)
    fields = []
    for column in described.columns:
        kind = types[column.name]
        spec = {"name": column.name, "type": kind.type,
                "description": f"{column.meaning} — {column.form}".strip(" —")}
        if column.name == "date":  # every "date" column holds EDTF text
            spec["format"] = "default"
            spec["description"] += f" ({EDTF_NOTE})"
            spec["constraints"] = {"pattern": FORMS_PATTERN}
        if column.natural_key:
            spec.setdefault("constraints", {})["required"] = True
        fields.append(spec)
    out = {"fields": fields, "primaryKey": [c.name for c in described.columns if c.natural_key],
           "missingValues": [""]}
    if keys := foreign_keys(resource):
        out["foreignKeys"] = keys
    return out


def package(*, version, created, paths):
    """The descriptor; ``paths``: {slug: path of its CSV in the zip}. In English, the
    language of the files' column names."""
    with translation.override("en"):
        described = {e.slug: e for e in dictionary.exports()}
        resources = []
        for slug, table in tables.TABLES.items():
            resources.append({
                "name": slug, "title": str(table.title), "path": paths[slug], "profile": "tabular-data-resource",
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "schema": schema(slug, table.resource(), described[slug]),
            })
    return {
        "profile": "tabular-data-package",
        "name": "defrel",
        "title": "defrel: a relational timeline of Japan's defence relations",
        "version": version,
        "created": created.isoformat(),
        "licenses": [LICENCE],
        "sources": [{"title": s.title_en, **({"path": s.url} if s.url else {})} for s in Source.objects.all()],
        "resources": resources,
    }

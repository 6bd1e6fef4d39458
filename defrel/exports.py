"""Spreadsheet-safe cells and CSV streamed through an import-export resource; the same rows
typed, for NDJSON and machine-readable files."""
import csv
import json
import re
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpResponseBadRequest, QueryDict, StreamingHttpResponse
from django.utils.http import content_disposition_header
from import_export.formats.base_formats import CSV

from defrel.queries import in_chunks

# OWASP ASVS V1.2.10: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
ESCAPE = "'"
BOM = "\ufeff"  # Excel in a Japanese locale reads UTF-8 only with it
CHUNK_BYTES = 64 * 1024  # what a streamed response hands the server at a time


def escape_formula(value):
    """Prefix a quote to a cell a spreadsheet would evaluate; also to one that already starts
    with the quote, so that :func:`unescape_formula` restores every value exactly."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS + (ESCAPE,)):
        return ESCAPE + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith(ESCAPE) and value[1:].startswith(
        FORMULA_TRIGGERS + (ESCAPE,)
    ):
        return value[1:]
    return value


class ExcelCSV(CSV):
    """The admin's CSV export as the public one's: UTF-8 with the BOM, so that Excel in a
    Japanese locale opens it as written (the data dictionary promises it of every CSV)."""

    def export_data(self, dataset, **kwargs):
        return BOM + super().export_data(dataset, **kwargs)


class _Echo:
    def write(self, value):
        return value


def row_lines(resource, headers, queryset, chunk_size=2000):
    """The rows as CSV lines (str); the queryset is read in chunks (prefetches included). A
    resource with ``export_rows(headers, queryset)`` builds its rows itself, faster."""
    writer = csv.writer(_Echo())
    if hasattr(resource, "export_rows"):
        rows = resource.export_rows(headers, queryset)
    else:
        rows = (resource.export_resource(i) for i in in_chunks(queryset, chunk_size))
    for row in rows:
        yield writer.writerow(row)


def csv_chunks(resource, queryset, chunk_bytes=CHUNK_BYTES):
    """What a streamed CSV response sends: the BOM and the header row at once, then the rows
    as UTF-8 in chunks of about ``chunk_bytes``, so that the server makes a write a chunk,
    not one a row. A resource with ``export_csv(headers, queryset)`` gives those chunks
    itself (bytes, CRLF lines)."""
    headers = resource.get_export_headers()
    yield (BOM + csv.writer(_Echo()).writerow(headers)).encode()
    if hasattr(resource, "export_csv"):
        yield from resource.export_csv(headers, queryset)
        return
    pending, size = [], 0
    for line in row_lines(resource, headers, queryset):
        pending.append(line)
        size += len(line)
        if size >= chunk_bytes // 2:  # characters: most of them take 1 to 3 bytes
            yield "".join(pending).encode()
            pending, size = [], 0
    if pending:
        yield "".join(pending).encode()


def stream_csv(resource, queryset, filename, params=None):
    """The rows as a CSV download named ``filename``, with the list's filters (``params``)
    in the name: an analyst's exports of two filters keep apart on their disk."""
    response = StreamingHttpResponse(
        csv_chunks(resource, queryset), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filtered_name(filename, params))
    return response


def refused(errors):
    """The answer to an export asked with bad filters: a 400 naming each parameter and why, a
    line each, as the JSON API names them (meetings.api.paging). Left out, a bad filter would
    hand an analyst every row while the file's name and their query say they filtered."""
    # A line a message, whatever the value it quotes holds (a line break typed into ?level=).
    lines = [" ".join(f"{name}: {message}".split()) for name, messages in errors.items() for message in messages]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


LONGEST_NAME = 120  # of a file name made from filters; longer ones are cut


def applied(params, known, wrong=()):
    """The parameters of ``params`` a list applies: those its FilterSet or filter form takes
    (``known``), less those in error (``wrong``), which the list shows and leaves out. An
    export's name and a list's JSON twin read these, so that a tracking parameter (?fbclid=)
    or a refused value names no filter the rows do not have."""
    kept = QueryDict(mutable=True)
    for name in params:
        if name in known and name not in wrong:
            kept.setlist(name, params.getlist(name))
    return kept


def filtered_name(filename, params):
    """defrel-meetings.csv with ?country=AU&year=2024: defrel-meetings_country-AU_year-2024.csv
    (the page and the order change no row, and are left out)."""
    stem, dot, suffix = filename.rpartition(".")
    parts = [f"{name}-{value}" for name in sorted(params or {}) if name not in ("page", "sort")
             for value in params.getlist(name) if value.strip()]
    named = "_".join([stem, *(re.sub(r"[^\w-]+", "-", part).strip("-") for part in parts)])
    return named[:LONGEST_NAME] + dot + suffix


# --- typed rows: NDJSON and the release's plain CSV -------------------------------------------

INTEGER_FIELDS = (models.AutoField, models.BigAutoField, models.IntegerField,
                  models.PositiveIntegerField, models.PositiveSmallIntegerField,
                  models.SmallIntegerField, models.BigIntegerField)


@dataclass(frozen=True)
class ColumnType:
    """What a column's cells are: a Table Schema type ("string", "integer", "date") and
    whether the database may hold none (NULL), from the model field behind the column."""

    type: str
    nullable: bool


def model_field(model, attribute):
    """(model field at the end of ``attribute``, whether a step on the way may be NULL), or
    (None, False) for a column the resource computes."""
    nullable, field = False, None
    for step in (attribute or "").split("__"):
        try:
            field = model._meta.get_field(step)
        except FieldDoesNotExist:
            return None, False
        nullable = nullable or field.null
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field, nullable


def column_types(resource):
    """{column: ColumnType} of the resource's export columns: the one home of how a column
    is typed, for NDJSON and the release's Table Schema alike."""
    types = {}
    for field in resource.get_export_fields():
        found, nullable = model_field(resource._meta.model, field.attribute)
        kind = "string"
        if found is not None and not found.many_to_many and not found.is_relation:
            if isinstance(found, INTEGER_FIELDS):
                kind = "integer"
            elif isinstance(found, models.DateField) and not isinstance(found, models.DateTimeField):
                kind = "date"
        types[field.column_name] = ColumnType(kind, nullable)
    return types


def typed(value, column):
    """A cell as JSON gives it: a number for an integer, ISO text for a date, None where the
    database holds none; text otherwise ("" where empty)."""
    if value is None or value == "":
        return None if column.nullable or column.type != "string" else ""
    if column.type == "integer":
        return int(value)
    if column.type == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


def value_rows(resource, queryset, chunk_size=2000, fast=True):
    """The export's rows as lists of typed values (not formula-escaped: for machines), in the
    resource's columns; a resource with ``export_values(headers, queryset)`` gives the raw
    values itself (faster, unless not ``fast``), which are typed the same way."""
    headers = resource.get_export_headers()
    types = [column_types(resource)[h] for h in headers]
    if fast and hasattr(resource, "export_values"):
        for row in resource.export_values(headers, queryset):
            yield [typed(v, t) for v, t in zip(row, types)]
        return
    fields = resource.get_export_fields()
    for record in queryset.iterator(chunk_size=chunk_size):
        # CuratedResource escapes every cell for spreadsheets; unescape_formula restores it
        yield [typed(unescape_formula(resource.export_field(f, record)), t) for f, t in zip(fields, types)]


def json_line_chunks(headers, rows, chunk_bytes=CHUNK_BYTES):
    """``rows`` (typed values) as JSON objects keyed by ``headers``, a line each, in chunks."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    pending, size = [], 0
    for row in rows:
        line = encode(dict(zip(headers, row)))
        pending.append(line)
        size += len(line)
        if size >= chunk_bytes // 2:
            yield ("\n".join(pending) + "\n").encode()
            pending, size = [], 0
    if pending:
        yield ("\n".join(pending) + "\n").encode()


def ndjson_chunks(resource, queryset):
    """Newline-delimited JSON, an object a row keyed by the CSV's column names, in chunks. A
    resource with ``export_ndjson(headers, queryset)`` gives those chunks itself."""
    headers = resource.get_export_headers()
    if hasattr(resource, "export_ndjson"):
        return resource.export_ndjson(headers, queryset)
    return json_line_chunks(headers, value_rows(resource, queryset))


def stream_ndjson(resource, queryset, filename):
    response = StreamingHttpResponse(
        ndjson_chunks(resource, queryset), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

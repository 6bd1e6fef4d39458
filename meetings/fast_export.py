"""Meetings as CSV from one SQL query per chunk of meetings (meetings.export_sql), every cell
already CSV-ready: Python only joins the lines into chunks, so the export runs at the
database's pace; a test compares its bytes with MeetingResource's own export.

What SQLite cannot write exactly is left to Python, which writes those meetings through
MeetingResource itself: a row whose identifiers are not plain (a comma, a quote, a line
break, or a first character escape_formula escapes) or that holds a NUL anywhere (GLOB,
comparisons and printf() stop at one). Curated data has none (keys are slugs and codes;
imports and forms refuse NUL): it is a safety net.
"""
import csv
import io
import operator
from itertools import islice

from django.db import connections

from defrel import exports
from defrel.exports import unescape_formula
from defrel.queries import ids_parameter, in_chunks
from meetings.export_json import json_sql
from meetings.export_sql import COLUMNS, DIALECTS, export_sql

# Meetings a query. SQLite streams a query's rows and looks each official up once a query:
# the more the better (memory: their ids). PostgreSQL sorts a query's rows.
IDS_PER_QUERY = {"sqlite": 50_000, "postgresql": 2000}
CHUNK_BYTES = 64 * 1024  # handed to the server at a time
NUL = b"\0"


def dialect_of(using):
    vendor = connections[using].vendor
    return vendor if vendor in DIALECTS else None


def csv_chunks(resource, headers, queryset, ids_per_query=None, chunk_bytes=CHUNK_BYTES):
    """The CSV lines (UTF-8, CRLF) of ``queryset``'s meetings in its order, ``headers`` their
    columns of ``resource`` (a MeetingResource, which writes what SQL cannot), in chunks of
    about ``chunk_bytes``: one query reads the ordered ids as it goes, another writes the
    lines of ``ids_per_query`` of them at a time, read as many lines at a time as make about
    a chunk. Memory: a chunk, the ids of a query and (SQLite) its officials."""
    dialect = dialect_of(queryset.db)
    if dialect is None:  # another database: the resource's own rows
        yield from resource_chunks(resource, headers, queryset, chunk_bytes)
        return
    ids_per_query = ids_per_query or IDS_PER_QUERY[dialect]
    sql = export_sql(dialect, headers, csv_line=True, ids=True)
    params = sql.replace("%%", "").count("%s")  # each is the ids
    ids = queryset.values_list("pk", flat=True).iterator(chunk_size=min(ids_per_query, 2000))
    per_chunk = 16  # lines a chunk, then as many as the lines so far say make chunk_bytes
    written = lines = 0
    # PostgreSQL runs these without JIT compilation (jit=off on the database: defrel 0008).
    # Without server-side cursors (behind pgbouncer) the ids come at once: 8 bytes a meeting.
    with connections[queryset.db].cursor() as cursor:
        while chunk := list(islice(ids, ids_per_query)):
            cursor.execute(sql, [ids_parameter(chunk, dialect)] * params)
            last = -1
            while rows := cursor.fetchmany(per_chunk):
                places, pks, texts, identifiers = zip(*rows)
                # SQLite's loop order is the ids' order; never otherwise
                if not all(map(operator.lt, (last, *places[:-1]), places)):
                    raise RuntimeError("meeting export rows out of order")
                last = places[-1]
                data = b"\r\n".join(texts) + b"\r\n"
                if dialect == "sqlite" and (NUL in data or any(c in b"".join(identifiers) for c in SPECIALS)):
                    data = with_python_lines(resource, headers, pks, texts, identifiers, queryset.db)
                yield data
                written, lines = written + len(data), lines + len(rows)
                per_chunk = max(1, chunk_bytes * lines // written)


SPECIALS = (b",", b'"', b"\n", b"\r", NUL)


def with_python_lines(resource, headers, pks, lines, identifiers, using):
    """``lines`` as a chunk, those SQLite left to Python (with a NUL, or with identifiers that
    a CSV cell would quote) written by MeetingResource itself."""
    redo = [pk for pk, line, plain in zip(pks, lines, identifiers)
            if NUL in line or any(c in plain for c in SPECIALS)]
    written = python_lines(resource, headers, redo, using)
    return b"\r\n".join([written.get(pk, line) for pk, line in zip(pks, lines)]) + b"\r\n"


def python_lines(resource, headers, pks, using):
    """{pk: CSV line} of these meetings, written by the resource."""
    meetings = resource.get_queryset().using(using).in_bulk(pks)
    return {pk: line for pk, line in zip(meetings, resource_lines(resource, headers, meetings.values()))}


def resource_lines(resource, headers, meetings):
    """CSV lines (bytes, without the line break) of ``meetings`` through the resource."""
    fields = {field.column_name: field for field in resource.get_export_fields()}
    out = io.StringIO()
    writer = csv.writer(out)
    for meeting in meetings:
        out.seek(0)
        out.truncate()
        writer.writerow([resource.export_field(fields[h], meeting) for h in headers])
        yield out.getvalue().removesuffix("\r\n").encode()


def resource_chunks(resource, headers, queryset, chunk_bytes=CHUNK_BYTES):
    meetings = resource.get_queryset().using(queryset.db).filter(
        pk__in=queryset.values("pk")).order_by(*(queryset.query.order_by or queryset.model._meta.ordering))
    pending, size = [], 0
    for line in resource_lines(resource, headers, in_chunks(meetings)):
        pending.append(line)
        size += len(line) + 2
        if size >= chunk_bytes:
            yield b"\r\n".join([*pending, b""])
            pending, size = [], 0
    if pending:
        yield b"\r\n".join([*pending, b""])


def json_chunks(resource, headers, queryset, ids_per_query=None, chunk_bytes=CHUNK_BYTES):
    """The NDJSON lines (UTF-8) of ``queryset``'s meetings in its order, each written by the
    database (meetings.export_json), in chunks of about ``chunk_bytes``; another database
    gets defrel.exports' lines from the resource's own values."""
    dialect = dialect_of(queryset.db)
    if dialect is None:
        yield from exports.json_line_chunks(headers, exports.value_rows(resource, queryset, fast=False))
        return
    ids_per_query = ids_per_query or IDS_PER_QUERY[dialect]
    sql = json_sql(dialect, headers)
    params = sql.replace("%%", "").count("%s")
    ids = queryset.values_list("pk", flat=True).iterator(chunk_size=min(ids_per_query, 2000))
    per_chunk = 16  # lines a chunk, then as many as the lines so far say make chunk_bytes
    written = lines = 0
    with connections[queryset.db].cursor() as cursor:
        while chunk := list(islice(ids, ids_per_query)):
            cursor.execute(sql, [ids_parameter(chunk, dialect)] * params)
            while rows := cursor.fetchmany(per_chunk):
                data = b"\n".join(line if isinstance(line, bytes) else line.encode() for _place, line in rows) + b"\n"
                yield data
                written, lines = written + len(data), lines + len(rows)
                per_chunk = max(1, chunk_bytes * lines // written)


def value_rows(resource, headers, queryset, ids_per_query=None):
    """The plain values (unescaped, None for NULL) of ``queryset``'s meetings in its order, a
    tuple of ``headers`` a meeting, from export_sql's plain SELECT, ``ids_per_query`` at a
    time: for NDJSON and the release, typed by defrel.exports.value_rows."""
    dialect = dialect_of(queryset.db)
    if dialect is None:  # another database: the resource's own cells, unescaped
        fields = {field.column_name: field for field in resource.get_export_fields()}
        meetings = resource.get_queryset().using(queryset.db).filter(pk__in=queryset.values("pk")).order_by(
            *(queryset.query.order_by or queryset.model._meta.ordering))
        for meeting in meetings.iterator(chunk_size=2000):
            yield [unescape_formula(resource.export_field(fields[h], meeting)) for h in headers]
        return
    ids_per_query = ids_per_query or IDS_PER_QUERY[dialect]
    sql = export_sql(dialect, headers, ids=True)
    params = sql.replace("%%", "").count("%s")
    ids = queryset.values_list("pk", flat=True).iterator(chunk_size=min(ids_per_query, 2000))
    with connections[queryset.db].cursor() as cursor:
        while chunk := list(islice(ids, ids_per_query)):
            cursor.execute(sql, [ids_parameter(chunk, dialect)] * params)
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    yield row[1:]  # after its place among the ids


def meeting_rows(resource, headers, queryset, **kwargs):
    """The cells of ``csv_chunks`` as lists of strings (formula-escaped, as export_resource's)."""
    for chunk in csv_chunks(resource, headers, queryset, **kwargs):
        yield from csv.reader(io.StringIO(chunk.decode(), newline=""))


def export_dataset(resource, queryset=None, **kwargs):
    """``resource.export(queryset, **kwargs)`` (MeetingResource's; the admin's export) from
    ``meeting_rows``: the same Dataset, the hooks called the same way; None when these rows
    cannot give it (not a queryset, a column or a native type they do not know)."""
    import tablib
    from django.db.models import QuerySet
    from import_export import widgets

    if queryset is not None and not isinstance(queryset, QuerySet):
        return None
    fields = resource.get_export_fields(kwargs.get("export_fields"))
    headers = resource.get_export_headers(selected_fields=kwargs.get("export_fields"))
    if any(h not in COLUMNS for h in headers):
        return None
    numbers = []
    if kwargs.get("force_native_type"):  # binary formats (XLSX) take numbers as numbers
        strings = (widgets.CharWidget, widgets.ForeignKeyWidget, widgets.ManyToManyWidget)
        for i, field in enumerate(fields):
            if isinstance(field.widget, widgets.IntegerWidget):
                numbers.append(i)
            elif not (type(field.widget) is widgets.Widget or isinstance(field.widget, strings)):
                return None
    resource.before_export(queryset, **kwargs)
    if queryset is None:
        queryset = resource.get_queryset()
    queryset = resource.filter_export(queryset, **kwargs)
    ordered = queryset
    if queryset._prefetch_related_lookups and not queryset.query.order_by:
        ordered = queryset.order_by("pk")  # as Resource.iter_queryset pages such a queryset
    rows = meeting_rows(resource, headers, ordered)
    if numbers:
        rows = (native_numbers(row, numbers) for row in rows)
    dataset = tablib.Dataset(*rows, headers=headers)
    resource.after_export(queryset, dataset, **kwargs)
    return dataset


def native_numbers(row, columns):
    for i in columns:
        row[i] = int(row[i]) if row[i] else None
    return row

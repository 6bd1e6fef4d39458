"""Spreadsheet-safe cells and CSV streamed through an import-export resource."""
import csv

from django.http import StreamingHttpResponse

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


def stream_csv(resource, queryset, filename):
    response = StreamingHttpResponse(
        csv_chunks(resource, queryset), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

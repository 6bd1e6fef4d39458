"""Spreadsheet-safe cells and CSV streamed row by row through an import-export resource."""
import csv

from django.http import StreamingHttpResponse

# OWASP ASVS V1.2.10: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
ESCAPE = "'"
BOM = "\ufeff"  # Excel in a Japanese locale reads UTF-8 only with it


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


def csv_rows(resource, queryset, chunk_size=2000):
    """Header and rows as CSV lines; the queryset is read in chunks (prefetches included).
    A resource with ``export_rows(headers, queryset)`` builds its rows itself, faster."""
    writer = csv.writer(_Echo())
    headers = resource.get_export_headers()
    yield BOM + writer.writerow(headers)
    if hasattr(resource, "export_rows"):
        rows = resource.export_rows(headers, queryset)
    else:
        rows = (resource.export_resource(i) for i in queryset.iterator(chunk_size=chunk_size))
    for row in rows:
        yield writer.writerow(row)


def stream_csv(resource, queryset, filename):
    response = StreamingHttpResponse(
        csv_rows(resource, queryset), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

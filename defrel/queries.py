"""Query helpers every app's querysets use: search, and many ids as one parameter."""
import json

from django.db import connection, connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from defrel.search import matching


class SearchableQuerySet(models.QuerySet):
    """``search(text)``: the records whose search document holds every term of ``text``
    (defrel.search); ``search_fields`` are the texts of a document, registered by the app
    (defrel.search_index.register)."""

    search_fields = ()

    def search(self, text):
        return self.filter(matching(self.model, text, self.db))


def ids_parameter(ids, vendor):
    """Ids as one query parameter however many there are (SQLite takes at most 32,766 a
    query): a JSON array for SQLite's json_each(%s), a '{1,2,…}' literal for PostgreSQL's
    %s::bigint[] (one text parameter, parsed once by the server). None is left out, as
    ``__in`` leaves it out (a record not saved yet has none)."""
    ids = [int(i) for i in ids if i is not None]
    if vendor == "postgresql":
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(ids)


def among(ids, field="pk"):
    """Rows whose ``field`` (the primary key, or a foreign key: a link's meeting) is one of
    ``ids`` (see ids_parameter)."""
    if connection.vendor == "postgresql":
        found = RawSQL("SELECT unnest(%s::bigint[])", [ids_parameter(ids, "postgresql")])
    else:
        found = RawSQL("SELECT value FROM json_each(%s)", [ids_parameter(ids, "sqlite")])
    return Q(**{f"{field}__in": found})


def in_chunks(queryset, chunk_size=2000):
    """``queryset``'s objects in its order, read ``chunk_size`` at a time (prefetches made a
    chunk at a time), for an export of any length in little memory.

    Where the database streams a query (SQLite; PostgreSQL with server-side cursors) this is
    ``iterator()``. Behind a transaction pooler server-side cursors are off (defrel.databases),
    and ``iterator()`` would fetch every row at once: there the ordered ids are read first (a
    few bytes a row) and the objects ``chunk_size`` ids at a time. A record deleted in between
    is left out, as if the export had started a moment later."""
    if not isinstance(queryset, models.QuerySet) or not connections[queryset.db].settings_dict.get(
            "DISABLE_SERVER_SIDE_CURSORS"):
        yield from queryset.iterator(chunk_size=chunk_size)
        return
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start:start + chunk_size]
        found = queryset.order_by().in_bulk(chunk)
        yield from (found[pk] for pk in chunk if pk in found)

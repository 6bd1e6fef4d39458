"""Many ids as one query parameter. Free of models: the benchmark's own process imports
meetings.fast_export, which uses it, before Django is set up."""
import json

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL


def ids_parameter(ids, vendor):
    """Ids as one query parameter however many there are (SQLite takes at most 32,766 a
    query): a JSON array for SQLite's json_each(%s), a '{1,2,…}' literal for PostgreSQL's
    %s::bigint[] (psycopg2's ARRAY[1,2,…] is parsed item by item)."""
    ids = [int(i) for i in ids]
    if vendor == "postgresql":
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(ids)


def among(ids):
    """Rows whose primary key is one of ``ids`` (see ids_parameter)."""
    if connection.vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids_parameter(ids, "postgresql")]))
    return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [ids_parameter(ids, "sqlite")]))

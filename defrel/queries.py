"""Query helpers every app's querysets use: search, and many ids as one parameter."""
import json

from django.db import connection, models
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
    %s::bigint[] (one text parameter, parsed once by the server)."""
    ids = [int(i) for i in ids]
    if vendor == "postgresql":
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(ids)


def among(ids):
    """Rows whose primary key is one of ``ids`` (see ids_parameter)."""
    if connection.vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids_parameter(ids, "postgresql")]))
    return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [ids_parameter(ids, "sqlite")]))

"""The curated data in a test's database: loaded by ``load_curated`` the first time a test
process needs it, then copied back row for row.

``load_curated`` writes every record through the model's save and its signals, then the
history, stored titles, venues and search documents of them all, and takes about 5 s in a
test process; about fifteen test modules read the curated data and none of them tests the load
itself (tests/test_curated_data.py does, with the command). So the first load in a process
keeps the rows it added, table by table, and a later load inserts the same rows in one
transaction (well under a second). The copy is the load's own output, primary keys included;
the data stamp is then renewed as a restore renews it, so nothing cached before describes
other data."""
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from defrel import stamp
from defrel.models import DataStamp

_added = {}  # the database's vendor -> [(table, columns, rows)] that load_curated added


def tables():
    """Every model's table, with the automatic many-to-many ones, but the data stamp's."""
    return [(model, model._meta.db_table) for model in apps.get_models(include_auto_created=True)
            if model is not DataStamp and model._meta.managed and not model._meta.proxy]


def keys(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(pk)} FROM {connection.ops.quote_name(table)}")
        return {row[0] for row in cursor.fetchall()}


def added_rows(before):
    added = []
    with connection.cursor() as cursor:
        for model, table in tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [c[0] for c in cursor.description]
            pk = columns.index(model._meta.pk.column)
            rows = [row for row in cursor.fetchall() if row[pk] not in before[table]]
            if rows:
                added.append((table, columns, rows))
    return added


def adapted(value):
    """A value as the driver takes it back: PostgreSQL's json columns come out as dicts."""
    if isinstance(value, (dict, list)) and connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb
        return Jsonb(value)
    return value


def forget():
    """The next load runs the command again (and keeps its rows for the copies after it)."""
    _added.pop(connection.vendor, None)


def load_curated():
    """The curated fixtures in the database, as ``load_curated`` would write them."""
    vendor = connection.vendor
    if vendor not in _added:
        before = {table: keys(table, model._meta.pk.column) for model, table in tables()}
        call_command("load_curated", verbosity=0)
        _added[vendor] = added_rows(before)
        return
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, rows in _added[vendor]:
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                [[adapted(value) for value in row] for row in rows])
        for sql in connection.ops.sequence_reset_sql(no_style(), [model for model, _ in tables()]):
            cursor.execute(sql)
        stamp.bump_on_commit()

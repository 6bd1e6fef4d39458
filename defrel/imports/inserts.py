"""INSERT … VALUES of many rows a statement (COPY on PostgreSQL: defrel.imports.pgcopy), from
values prepared as the ORM prepares them (Field.get_db_prep_save), without QuerySet.bulk_create()'s per-value compiling and without
making a model instance for each history entry. Measured on the meeting import (its
records, links, history entries and their links): with bulk_create() and simple-history's
bulk_history_create() in their place, 2,000 rows took 13.6–15.3 s against 10.5–10.8 s
(bench/NOTES.md, "Import, part by part")."""
from django.db import connections, models

from defrel.imports.pgcopy import copy_rows
from defrel.imports.readahead import chunked

TEXT_PREP = (models.CharField.get_prep_value, models.TextField.get_prep_value)
# A primary key's: it asks the backend to validate the value, which only MySQL's refuses (0).
INTEGER_DB_PREP = (models.IntegerField.get_db_prep_value, models.AutoField.get_db_prep_value)


def passed_as_is(field):
    """The Python type whose values ``field`` writes unchanged: str for a text field (its
    to_python keeps a str as it is), int for a whole number or a foreign key to one (its
    get_db_prep_save returns the int, on PostgreSQL in the driver's typed wrapper that only
    server-side binding needs, not COPY's rows); None for any other field."""
    kind = type(field)
    if isinstance(field, models.ForeignKey):
        return int if passed_as_is(field.target_field) is int else None
    if kind.get_db_prep_save is not models.Field.get_db_prep_save:
        return None
    if kind.get_prep_value is models.IntegerField.get_prep_value and kind.get_db_prep_value in INTEGER_DB_PREP:
        return int
    if kind.get_db_prep_value is models.Field.get_db_prep_value and kind.get_prep_value in TEXT_PREP:
        return str
    return None


def preparer(field):
    """field.get_db_prep_save, without the calls that would return a value unchanged
    (passed_as_is): a third of the prepared values of the meeting import are ids, the calls
    for them 0.7 of its 10.2 processor seconds for 10,000 rows on PostgreSQL (bench/NOTES.md,
    "Import, processor time")."""
    prepare = field.get_db_prep_save
    kind = passed_as_is(field)
    if kind is str:
        return lambda value, connection: value if type(value) is str else prepare(value, connection)
    if kind is int:
        return lambda value, connection: value if type(value) is int or value is None else prepare(value, connection)
    return prepare


def insert_rows(model, fields, rows, using, returning=False):
    """INSERT rows (sequences of Python values for ``fields``) of ``model``; the new primary
    keys in order when ``returning``. Without ``returning``, ``rows`` may be a generator: on
    PostgreSQL each row is then made while the server writes those sent before it."""
    if not rows:
        return []
    connection = connections[using]
    prepare = [preparer(f) for f in fields]
    if connection.vendor == "postgresql":
        keys = copy_rows(connection, model, fields, rows, prepare, returning)
        if keys is not None:
            return keys
    quote = connection.ops.quote_name
    head = "INSERT INTO %s (%s) VALUES " % (
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields))
    tail, tail_params = ("", ())
    if returning:  # the backend's RETURNING clause, as bulk_create() asks for it
        tail, tail_params = connection.ops.return_insert_columns([model._meta.pk])
        tail = " " + tail
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min((connection.features.max_query_params or 10_000) // len(fields), 1000))
    keys = []
    with connection.cursor() as cursor:
        for chunk in chunked(rows, per_statement):
            params = [p(value, connection) for row in chunk for p, value in zip(prepare, row)]
            cursor.execute(head + ", ".join([placeholders] * len(chunk)) + tail, [*params, *tail_params])
            if returning:
                keys += [r[0] for r in connection.ops.fetch_returned_insert_rows(cursor)]
    return keys


def can_insert(model, using):
    """Whether insert_rows() can write the model's new rows: the database returns their keys,
    and no field fills itself on saving (auto_now)."""
    meta = model._meta
    return (meta.pk.db_returning and connections[using].features.can_return_rows_from_bulk_insert
            and not any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                        for f in meta.concrete_fields))


def insert_instances(model, instances, using):
    """bulk_create() of new records whose related records are all saved (an import's are
    read from the database); each gets its new primary key."""
    meta = model._meta
    if not instances:
        return
    if not can_insert(model, using) or any(i.pk is not None for i in instances):
        model._base_manager.using(using).bulk_create(instances)
        return
    fields = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
    rows = [[f.pre_save(instance, True) for f in fields] for instance in instances]
    for instance, key in zip(instances, insert_rows(model, fields, rows, using, returning=True)):
        setattr(instance, meta.pk.attname, key)
        instance._state.adding, instance._state.db = False, using


def insert_entries(model, entries, using):
    """Insert rows given as the model's keyword arguments (history entries); their new keys
    in order."""
    meta = model._meta
    if not can_insert(model, using):
        made = [model(**entry) for entry in entries]
        model._base_manager.using(using).bulk_create(made)
        return [entry.pk for entry in made]
    fields = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
    rows, missing = [], object()
    for entry in entries:
        row = []
        for field in fields:
            value = entry.get(field.attname, entry.get(field.name, missing))
            if value is missing:
                value = field.get_default()
            elif field.is_relation and isinstance(value, models.Model):
                value = value.pk  # what Model() sets from a related object
            row.append(value)
        rows.append(row)
    return insert_rows(model, fields, rows, using, returning=True)

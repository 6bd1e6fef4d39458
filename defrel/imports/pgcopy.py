"""insert_rows() on PostgreSQL: COPY … FROM STDIN instead of INSERT … VALUES, for an import's
new records, links and history entries. Measured alone on the 10,000-meeting import (100,000-
meeting database, bench/NOTES.md "COPY, measured again"): the INSERTs took about 3 of the
import's 10 seconds, and the import ran at 0.8 of the speed it had with COPY.

The rows go through psycopg's own ``write_row()``, which adapts each value as a query's
parameter would be adapted, in the driver's C code: with CSV cells formatted in Python the
10,000-row import took 15.7 s, now 14.6 (bench/NOTES.md "COPY rows written by the driver")."""
from itertools import repeat


def copy_rows(connection, model, fields, rows, prepare, returning):
    """Write ``rows`` (Python values for ``fields``, prepared by ``prepare``) with COPY; their
    new primary keys in order when ``returning`` (taken from the table's sequence first, as
    COPY returns nothing). None when the driver has no COPY of psycopg 3's kind (the rows are
    then INSERTed)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", None)  # the driver's cursor under Django's wrapper
        if not hasattr(raw, "copy"):
            return None
        keys = []
        if returning:
            pk = model._meta.pk
            # The sequence named once, then given to nextval() as a constant: with the lookup
            # inside it, each value took ten times as long (4,000 values in 15–29 ms against
            # 1.5–2.3; 0.45 s of the 10,000-row import's 7 s of the server's time).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(model._meta.db_table), pk.column])
            sequence = cursor.fetchone()[0]
            if sequence is None:
                return None
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)])
            keys = [r[0] for r in cursor.fetchall()]
            fields = [pk, *fields]
        sql = "COPY %s (%s) FROM STDIN" % (
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields))
        with connection.wrap_database_errors:
            with raw.copy(sql) as copy:
                for first, row in zip(([key] for key in keys) if returning else repeat([]), rows):
                    copy.write_row([*first, *(p(value, connection) for p, value in zip(prepare, row))])
    return keys

"""insert_rows() on PostgreSQL: COPY … FROM STDIN instead of INSERT … VALUES, for an import's
new records, links and history entries. Measured alone on the 10,000-meeting import (100,000-
meeting database, bench/NOTES.md "COPY, measured again"): the INSERTs took about 3 of the
import's 10 seconds, and the import ran at 0.8 of the speed it had with COPY."""
from datetime import date, datetime, time
from decimal import Decimal


def cell(value):
    """A prepared value as a cell of COPY … (FORMAT csv); None for a type not written here
    (the rows are then INSERTed)."""
    if value is None:
        return ""  # unquoted: NULL; a quoted "" is the empty string
    if isinstance(value, str):  # choices (TextChoices) included
        return '"' + str.__str__(value).replace('"', '""') + '"'
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))
    if type(value) in (float, Decimal, date, datetime, time):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return None


def copy_rows(connection, model, fields, rows, prepare, returning):
    """Write ``rows`` (Python values for ``fields``, prepared by ``prepare``) with COPY; their
    new primary keys in order when ``returning`` (taken from the table's sequence first, as
    COPY returns nothing). None when COPY cannot take these rows: the driver has no COPY of
    psycopg 3's kind, or a value of a type ``cell`` does not write."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", None)  # the driver's cursor under Django's wrapper
        if not hasattr(raw, "copy"):
            return None
        lines = []
        for row in rows:
            cells = [cell(p(value, connection)) for p, value in zip(prepare, row)]
            if None in cells:
                return None
            lines.append(cells)
        keys = []
        if returning:
            pk = model._meta.pk
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [quote(model._meta.db_table), pk.column, len(rows)])
            keys = [r[0] for r in cursor.fetchall()]
            if None in keys:
                return None
            fields = [pk, *fields]
            lines = [[str(key), *cells] for key, cells in zip(keys, lines)]
        sql = "COPY %s (%s) FROM STDIN WITH (FORMAT csv)" % (
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields))
        with connection.wrap_database_errors:
            with raw.copy(sql) as copy:
                copy.write("".join(",".join(cells) + "\n" for cells in lines))
    return keys

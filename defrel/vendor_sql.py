"""SQL that a migration runs on one database engine only: what the ORM cannot say for both
(SQLite's FTS5 table, PostgreSQL's trigram and covering indexes)."""


def by_vendor(statements):
    """A RunPython function that runs ``statements[vendor]`` (SQL statements, in order) on the
    database being migrated, and nothing on an engine not named."""
    def operation(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql)
    return operation

"""PostgreSQL's planner settings, on the database rather than on each connection: a transaction
pooler (pgbouncer) cannot pass per-connection options on, and a replica receives the database's
settings with the rest of the data (pg_db_role_setting is replicated).

jit = off: PostgreSQL compiles a query it estimates as costly (a deep page, an export batch)
before running it: tens of milliseconds to seconds that pages of 50 rows never win back.
random_page_cost = 1.1: the default (4) prices an index lookup for a disk that seeks; a defrel
database is read from memory, and at 4 the export scanned the whole table of countries once
per meeting instead of looking its partners up (1.5x slower).
timezone = UTC: what Django asks of every connection, so that it need not SET it on each.

ALTER DATABASE needs its owner (or a superuser). A migration run by a role that is neither
leaves a warning naming the command for the owner to run (README, Production), and changes
nothing else.
"""
from django.db import migrations

SETTINGS = {"jit": "off", "random_page_cost": "1.1", "timezone": "UTC"}

APPLY = """
DO $$
BEGIN
  IF pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER') THEN
    {statements}
  ELSE
    RAISE WARNING 'defrel: not the owner of database %; as its owner, run: %', current_database(),
      {manual};
  END IF;
END $$;
"""


def alter(setting, value):
    action = f"SET {setting} = ''{value}''" if value else f"RESET {setting}"
    return f"EXECUTE format('ALTER DATABASE %I {action}', current_database());"


def manual(settings):
    return "'" + " ".join(
        f"ALTER DATABASE ' || quote_ident(current_database()) || ' SET {k} = ''{v}'';" for k, v in settings.items()
    ) + "'"


def planner_settings(reset=False):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        statements = " ".join(alter(k, None if reset else v) for k, v in SETTINGS.items())
        schema_editor.execute(APPLY.format(statements=statements, manual=manual(SETTINGS)), params=None)
    return run


class Migration(migrations.Migration):
    dependencies = [("defrel", "0007_data_stamp_scopes")]

    operations = [migrations.RunPython(planner_settings(), planner_settings(reset=True), elidable=False)]

"""Sites for the backup tests: databases other processes can open (a file for SQLite, whose test
database lives in memory), manage.py run against them, and every table of one, row for row."""
import os
import pickle
import sqlite3
import subprocess
import sys
from contextlib import closing

from django.conf import settings
from django.db import connection

STAMP_TABLE = "defrel_datastamp"  # a restore gives it a new token on purpose


def postgres_url(name):
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


def site_url(tmp_path):
    """A URL for the test database as it is now: on PostgreSQL the test database itself (a
    transactional test commits), on SQLite a file copy of the in-memory one."""
    if connection.vendor == "postgresql":
        return postgres_url(connection.settings_dict["NAME"])
    path = tmp_path / "site.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    return f"sqlite:///{path}"


def empty_database_url(tmp_path, name):
    """A new, empty database beside the test database; drop_database() when done."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    target = f"{connection.settings_dict['NAME']}_{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{target}"')
    return postgres_url(target)


def drop_database(url):
    if url.startswith("postgres"):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def run(url, *args, **kwargs):
    """``python *args`` in the project with DATABASE_URL=url, as a server or cron job would."""
    return subprocess.run([sys.executable, *args], capture_output=True, **on_site(url), **kwargs)


def start(url, *args, **kwargs):
    """run() without waiting for it."""
    return subprocess.Popen([sys.executable, *args], **on_site(url), **kwargs)


def on_site(url):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "defrel.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # The replicas CI names replicate its main database, not this one: a site on a test
    # database reads from that database alone.
    env.pop("DATABASE_REPLICA_URLS", None)
    return {"env": env, "cwd": settings.BASE_DIR}


def manage(url, *args, **kwargs):
    return run(url, "manage.py", *args, text=True, **kwargs)


def tables(skip=(STAMP_TABLE,)):
    """Every table of the default database: its columns and all its rows, in a stable order."""
    result = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table in skip:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            result[table] = (columns, sorted(cursor.fetchall(), key=repr))
    return result


TABLES = "import django, pickle, sys; django.setup(); from tests.defrel.sites import tables; " \
         "sys.stdout.buffer.write(pickle.dumps(tables()))"


def tables_of(url):
    """tables() of the database at ``url``, read by another process."""
    result = run(url, "-c", TABLES)
    assert result.returncode == 0, result.stderr.decode()
    return pickle.loads(result.stdout)

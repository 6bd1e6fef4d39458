"""Backups that are copies of the database, not re-serialisations of its rows.

SQLite copies itself with its online backup API (a consistent snapshot while the site serves
and editors write: in WAL mode the copy reads one snapshot and writers go on); PostgreSQL
with ``pg_dump``'s custom format (one repeatable-read snapshot). Every table comes back as it
was, history included, to the microsecond, and no model signal fires, so a restore records
no history of its own.

A backup is written under a hidden temporary name in its folder, checked, synced and only
then renamed: a failure never leaves a file that looks like a backup. Backups hold password
hashes, so they are readable by their owner only.
"""
import datetime
import os
import sqlite3
import subprocess
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from defrel.databases import behind_pooler, server_address

SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
PG_MAGIC = b"PGDMP"  # the first 5 bytes of a pg_dump custom-format archive


class BackupError(Exception):
    """A backup or restore that did not happen, with the reason."""


def default_path(connection):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    return Path(settings.BASE_DIR) / "backups" / f"defrel-{stamp}.{suffix}"


def back_up(connection, path):
    """Write a copy of the database behind ``connection`` to ``path`` (which must not exist)."""
    path = Path(path)
    if path.exists():
        raise BackupError(_("%(path)s already exists; a backup never overwrites a file.") % {"path": path})
    if path.parent == Path(settings.BASE_DIR) / "backups":
        path.parent.mkdir(mode=0o700, exist_ok=True)
        path.parent.chmod(0o700)  # also a folder made by an older version, readable by all
    with written_atomically(path) as partial:
        if connection.vendor == "postgresql":
            run(["pg_dump", "--format=custom", "--file", str(partial)], connection)
        else:
            sqlite_copy(connection, partial)
        check_backup(partial)
    return path


@contextmanager
def written_atomically(path):
    """A temporary name beside ``path`` (mode 0600); when the block succeeds the file is synced,
    renamed to ``path`` and the folder synced, so a crash leaves the old state or the new."""
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    try:
        yield Path(partial)
        os.chmod(partial, 0o600)
        fsync(partial)
        os.rename(partial, path)
        fsync(path.parent)
    finally:
        # SQLite leaves its rollback journal beside a copy it could not finish (a full disk).
        for leftover in (partial, partial + "-journal"):
            Path(leftover).unlink(missing_ok=True)


def fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sqlite_copy(connection, partial):
    connection.ensure_connection()
    with closing(sqlite3.connect(partial)) as target:
        try:
            # pages=-1: the whole database in one step, hence from one snapshot.
            connection.connection.backup(target, pages=-1)
            # The copy takes the source's WAL mode; a backup is one self-contained file.
            target.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as error:
            raise BackupError(_("The SQLite backup failed: %(error)s") % {"error": error}) from error


def sqlite_integrity(db):
    problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupError(_("The database failed its integrity check: %(problems)s")
                          % {"problems": "; ".join(problems[:5])})


def kind_of(path):
    """"sqlite" or "postgresql", from the file's first bytes (never from its name)."""
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(_("%(path)s is not a defrel backup (neither a SQLite database nor a pg_dump "
                        "archive).") % {"path": path})


def check_backup(path):
    """Refuse a file that is not a whole, readable defrel backup."""
    if kind_of(path) == "postgresql":
        contents = run(["pg_restore", "--list", str(path)])
        tables = "django_migrations" in contents
    else:
        try:
            with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as db:
                sqlite_integrity(db)
                tables = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone()
        except sqlite3.Error as error:
            raise BackupError(_("%(path)s is not a readable SQLite database: %(error)s")
                              % {"path": path, "error": error}) from error
    if not tables:
        raise BackupError(_("%(path)s holds no defrel database.") % {"path": path})


def restore(connection, path, replace=False):
    """Make the database behind ``connection`` a copy of the backup at ``path``. An empty
    database only, unless ``replace``: then everything in it is replaced, in one transaction.

    SQLite's copy goes through the database's own connection with the backup API, as one write
    transaction: its -wal and -shm files stay in step and other connections (a running server)
    reload the schema, where a file copied over the database would leave them a stale WAL."""
    check_backup(path)
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    if kind_of(path) != vendor:
        raise BackupError(_("%(path)s is a %(kind)s backup and this database is %(vendor)s.")
                          % {"path": path, "kind": kind_of(path), "vendor": vendor})
    tables = connection.introspection.table_names()
    if tables and not replace:
        raise BackupError(_("The database is not empty (%(count)d tables). Restore into a new, empty "
                            "database, or pass --replace to overwrite everything in it.")
                          % {"count": len(tables)})
    if vendor == "postgresql":
        clean = ["--clean", "--if-exists"] if replace else []
        run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
             *clean, "--dbname", connection.settings_dict["NAME"], str(path)], connection)
        # A dump holds the rows, not the planner's statistics of them: until autovacuum next
        # came round, every page would be planned for the tables as they were before (empty,
        # in a new database), and a list's facets so planned can take minutes. PostgreSQL's
        # documentation of pg_restore: run ANALYZE once restored.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        connection.ensure_connection()
        try:
            with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as source:
                source.backup(connection.connection)  # one write transaction; others reload the schema
            sqlite_integrity(connection.connection)
        except sqlite3.Error as error:
            raise BackupError(_("The SQLite restore failed: %(error)s") % {"error": error}) from error


def run(command, connection=None):
    """A PostgreSQL client program, connected as ``connection`` is; its output, or its reason."""
    env = dict(os.environ)
    if connection is not None:
        db = connection.settings_dict
        host, port = db["HOST"], db["PORT"]
        if behind_pooler(db):
            # Straight to PostgreSQL: pg_dump and pg_restore set session state (search_path,
            # and more) that a transaction pooler would hand on to the site's next transaction.
            host, port = server_address(connection)
            if host is None:
                raise BackupError(_("Behind pgbouncer, PostgreSQL must be reachable over TCP for a backup "
                                    "or a restore; or run it with DATABASE_URL naming PostgreSQL itself."))
        env.update(PGHOST=str(host or ""), PGPORT=str(port or ""), PGUSER=db["USER"] or "",
                   PGPASSWORD=db["PASSWORD"] or "", PGDATABASE=db["NAME"])
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except OSError as error:
        raise BackupError(_("%(program)s could not run: %(error)s") % {"program": command[0], "error": error})
    if result.returncode:
        reason = result.stderr.strip() or (_("killed by signal %(signal)s") % {"signal": -result.returncode}
                                           if result.returncode < 0 else _("exit status %(code)s") % {"code": result.returncode})
        raise BackupError(f"{command[0]}: {reason}")
    return result.stdout

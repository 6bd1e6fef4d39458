"""The databases, from the environment (settings.py calls :func:`databases`).

``DATABASE_URL`` names the primary; ``DATABASE_REPLICA_URLS`` (comma-separated) adds streaming
replicas ``replica1``, ``replica2`` … that public pages read from (defrel.replicas);
``DATABASE_POOLER=pgbouncer`` says every PostgreSQL URL points at a pgbouncer in transaction
pooling mode. One setting for all URLs rather than a parameter on each: a deployment has one
pooler or none, and a parameter forgotten on one URL would break only that server's pages.

Planner settings (``jit``, ``random_page_cost``) are not connection options: a transaction
pooler cannot pass them on. Migration defrel 0008 sets them on the database itself, so every
connection, direct or pooled, on the primary or on a replica, starts with them.
"""
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

POOLERS = ("", "pgbouncer")
POSTGRESQL = "django.db.backends.postgresql"
SQLITE_MAPPED = 2**30  # bytes of an SQLite file read through a memory map (SQLite's own cap is 2 GiB)


def database_from_url(url, *, base_dir, conn_max_age=60, pooler="", pool_size=4, replica=False):
    """sqlite:///path or postgres://user:pass@host:port/name, as most hosts hand them out."""
    if pooler not in POOLERS:
        raise ImproperlyConfigured(f"DATABASE_POOLER must be one of {POOLERS}, not {pooler!r}")
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:////abs/path keeps its leading slash; sqlite:///rel/path is relative to base_dir.
        name = path[1:] if path.startswith("//") else base_dir / path.lstrip("/")
        # WAL lets readers go on while an editor writes; IMMEDIATE avoids "database is locked"
        # on the upgrade from a read to a write lock inside a transaction. mmap_size: pages are
        # read from the file mapped into memory (shared by every worker through the system's
        # cache) rather than copied in a system call each: a search and its partners' facet
        # on the 100,000-meeting file, 12–15 → 9–11 ms (bench/NOTES.md, "SQLite's pages mapped").
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name or base_dir / "db.sqlite3",
                "CONN_MAX_AGE": conn_max_age,
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                            f"PRAGMA mmap_size={SQLITE_MAPPED};"}}
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")
    database = {
        "ENGINE": POSTGRESQL,
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": parts.port or "",
        # A replica that does not answer is skipped after this long, not waited for.
        "OPTIONS": {"connect_timeout": 3},
    }
    if pooler == "pgbouncer" or replica:
        # A transaction pooler hands each transaction any server connection: a cursor kept
        # open across transactions (Django's server-side cursors in autocommit are WITH HOLD)
        # would be looked for on another one. The pooler pools, so a worker keeps its
        # connection to it (cheap) rather than a pool of its own. A replica keeps one too:
        # a pool would go on retrying one that is down and make a page wait for its timeout,
        # where a plain connection is refused at once and the replica skipped.
        database.update(CONN_MAX_AGE=conn_max_age, CONN_HEALTH_CHECKS=True,
                        DISABLE_SERVER_SIDE_CURSORS=pooler == "pgbouncer")
    else:
        # psycopg's pool in each process: a connection is taken for a request and given back,
        # checked before reuse, and threads (a background import) take their own.
        database["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django requires 0 with it
        database["OPTIONS"]["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
    return database


def replica_aliases(count):
    return [f"replica{n}" for n in range(1, count + 1)]


def databases(env, base_dir):
    """DATABASES from the environment ``env`` (a mapping)."""
    common = {"base_dir": base_dir, "conn_max_age": int(env.get("CONN_MAX_AGE", "60")),
              "pooler": env.get("DATABASE_POOLER", "").strip().lower(),
              "pool_size": int(env.get("DATABASE_POOL_SIZE", "4"))}
    result = {"default": database_from_url(env.get("DATABASE_URL", "sqlite:///db.sqlite3"), **common)}
    urls = [url.strip() for url in env.get("DATABASE_REPLICA_URLS", "").split(",") if url.strip()]
    for alias, url in zip(replica_aliases(len(urls)), urls):
        replica = database_from_url(url, **common, replica=True)
        if not (replica["ENGINE"] == result["default"]["ENGINE"] == POSTGRESQL):
            raise ImproperlyConfigured("DATABASE_REPLICA_URLS need PostgreSQL, in DATABASE_URL too")
        # Tests: the replica serves the primary's test database (streamed to it), not its own.
        replica["TEST"] = {"MIRROR": "default"}
        result[alias] = replica
    return result


def behind_pooler(database):
    """Whether the settings ``database`` reach PostgreSQL through a transaction pooler."""
    return bool(database.get("DISABLE_SERVER_SIDE_CURSORS"))


def server_address(connection):
    """(host, port) of the PostgreSQL server itself behind ``connection``, through a pooler or
    not (None, None when it listens on a Unix socket only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT host(inet_server_addr()), inet_server_port()")
        return cursor.fetchone()

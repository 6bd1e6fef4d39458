"""Public reads from streaming replicas; the admin, every write and a writer's next pages on
the primary.

A request may read from a replica only when ReplicaMiddleware says so: a GET or HEAD outside
the admin, from a session not pinned to the primary. Everything else (the admin, forms that
post, management commands, background threads, tests) reads from the primary, so a replica is
only ever used where slightly old data is harmless. A response to a request that wrote sets a
short-lived signed cookie that pins the session to the primary (REPLICA_PIN_SECONDS), so an
editor who saved sees the saved record on the public pages at once.

A replica is skipped, without an error, when it cannot be reached or its replay lags more than
REPLICA_MAX_LAG seconds behind; each process checks each replica at most every
REPLICA_CHECK_SECONDS. One that fails in the middle of a page has the page made again from the
primary; in the middle of a streamed export too, while its first bytes are still held back
(HELD_BYTES: a small export whole).
"""
import contextvars
import logging
import random
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

from defrel.middleware import in_admin

logger = logging.getLogger(__name__)

PIN_COOKIE = "defrel_primary"
PIN_SALT = "defrel.replicas.pin"
SAFE_METHODS = {"GET", "HEAD"}
WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|MERGE|COPY|TRUNCATE|CREATE|ALTER|DROP)\b", re.IGNORECASE)

# Seconds the replica's replay is behind. Caught up (everything received is replayed, and the
# receiver streams) is 0 however long ago the last write was: an idle primary sends nothing.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
       AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 'Infinity')
END
"""

_checked = {}  # alias → (monotonic time of the check, lag in seconds or None when unreachable)


@dataclass
class RequestDatabases:
    """What one request may read from, and what it did."""

    replicas: bool = False
    alias: str | None = None  # the replica chosen for the request, once chosen
    used: set = field(default_factory=set)
    wrote: bool = False

    def watch_writes(self, execute, sql, params, many, context):
        if WRITE.match(sql):
            self.wrote = True
        return execute(sql, params, many, context)


_request = contextvars.ContextVar("defrel_request_databases", default=None)


def measure_lag(alias):
    """Seconds ``alias`` is behind its primary, or None when it cannot be reached."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError as error:
        logger.warning("replica %s skipped: %s", alias, error)
        connections[alias].close()
        return None


def lags():
    """Each replica's lag in seconds (None: unreachable), measured at most every
    REPLICA_CHECK_SECONDS in this process."""
    now = time.monotonic()
    result = {}
    for alias in settings.REPLICA_DATABASES:
        checked = _checked.get(alias)
        if checked is None or now - checked[0] >= settings.REPLICA_CHECK_SECONDS:
            checked = _checked[alias] = (now, measure_lag(alias))
        result[alias] = checked[1]
    return result


def healthy_replicas():
    return [alias for alias, lag in lags().items() if lag is not None and lag <= settings.REPLICA_MAX_LAG]


def mark_down(alias):
    _checked[alias] = (time.monotonic(), None)
    connections[alias].close()


def forget():
    """Check every replica again at its next use (tests)."""
    _checked.clear()


class ReplicaRouter:
    """Reads go to the request's replica when it may use one; writes and migrations to the
    primary. Every alias holds the same data, so relations between them are allowed."""

    def db_for_read(self, model, **hints):
        state = _request.get()
        if state is None:
            return DEFAULT_DB_ALIAS
        if state.replicas and state.alias is None:
            healthy = healthy_replicas()
            state.alias = random.choice(healthy) if healthy else DEFAULT_DB_ALIAS
        alias = state.alias if state.replicas else DEFAULT_DB_ALIAS
        state.used.add(alias)
        return alias

    def db_for_write(self, model, **hints):
        state = _request.get()
        if state is not None:
            state.used.add(DEFAULT_DB_ALIAS)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


def pinned(request):
    value = request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT,
                                      max_age=settings.REPLICA_PIN_SECONDS)
    return value is not None


def may_use_replica(request):
    return (bool(settings.REPLICA_DATABASES) and request.method in SAFE_METHODS
            and not in_admin(request) and not pinned(request))


# A streamed response's first bytes are held back until there are this many (or it ends):
# a replica that fails before then has the whole response made again from the primary, as
# nothing was sent. Two of the exports' 64 KiB chunks: a small export (a filtered list) whole.
HELD_BYTES = 128 * 1024


def read_as(state, content, request):
    """``content``, read from the databases ``state`` chose. A replica that fails while the
    first HELD_BYTES are held has the response made again from the primary; one that fails
    later cuts the response short: what was sent cannot be taken back."""
    token = _request.set(state)
    try:
        held, size, chunks = [], 0, iter(content)
        try:
            for chunk in chunks:
                held.append(chunk)
                size += len(chunk)
                if size >= HELD_BYTES:
                    break
        except (OperationalError, InterfaceError) as error:
            again = answer_from_primary(request, error)
            if again is None:
                raise
            held, chunks = [], iter(again.streaming_content if again.streaming else [again.content])
        yield from held
        yield from chunks
    finally:
        _request.reset(token)


class ReplicaMiddleware:
    """Decides where a request reads (see the module's docstring), pins a session that wrote,
    and leaves ``request.databases_used`` for the request log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = RequestDatabases(replicas=may_use_replica(request))
        token = _request.set(state)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(state.watch_writes):
                response = self.get_response(request)
        finally:
            _request.reset(token)
        request.databases_used = sorted(state.used)
        if response.streaming:
            # A streamed export runs its queries after this returns, as the server sends it.
            response.streaming_content = read_as(state, response.streaming_content, request)
        if state.wrote and settings.REPLICA_DATABASES:
            response.set_signed_cookie(
                PIN_COOKIE, "1", salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_exception(self, request, exception):
        return answer_from_primary(request, exception)


def answer_from_primary(request, exception):
    """A replica that fails in the middle of a GET (stopped, restarted, its connection cut):
    the page is made again from the primary rather than answered with an error (None when
    ``exception`` is not a replica's failure). A GET changes nothing, so making it twice is
    safe. Called for the view's exceptions, and by a middleware that calls the view itself
    (defrel.http_cache)."""
    state = _request.get()
    if (state is None or state.alias in (None, DEFAULT_DB_ALIAS)
            or not isinstance(exception, (OperationalError, InterfaceError))):
        return None
    logger.warning("replica %s failed during %s; answered from the primary: %s",
                   state.alias, request.path, exception)
    mark_down(state.alias)
    state.replicas, state.alias = False, None
    match = request.resolver_match
    response = match.func(request, *match.args, **match.kwargs)
    if callable(getattr(response, "render", None)):
        response = response.render()  # a TemplateResponse, as the handler would render it
    return response

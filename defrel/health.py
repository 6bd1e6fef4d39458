"""/healthz: whether this app server can serve, for a load balancer or a monitor."""
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import JsonResponse
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache

from defrel import replicas


def database_reachable():
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        connections[DEFAULT_DB_ALIAS].close()
        return False


def cache_reachable():
    """A value written and read back: with Redis, the shared cache answers."""
    value = get_random_string(12)
    try:
        cache.set("defrel:healthz", value, 30)
        return cache.get("defrel:healthz") == value
    except Exception:  # noqa: BLE001 — whatever the backend raises, the answer is "no"
        return False


@never_cache
def healthz(request):
    """200 when pages can be served (the primary and the cache answer), 503 otherwise. A
    replica down or lagging is reported but does not fail it: pages then read from the
    primary. Touches no session, so it sets no cookie."""
    database, shared_cache = database_reachable(), cache_reachable()
    lags, healthy = replicas.lags(), replicas.healthy_replicas()
    body = {
        "status": "ok" if database and shared_cache else "unavailable",
        "database": database,
        "cache": shared_cache,
        "replicas": {alias: {"reachable": lag is not None, "lag_seconds": lag,
                             "used": alias in healthy} for alias, lag in lags.items()},
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)

"""Login throttling: the client's address, trusting only the proxies we were told of, and a
lockout that stops a password spray without letting anyone lock an editor out."""
from axes.handlers.database import AxesDatabaseHandler
from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_ip(request):
    """With N trusted proxies, the client is the N-th address from the right of
    X-Forwarded-For (anything further left may be forged by the client)."""
    count = settings.DEFREL_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class SprayLimitedHandler(AxesDatabaseHandler):
    """axes locks a user name at one address after AXES_FAILURE_LIMIT failures, so a stranger
    elsewhere cannot lock an editor out. On its own that never stops one address trying a
    password on many user names; this also locks an address after DEFREL_ADDRESS_FAILURE_LIMIT
    failures over all names. axes compares one count with one limit, so the address's count
    is handed over on the per-name scale (it reaches the limit exactly at the address limit)."""

    def get_failures(self, request, credentials=None):
        own = super().get_failures(request, credentials)
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        address = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        return max(own, address * settings.AXES_FAILURE_LIMIT // settings.DEFREL_ADDRESS_FAILURE_LIMIT)

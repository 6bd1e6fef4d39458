"""The client's address for login throttling, trusting only the proxies we were told of."""
from django.conf import settings


def client_ip(request):
    """With N trusted proxies, the client is the N-th address from the right of
    X-Forwarded-For (anything further left may be forged by the client)."""
    count = settings.DEFREL_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")

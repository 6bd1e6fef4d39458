"""Deployment checks of defrel's own settings (`manage.py check --deploy`)."""
from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def proxy_count_is_said(app_configs, **kwargs):
    """Production runs behind a TLS-terminating proxy (README): unless DEFREL_PROXY_COUNT says
    how many, every client has the proxy's address and anyone can lock an editor out."""
    if not settings.PRODUCTION or settings.DEFREL_PROXY_COUNT_SET:
        return []
    return [Warning(
        "DEFREL_PROXY_COUNT is not set.",
        hint="Set it to the number of proxies in front of defrel (1 behind one nginx), or 0 "
             "when clients connect directly; login throttling counts failures by address.",
        id="defrel.W001",
    )]

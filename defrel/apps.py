from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DefrelConfig(AppConfig):
    name = "defrel"
    verbose_name = _("Sources")
    curated = True  # its records are published data (defrel.stamp, load_curated)

    def ready(self):
        from defrel import checks, choices, stamp_writes  # noqa: F401 - checks registers itself
        from defrel.models import connect_inline_rows, connect_links

        stamp_writes.connect()
        connect_inline_rows()
        connect_links()
        choices.install(self.apps.get_models())  # every app's models are loaded by now

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and officials")
    curated = True  # its records are published data (defrel.stamp, load_curated)

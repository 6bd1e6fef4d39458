from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and officials")
    curated = True  # its records are published data (defrel.stamp, load_curated)

    def ready(self):
        from defrel.search_index import register
        from partners.models import Country, Official

        # The texts of their search documents (defrel.search): names in both languages (and a
        # partner's formal name: 大韓民国), the short forms the documents use (豪, 韓), and an
        # official's country and offices.
        register(Country, ["code", "name_ja", "name_en", "formal_ja", "short_ja", "relationship_ja",
                           "relationship_en"])
        register(Official, ["slug", "name_ja", "name_en", "country__name_ja", "country__name_en",
                            "country__short_ja", "tenures__position__title_ja",
                            "tenures__position__title_en"])

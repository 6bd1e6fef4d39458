"""What the records with partner countries and a host have in common (meetings, exercises,
engagements)."""
from django.db.models import Prefetch

from partners.models import Country


def partners_prefetch():
    """A list row's partners, with what a list shows of them (name, link), as the row's
    ``partners``. ``to_attr`` hands each row a plain list instead of a related manager with its
    own queryset: a page of 50 meetings in 5.9 ms instead of 7.1 on SQLite (bench/NOTES.md,
    "A list's partners and a search's facets")."""
    return Prefetch("countries", queryset=Country.objects.only("code", "name_ja", "name_en"), to_attr="partners")


class WithPartners:
    """A record whose ``countries`` are its partners, with one more in ``host_country``."""

    def stamp_partners(self):
        """The partners whose pages show this record (defrel.stamp)."""
        return [*self.countries.values_list("pk", flat=True), self.host_country_id]

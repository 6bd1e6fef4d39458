"""What the records with partner countries and a host have in common (meetings, exercises,
engagements)."""


class WithPartners:
    """A record whose ``countries`` are its partners, with one more in ``host_country``."""

    def stamp_partners(self):
        """The partners whose pages show this record (defrel.stamp)."""
        return [*self.countries.values_list("pk", flat=True), self.host_country_id]

"""Exercises Japan held, joined or observed with partners."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from defrel.links import address
from defrel.models import (
    Dated, DatedQuerySet, History, NaturalKeyed, NaturalKeyManager, Sourced, Versioned,
    dated_constraints, noted, undated_allowed,
)
from defrel.queries import SearchableQuerySet
from meetings.models.partnered import WithPartners, partners_prefetch
from meetings.models.services import WithServices
from partners.models import Country, localised

DATE, HAS_START = undated_allowed("exercise")


class ExerciseQuerySet(SearchableQuerySet, DatedQuerySet):
    search_fields = ("name_ja", "name_en", "series_ja", "series", "key", "date", "summary_ja",
                     "summary_en", "location_ja", "location_en",
                     "countries__name_ja", "countries__name_en", "countries__short_ja")

    def for_list(self):
        """What a list row shows beside the exercise: its host and partners."""
        return self.select_related("host_country").prefetch_related(partners_prefetch())


class Exercise(NaturalKeyed, Dated, Sourced, Versioned, WithServices, WithPartners, models.Model):
    """A named exercise and who took part."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("participant")
        OBSERVER = "observer", _("observer")
        HOST = "host", _("host")

    # A named exercise the text mentions without a date (「ブリュネ・タカモリ」) is recorded undated.
    allow_undated = True

    key = models.SlugField(_("key"), max_length=120, unique=True)
    date = DATE
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    # The series' English name kept its first column's name, ``series``, so that no reader's
    # file loses a column; the Japanese one came later.
    series = models.CharField(_("series (English)"), max_length=100, blank=True)
    series_ja = models.CharField(_("series (Japanese)"), max_length=100, blank=True)
    edition = models.CharField(_("edition"), max_length=20, blank=True)
    location_ja = models.CharField(_("place (Japanese)"), max_length=200, blank=True)
    location_en = models.CharField(_("place (English)"), max_length=200, blank=True)
    host_country = models.ForeignKey(
        Country, models.PROTECT, null=True, blank=True, related_name="hosted_exercises",
        verbose_name=_("host country"),
    )
    countries = models.ManyToManyField(
        Country, related_name="exercises", verbose_name=_("participating partners")
    )
    japan_role = models.CharField(_("Japan's role"), max_length=20, choices=Role, default=Role.PARTICIPANT)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)

    objects = NaturalKeyManager.from_queryset(ExerciseQuerySet)()
    history = History(m2m_fields=[countries])
    # Fields no list's counts read: correcting them leaves the lists' facets cached (defrel.stamp).
    stamp_unsummarised = ("version", "name_ja", "name_en", "summary_ja", "summary_en", "source_excerpt")

    class Meta:
        ordering = [models.F("date_lower").desc(nulls_last=True), "key"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        constraints = [
            *dated_constraints("exercise"),
            HAS_START,
        ]
        indexes = [models.Index(fields=["-date_lower"], name="exercise_date_order")]

    def __str__(self):
        return f"{self.name}{noted(self.date_display)}"

    def get_absolute_url(self):
        return address("meetings:exercise-detail", self.key)

    @property
    def name(self):
        return localised(self, "name")

    @property
    def series_name(self):
        return localised(self, "series", english="series")

    @property
    def summary(self):
        return localised(self, "summary")


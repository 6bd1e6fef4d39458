"""Engagements other than meetings, agreements and named exercises: port calls, capacity
building, equipment transfers, Official Security Assistance, education and unit exchanges,
deployments."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from defrel.links import address
from defrel.models import (
    Dated, DatedQuerySet, History, NaturalKeyed, NaturalKeyManager, Sourced, Versioned,
    dated_constraints, noted, undated_allowed,
)
from defrel.queries import SearchableQuerySet
from meetings.models.agreements import Agreement
from meetings.models.exercises import Exercise
from meetings.models.meetings import Meeting
from meetings.models.partnered import WithPartners, partners_prefetch
from meetings.models.services import WithServices, has_service
from partners.models import Country, Official, localised


DATE, HAS_START = undated_allowed("engagement")


class EngagementQuerySet(SearchableQuerySet, DatedQuerySet):
    search_fields = ("title_ja", "title_en", "japan_side_ja", "japan_side_en", "key", "date",
                     "summary_ja", "summary_en", "location_ja", "location_en",
                     "countries__name_ja", "countries__name_en", "countries__short_ja",
                     "officials__name_ja", "officials__name_en")

    def with_links(self):
        """Engagements with everything their rows and pages name, in a constant number of
        queries."""
        return self.select_related("host_country", "agreement", "meeting", "exercise", "source") \
            .prefetch_related("countries", "officials")

    def for_list(self):
        """What a list row shows beside the engagement: its partners."""
        return self.prefetch_related(partners_prefetch())

    def with_service(self, code):
        return self.filter(has_service(code))


class Engagement(NaturalKeyed, Dated, Sourced, Versioned, WithServices, WithPartners, models.Model):
    """One activity with partners that is not a meeting, an agreement or a named exercise."""

    class Kind(models.TextChoices):
        PORT_CALL = "port_call", _("port call")
        CAPACITY_BUILDING = "capacity_building", _("capacity building")
        EQUIPMENT_TRANSFER = "equipment_transfer", _("equipment transfer")
        OSA = "osa", _("Official Security Assistance")
        EDUCATION_EXCHANGE = "education_exchange", _("education exchange")
        UNIT_EXCHANGE = "unit_exchange", _("unit-to-unit exchange")
        DEPLOYMENT = "deployment", _("deployment")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        CARRIED_OUT = "carried_out", _("carried out")
        PLANNED = "planned", _("planned or announced")

    allow_undated = True

    key = models.SlugField(_("key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.CARRIED_OUT)
    date = DATE
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    countries = models.ManyToManyField(Country, related_name="engagements", verbose_name=_("partners"))
    japan_side_ja = models.CharField(
        _("Japan's side (Japanese)"), max_length=300, blank=True,
        help_text=_("Units, ships and aircraft as the text names them: 護衛艦「むらさめ」."),
    )
    japan_side_en = models.CharField(_("Japan's side (English)"), max_length=300, blank=True)
    officials = models.ManyToManyField(
        Official, blank=True, related_name="engagements", verbose_name=_("officials named"),
    )
    location_ja = models.CharField(_("place (Japanese)"), max_length=200, blank=True)
    location_en = models.CharField(_("place (English)"), max_length=200, blank=True)
    host_country = models.ForeignKey(
        Country, models.PROTECT, null=True, blank=True, related_name="hosted_engagements",
        verbose_name=_("host country"),
    )
    agreement = models.ForeignKey(
        Agreement, models.PROTECT, null=True, blank=True, related_name="engagements",
        verbose_name=_("agreement it rests on"),
    )
    meeting = models.ForeignKey(
        Meeting, models.PROTECT, null=True, blank=True, related_name="engagements",
        verbose_name=_("meeting that announced it"),
    )
    exercise = models.ForeignKey(
        Exercise, models.PROTECT, null=True, blank=True, related_name="engagements",
        verbose_name=_("exercise held with it"),
    )
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)

    objects = NaturalKeyManager.from_queryset(EngagementQuerySet)()
    history = History(m2m_fields=[countries, officials])
    # Fields no list's counts read: correcting them leaves the lists' facets cached (defrel.stamp).
    stamp_unsummarised = ("version", "title_ja", "title_en", "summary_ja", "summary_en", "source_excerpt")

    class Meta:
        ordering = [models.F("date_lower").desc(nulls_last=True), "key"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [
            *dated_constraints("engagement"),
            HAS_START,
        ]
        # The engagements list and the timeline sort newest first.
        indexes = [models.Index(fields=["-date_lower"], name="engagement_date_order"),
                   # The list's kind facet.
                   models.Index(fields=["kind", "-date_lower"], name="engagement_kind_date")]

    def __str__(self):
        return f"{self.title}{noted(self.date_display)}"

    def get_absolute_url(self):
        return address("meetings:engagement-detail", self.key)

    @property
    def title(self):
        return localised(self, "title")

    @property
    def japan_side(self):
        return localised(self, "japan_side")

    @property
    def location(self):
        return localised(self, "location")

    @property
    def summary(self):
        return localised(self, "summary")


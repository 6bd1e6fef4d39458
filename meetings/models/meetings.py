"""Meetings between Japan's officials and their partners, and who took part."""
from django.db import models
from django.db.models import BooleanField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from defrel.links import address
from defrel.models import (
    Dated, DatedQuerySet, History, InlineRow, NaturalKeyed, NaturalKeyManager, Sourced, Versioned,
    dated_constraints, noted,
)
from defrel.queries import SearchableQuerySet
from meetings.models.partnered import WithPartners, partners_prefetch
from meetings.models.venues import Venue
from partners.models import Country, Official, Position, localised


class Occasion(NaturalKeyed, Versioned, models.Model):
    """A recurring multilateral venue on whose margins meetings happen (Shangri-La Dialogue)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    history = History()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("occasion")
        verbose_name_plural = _("occasions")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localised(self, "name")


class MeetingQuerySet(SearchableQuerySet, DatedQuerySet):
    # Titles, summaries, places, partners (and their short forms), participants and the
    # aliases of agreements signed at the meeting, in Japanese and English.
    search_fields = (
        "title_ja", "title_en", "date", "summary_ja", "summary_en", "outcomes_ja", "outcomes_en",
        "location_ja", "location_en", "key", "countries__name_ja", "countries__name_en",
        "countries__short_ja",
        "participations__official__name_ja", "participations__official__name_en",
        "agreement_events__agreement__title_ja", "agreement_events__agreement__title_en",
        "agreement_events__agreement__short_name", "agreement_events__agreement__aliases",
        "occasion__name_ja", "occasion__name_en",
    )

    def with_country(self, code):
        return self.filter(countries__code=code)

    def with_official(self, slug):
        return self.filter(participations__official__slug=slug)

    def with_people(self):
        """Meetings with their partners and participants (titles at the time), in a constant
        number of queries: the import-export resource's rows."""
        return self.select_related("occasion", "host_country", "source").prefetch_related(
            "countries",
            Prefetch("participations",
                     queryset=Participation.objects.select_related("official__country", "position")),
        )

    def for_page(self):
        """Meetings for their own page: with their occasion, host and source, and whether they
        have agreement milestones, exercises or engagements they announced, so that most pages
        never ask for them. The flags are SQL as written: Exists() took longer to compile than
        the queries they save."""
        m = self.model._meta.db_table

        def any_row(table):
            return RawSQL(f"EXISTS (SELECT 1 FROM {table} r WHERE r.meeting_id = {m}.id)", (),
                          output_field=BooleanField())

        return self.select_related("occasion", "host_country", "source").annotate(
            has_milestones=any_row(self.model.agreement_events.rel.related_model._meta.db_table),
            has_exercises=any_row(self.model.exercises.through._meta.db_table),
            has_engagements=any_row(self.model.engagements.rel.related_model._meta.db_table),
        )

    def for_list(self):
        """The columns a list row shows (dates, title, partners, level, format), without the
        summaries and excerpts, which are most of a row's bytes."""
        return self.only(
            "version", "key", "date", "date_lower", "date_upper", "count", "title_ja", "title_en",
            "level", "format",
        ).prefetch_related(partners_prefetch())


class Meeting(NaturalKeyed, Dated, Sourced, Versioned, WithPartners, models.Model):
    """An encounter between Japan and one or more partners (or several, when aggregated)."""

    class Kind(models.TextChoices):
        SUMMIT = "summit", _("summit meeting")
        TWO_PLUS_TWO = "two_plus_two", _("“2+2”")
        TALKS = "talks", _("talks")
        COURTESY_CALL = "courtesy_call", _("courtesy call")
        INFORMAL = "informal", _("informal meeting")
        CONSULTATION = "consultation", _("consultation")
        CONFERENCE = "conference", _("multilateral meeting")
        PANEL = "panel", _("panel discussion")
        VISIT = "visit", _("visit")

    class Level(models.TextChoices):
        LEADERS = "leaders", _("leaders")
        TWO_PLUS_TWO = "two_plus_two", _("“2+2”")
        MINISTERIAL = "ministerial", _("ministerial")
        VICE_MINISTERIAL = "vice_ministerial", _("vice-ministerial")
        CHIEFS_OF_DEFENCE = "chiefs_of_defence", _("chiefs of defence")
        SERVICE_CHIEFS = "service_chiefs", _("service chiefs")
        SENIOR_OFFICIAL = "senior_official", _("senior official")
        WORKING_LEVEL = "working_level", _("working level")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        VIDEO = "video", _("video")
        PHONE = "phone", _("telephone")

    key = models.SlugField(_("key"), max_length=120, unique=True,
                           help_text=_("Stable and readable, used in links and CSV: 2024-05-au-defmin."))
    count = models.PositiveSmallIntegerField(
        _("count"), default=1, help_text=_("More than 1 when the source aggregates several encounters.")
    )
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.TALKS)
    level = models.CharField(_("level"), max_length=20, choices=Level)
    format = models.CharField(_("format"), max_length=20, choices=Format, default=Format.IN_PERSON)
    location_ja = models.CharField(_("place (Japanese)"), max_length=200, blank=True)
    location_en = models.CharField(_("place (English)"), max_length=200, blank=True)
    host_country = models.ForeignKey(
        Country, models.PROTECT, null=True, blank=True, related_name="hosted_meetings",
        verbose_name=_("host country"),
    )
    occasion = models.ForeignKey(
        Occasion, models.PROTECT, null=True, blank=True, related_name="meetings",
        verbose_name=_("occasion"),
    )
    sequence = models.PositiveSmallIntegerField(_("sequence (第N回)"), null=True, blank=True)
    countries = models.ManyToManyField(
        Country, related_name="meetings", verbose_name=_("partner countries")
    )
    participants = models.ManyToManyField(
        Official, through="Participation", related_name="meetings", verbose_name=_("participants")
    )
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    outcomes_ja = models.TextField(_("outcomes (Japanese)"), blank=True)
    outcomes_en = models.TextField(_("outcomes (English)"), blank=True)
    exercises = models.ManyToManyField(
        "meetings.Exercise", blank=True, related_name="meetings", verbose_name=_("exercises observed")
    )
    # Where it took place, derived from the fields above on every write (meetings.models.venues).
    venue = models.CharField(_("where"), max_length=20, choices=Venue, default=Venue.UNKNOWN,
                             editable=False)

    objects = NaturalKeyManager.from_queryset(MeetingQuerySet)()
    # The list's unfiltered counts are summed from blocks of meetings stamped apart (defrel.stamp).
    stamp_blocked = True
    # Fields no list's counts read: correcting them leaves the lists' facets cached (defrel.stamp).
    stamp_unsummarised = ("version", "title_ja", "title_en", "summary_ja", "summary_en", "outcomes_ja",
                          "outcomes_en", "source_excerpt")
    # The venue is derived (stored after the row's own save): no history of its own.
    history = History(m2m_fields=[countries, exercises], excluded_fields=["venue"])

    class Meta:
        ordering = ["-date_lower", "key"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            *dated_constraints("meeting"),
            # In words for the editor (the form and the import), not the constraint's name.
            models.CheckConstraint(condition=Q(count__gte=1), name="meeting_count_positive",
                                   violation_error_message=_("A meeting's count is 1 or more.")),
            models.CheckConstraint(condition=Q(date_lower__isnull=False), name="meeting_has_start"),
        ]
        indexes = [
            # Every list and timeline sorts by date, newest first, and filters by year. With
            # the id in it, a deep page finds its rows by this index alone
            # (CountedPaginator.page); SQLite keeps the id in every index anyway.
            models.Index(fields=["-date_lower", "key", "id"], name="meeting_date_order"),
            models.Index(fields=["level", "-date_lower"], name="meeting_level_date"),
            # The meetings list's "where" filter and facet.
            models.Index(fields=["venue", "-date_lower"], name="meeting_venue_date"),
            # A new key's twins in other letter case (defrel.models.letter_case_twin, the
            # import's read-ahead): UPPER(key) = UPPER(%s), IN (…).
            models.Index(Upper("key"), name="meeting_key_upper"),
        ]

    def __str__(self):
        return f"{self.title}{noted(self.date_display)}"

    def get_absolute_url(self):
        return address("meetings:meeting-detail", self.key)

    @property
    def title(self):
        return localised(self, "title")

    @property
    def location(self):
        return localised(self, "location")

    @property
    def official_roles(self):
        """One official's part in the meeting, when read for that official's timeline
        (meetings.timeline); none elsewhere (and no missing attribute for a template to
        search the whole object for)."""
        return getattr(self, "roles_of_official", ())

    # A meeting's page asks for its related rows directly: for a single meeting,
    # prefetch_related runs as many queries, and its machinery costs more than the queries.

    def titled_participations(self):
        """The participants with their officials, countries and titles at the time."""
        return list(self.participations.select_related("official__country", "position")
                    .order_by("official__country__code", "pk"))

    def milestones(self):
        """The agreement milestones reached at this meeting, with their agreements."""
        return self.unless_none("has_milestones", self.agreement_events.select_related("agreement"))

    def observed(self):
        """The exercises observed at this meeting."""
        return self.unless_none("has_exercises", self.exercises.all())

    def announced(self):
        """The engagements announced at this meeting."""
        return self.unless_none("has_engagements", self.engagements.all())

    def unless_none(self, flag, rows):
        """``rows``, never asked for when MeetingQuerySet.for_page's ``flag`` says there are none."""
        return rows if getattr(self, flag, True) else []

    @property
    def summary(self):
        return localised(self, "summary")

    @property
    def outcomes(self):
        return localised(self, "outcomes")


class Participation(NaturalKeyed, Versioned, InlineRow, models.Model):
    """An official taking part in a meeting; the title shown is the one held that day.
    Versioned as well as its meeting's: the participations table is exported and imported on
    its own, and an import must tell a row changed since its export (defrel.imports.versions)."""

    class Role(models.TextChoices):
        PRINCIPAL = "principal", _("principal")
        ACCOMPANYING = "accompanying", _("accompanying")

    class KnownFrom(models.TextChoices):
        """How the record knows the official took part: the reader's measure of the claim."""

        EXCERPT = "excerpt", _("named in the quoted sentence")
        SOURCE = "source", _("named elsewhere in the same source")
        PUBLIC_RECORD = "public_record", _("identified from public record")

    # No index of its own: participation_unique's (meeting, official) finds a meeting's
    # participations. The one Django adds cost an import 0.25 of 10.8 s on PostgreSQL, each
    # participation written twice (bench/NOTES.md, "A participation's meeting indexed once").
    meeting = models.ForeignKey(
        Meeting, models.CASCADE, related_name="participations", verbose_name=_("meeting"), db_index=False,
    )
    official = models.ForeignKey(
        Official, models.PROTECT, related_name="participations", verbose_name=_("official")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.PRINCIPAL)
    # No default: only the editor knows whether the source names the official. Links written
    # by a meeting import's participants column carry "" (not stated) until one says.
    known_from = models.CharField(
        _("known from"), max_length=20, choices=KnownFrom,
        help_text=_("Whether the source names this official for this meeting, in its quoted "
                    "sentence or elsewhere, or the official was identified from public record."),
    )
    # The office held on the meeting's dates, derived from the official's tenures on every
    # write that can change it, its own included (meetings.models.titles: signals, so that
    # imports may write participations in bulk); NULL when no tenure covers them.
    position = models.ForeignKey(
        Position, models.SET_NULL, null=True, blank=True, editable=False, related_name="+",
        verbose_name=_("title at the time"),
    )

    natural_key_fields = ("meeting__key", "official__slug")
    stamp_block_of = "meeting"  # counted with its meeting's block (defrel.stamp)
    version_parents = ("meeting",)  # the meeting's participants inline (the official has none)
    # Derived, and stored after the row's own save when a tenure changes: no history of its own.
    history = History(excluded_fields=["position"])

    class Meta:
        ordering = ["meeting", "official__country__code", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "official"], name="participation_unique"),
        ]

    def __str__(self):
        return f"{self.official} — {self.meeting}"

    def stamp_partners(self):
        """Those of its meeting, and the official's own country (defrel.stamp)."""
        return [*self.meeting.stamp_partners(), self.official.country_id]


    @property
    def title(self):
        """The office held on the meeting's date, or "" when no tenure covers it."""
        return self.position.title if self.position_id else ""

"""Partner countries and organisations, the officials who speak for them and their offices."""
import datetime

from django.db import models
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from defrel.models import Dated, InlineRow, NaturalKeyed, Versioned, dated_constraints


def localised(obj, field):
    """The English field when the page is in English, else the Japanese one."""
    lang = (get_language() or "ja")[:2]
    if lang == "en":
        return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_ja")
    return getattr(obj, f"{field}_ja") or getattr(obj, f"{field}_en")


class Region(models.TextChoices):
    NORTH_AMERICA = "north_america", _("North America")
    OCEANIA = "oceania", _("Oceania")
    SOUTH_ASIA = "south_asia", _("South Asia")
    EUROPE = "europe", _("Europe")
    NORTHEAST_ASIA = "northeast_asia", _("Northeast Asia")
    SOUTHEAST_ASIA = "southeast_asia", _("Southeast Asia")
    CENTRAL_ASIA = "central_asia", _("Central Asia")
    PACIFIC_ISLANDS = "pacific_islands", _("Pacific Islands")
    MIDDLE_EAST = "middle_east", _("Middle East")
    AFRICA = "africa", _("Africa")
    LATIN_AMERICA = "latin_america", _("Latin America")
    ORGANISATION = "organisation", _("International organisations")


class Country(NaturalKeyed, Versioned, models.Model):
    """A partner state or international organisation (and Japan itself)."""

    class Kind(models.TextChoices):
        STATE = "state", _("state")
        ORGANISATION = "organisation", _("organisation")

    code = models.CharField(
        _("code"), max_length=20, unique=True,
        help_text=_("ISO 3166-1 alpha-2 for states (AU); an upper-case word for organisations (NATO)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.STATE)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    short_ja = models.CharField(_("short form (Japanese)"), max_length=10, blank=True)
    region = models.CharField(_("region"), max_length=30, choices=Region, db_index=True)
    relationship_ja = models.CharField(_("relationship (Japanese)"), max_length=200, blank=True)
    relationship_en = models.CharField(_("relationship (English)"), max_length=200, blank=True)
    significance_ja = models.TextField(_("significance (Japanese)"), blank=True)
    significance_en = models.TextField(_("significance (English)"), blank=True)

    natural_key_fields = ("code",)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "name_en"]
        verbose_name = _("country or organisation")
        verbose_name_plural = _("countries and organisations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners:country-detail", args=[self.code])

    @property
    def name(self):
        return localised(self, "name")

    @property
    def relationship(self):
        return localised(self, "relationship")

    @property
    def significance(self):
        return localised(self, "significance")


class Position(NaturalKeyed, Versioned, models.Model):
    """An office such as Japan's Minister of Defense, held by ``seats`` people at a time."""

    class Level(models.TextChoices):
        LEADER = "leader", _("head of state or government")
        MINISTER = "minister", _("minister")
        VICE_MINISTER = "vice_minister", _("vice-minister")
        CHIEF_OF_DEFENCE = "chief_of_defence", _("chief of defence")
        SERVICE_CHIEF = "service_chief", _("service chief")
        SENIOR_OFFICIAL = "senior_official", _("senior official")
        OTHER = "other", _("other")

    key = models.SlugField(_("key"), max_length=100, unique=True)
    country = models.ForeignKey(
        Country, models.PROTECT, related_name="positions", verbose_name=_("country")
    )
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level, default=Level.OTHER)
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=1, help_text=_("How many people hold this office at once (usually 1).")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["country__code", "title_en"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self):
        return self.title

    @property
    def title(self):
        return localised(self, "title")


class Official(NaturalKeyed, Versioned, models.Model):
    """A person who takes part in meetings."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True,
                            help_text=_("Romanised, family name first: kihara-minoru."))
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    country = models.ForeignKey(
        Country, models.PROTECT, related_name="officials", verbose_name=_("country")
    )

    natural_key_fields = ("slug",)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partners:official-detail", args=[self.slug])

    @property
    def name(self):
        return localised(self, "name")

    def tenure_during(self, lower, upper):
        """The tenure held during ``lower``..``upper``; reads prefetched ``tenures``."""
        return tenure_during(self.tenures.all(), lower, upper)


def overlaps(held_from, held_to, lower, upper):
    """Whether a period may meet ``lower``..``upper`` (None: an open or unknown end, which
    never excludes)."""
    return (held_from is None or upper is None or held_from <= upper) and (
        held_to is None or lower is None or lower <= held_to
    )


def tenure_during(tenures, lower, upper):
    """Of ``tenures`` (anything with date_lower, date_upper and position.level), the one held
    during ``lower``..``upper``: where several overlap, a ranked office before an unranked
    one (minister before Diet member), then the latest begun."""
    held = [t for t in tenures if overlaps(t.date_lower, t.date_upper, lower, upper)]
    return max(
        held,
        key=lambda t: (t.position.level != Position.Level.OTHER, t.date_lower or datetime.date.min),
        default=None,
    )


def title_held(lang, lower, upper, official):
    """SQL for the title (``title_ja`` or ``title_en``) of the position held during ``lower``..
    ``upper`` by the official in ``official``, a column of the query it annotates named with
    its table (unqualified, it would name the tenure's own): the tenure tenure_during chooses,
    ties to the first recorded; NULL when none overlaps. A subquery a row, compiled as
    written: on a page of a few rows, cheaper than a second query and its ORM machinery."""
    if lang not in ("ja", "en"):
        raise ValueError(f"no title in {lang!r}")
    where, params = [], []
    if upper is not None:
        where.append("AND (t.date_lower IS NULL OR t.date_lower <= %s)")
        params.append(upper)
    if lower is not None:
        where.append("AND (t.date_upper IS NULL OR t.date_upper >= %s)")
        params.append(lower)
    table, positions = Tenure._meta.db_table, Position._meta.db_table
    return RawSQL(
        f"""SELECT pos.title_{lang} FROM {table} t JOIN {positions} pos ON pos.id = t.position_id
        WHERE t.official_id = {official} {" ".join(where)}
        ORDER BY pos.level <> %s DESC, COALESCE(t.date_lower, %s) DESC, t.id LIMIT 1""",
        [*params, Position.Level.OTHER.value, datetime.date.min],
    )


class Tenure(NaturalKeyed, Dated, Versioned, InlineRow, models.Model):
    """An official holding a position for a period; either end may be unknown."""

    official = models.ForeignKey(
        Official, models.CASCADE, related_name="tenures", verbose_name=_("official")
    )
    position = models.ForeignKey(
        Position, models.PROTECT, related_name="tenures", verbose_name=_("position")
    )

    allow_unknown_start = True
    natural_key_fields = ("official__slug", "position__key", "date")
    version_parents = ("official",)  # the official's tenures inline
    history = HistoricalRecords()

    class Meta:
        ordering = ["date_lower"]
        verbose_name = _("tenure")
        verbose_name_plural = _("tenures")
        constraints = [
            *dated_constraints("tenure"),
            models.UniqueConstraint(
                fields=["official", "position", "date"], name="tenure_unique_natural_key"
            ),
        ]
        indexes = [
            # Title-at-the-time lookups: an official's tenures covering one day.
            models.Index(fields=["official", "date_lower", "date_upper"], name="tenure_official_dates"),
        ]

    def __str__(self):
        return f"{self.official} — {self.position} ({self.date_display})"

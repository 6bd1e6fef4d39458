"""Partner countries and organisations, the officials who speak for them and their offices."""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, DateField, F, Q, Subquery, Value, When
from django.db.models.lookups import IsNull
from django.utils.translation import gettext_lazy as _

from defrel.links import address
from defrel.models import (Dated, DatedQuerySet, History, InlineRow, NaturalKeyed, NaturalKeyManager,
                           Versioned, dated_constraints, localised, noted)
from partners.readings import JAPAN, NameOrderQuerySet, Read


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


def in_region_order(prefix=""):
    """An order by ``<prefix>region`` in the white paper's order of regions (Region's own), as
    the partners' list, its CSV and the offices' list show them."""
    return Case(*(When(**{f"{prefix}region": region}, then=Value(i)) for i, region in enumerate(Region.values)),
                output_field=models.IntegerField())


class Country(NaturalKeyed, Read, Versioned, models.Model):
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
    formal_ja = models.CharField(
        _("formal name (Japanese)"), max_length=100, blank=True,
        help_text=_("The full name, where the name in use is shorter (大韓民国 for 韓国); the "
                    "site's search finds either."),
    )
    short_ja = models.CharField(_("short form (Japanese)"), max_length=10, blank=True)
    region = models.CharField(_("region"), max_length=30, choices=Region, db_index=True)
    relationship_ja = models.CharField(_("relationship (Japanese)"), max_length=200, blank=True)
    relationship_en = models.CharField(_("relationship (English)"), max_length=200, blank=True)
    significance_ja = models.TextField(_("significance (Japanese)"), blank=True)
    significance_en = models.TextField(_("significance (English)"), blank=True)

    natural_key_fields = ("code",)
    objects = NaturalKeyManager.from_queryset(NameOrderQuerySet)()
    history = History()

    class Meta:
        ordering = ["region", "name_en"]
        verbose_name = _("country or organisation")
        verbose_name_plural = _("countries and organisations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("partners:country-detail", self.code)

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

    history = History()

    class Meta:
        ordering = ["country__code", "title_en"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return address("partners:office-detail", self.key)

    @property
    def title(self):
        return localised(self, "title")


class Official(NaturalKeyed, Read, Versioned, models.Model):
    """A person who takes part in meetings."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True,
                            help_text=_("Romanised, family name first: kihara-minoru."))
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    country = models.ForeignKey(
        Country, models.PROTECT, related_name="officials", verbose_name=_("country")
    )

    natural_key_fields = ("slug",)
    objects = NaturalKeyManager.from_queryset(NameOrderQuerySet)()
    history = History()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("partners:official-detail", self.slug)

    @property
    def name(self):
        return localised(self, "name")

    def has_japanese_name(self):
        return self.country_id is not None and self.country.code == JAPAN


def held_during(tenures, lower, upper):
    """The title rule. Of ``tenures`` (a Tenure queryset), those that may have been held
    during ``lower``..``upper`` (dates, or expressions such as OuterRef("meeting__date_lower");
    an unknown end, None or NULL, excludes nothing), the one whose position counts first: a
    ranked office before an unranked one (minister before Diet member), then the latest begun
    (an unknown start as the earliest), then the first recorded."""
    lower, upper = (bound if hasattr(bound, "resolve_expression") else Value(bound, DateField())
                    for bound in (lower, upper))
    return tenures.filter(
        Q(date_lower__isnull=True) | Q(IsNull(upper, True)) | Q(date_lower__lte=upper),
        Q(date_upper__isnull=True) | Q(IsNull(lower, True)) | Q(date_upper__gte=lower),
    ).order_by(
        Case(When(position__level=Position.Level.OTHER, then=1), default=0),
        F("date_lower").desc(nulls_last=True),
        "pk",
    )


def position_held(tenures, lower, upper):
    """The position (its id) of the tenure held_during chooses, as a subquery."""
    return Subquery(held_during(tenures, lower, upper).values("position")[:1])


def tenure_held(tenures, lower, upper):
    """The tenure (its id) held_during chooses, as a subquery."""
    return Subquery(held_during(tenures, lower, upper).values("pk")[:1])


class TenureQuerySet(DatedQuerySet):
    def in_succession(self):
        """In the order an office passed from holder to holder, as far as the record knows:
        by start (an unknown start first), then end (an unknown end last), then as recorded."""
        return self.order_by(F("date_lower").asc(nulls_first=True), F("date_upper").asc(nulls_last=True), "pk")


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
    objects = NaturalKeyManager.from_queryset(TenureQuerySet)()
    version_parents = ("official",)  # the official's tenures inline
    history = History()

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
        return f"{self.official} — {self.position}{noted(self.date_display)}"

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        # The office as stored; the official and the date as stored are kept already
        # (InlineRow's parents, Dated's saved date). See unchanged_since_read().
        record._read_position = record.__dict__.get("position_id")
        return record

    _read_position = None

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._read_position = self.position_id  # as stored now, as the date and official are

    def unchanged_since_read(self):
        """Whether whom, which office and when are as stored: a tenure saved unchanged is not
        refused for an overlap it already had (refuse_overlap); the quality page lists those."""
        if self._read_position is None:
            return False
        return (self._loaded_parents.get("official"), self._read_position, self._saved_date) == (
            self.official_id, self.position_id, self.date)
    # The official's other tenures of the office, when the caller read them for many rows (an
    # import, an official's rows): None, and clean() reads them itself.
    same_office = None

    def clean(self):
        super().clean()
        self.refuse_overlap(self.same_office)

    def refuse_overlap(self, others=None):
        """One official entered twice in one office for days both surely cover is a duplicate
        (a re-import of a tenure whose start was corrected would add one): refused, naming the
        tenure on record. ``others``: tenures to compare with; None, those of the database."""
        if self.position_id is None or not self.date:
            return  # the fields' own errors say what is missing
        if self.unchanged_since_read():
            return
        if others is None:
            if self.official_id is None:
                return  # the field's own error says so
            others = (Tenure.objects.filter(official=self.official_id, position=self.position_id)
                      .select_related("official", "position"))
        for other in others:
            same = other.official_id == self.official_id and other.position_id == self.position_id
            itself = other is self or (self.pk is not None and other.pk == self.pk)
            if same and not itself and certainly_overlap(self, other):
                raise ValidationError({"date": ValidationError(
                    _("This overlaps a tenure already on record for the same official in the same "
                      "position: “%(other)s”. Correct the dates of that tenure instead of adding "
                      "another."), code="overlapping_tenure", params={"other": other})})

    def gap_after(self, previous):
        """Whether the record shows the office vacant, or held by someone it does not know,
        between ``previous`` (the tenure before this one in succession) and this one: the
        latest ``previous`` may have ended falls more than a day before the earliest this
        one may have begun. Unknown ends show no gap."""
        if previous.date_upper is None or self.date_lower is None:
            return False
        return (self.date_lower - previous.date_upper).days > 1


def certainly_overlap(a, b):
    """Both tenures surely held their office on some common day: one's certain start falls
    before the other's certain end (a handover "in October" or "on 1 October" is not an
    overlap). The rule of the data-quality page and of Tenure.refuse_overlap."""
    def certain(t):
        dates = t.dates
        end = dates.end if dates.end is not None else dates.start
        return dates.start.upper, (None if end.is_open else end.lower)

    (a_from, a_to), (b_from, b_to) = certain(a), certain(b)
    if None in (a_from, b_from) or (a_to is None and a.dates.end is not None and a.dates.end.is_unknown):
        return False
    if b_to is None and b.dates.end is not None and b.dates.end.is_unknown:
        return False
    return (a_to is None or b_from < a_to) and (b_to is None or a_from < b_to)


def successions(tenures):
    """{tenure: (previous, next)} of ``tenures`` (all of their positions' tenures, in_succession
    order), within each position held by one person at a time: an office of several seats
    (seats > 1) has no single predecessor, and is left out."""
    by_position = {}
    for tenure in tenures:
        if tenure.position.seats == 1:
            by_position.setdefault(tenure.position_id, []).append(tenure)
    found = {}
    for held in by_position.values():
        for i, tenure in enumerate(held):
            found[tenure] = (held[i - 1] if i else None, held[i + 1] if i + 1 < len(held) else None)
    return found

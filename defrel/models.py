"""Foundations shared by every curated record: sources, provenance and partial dates."""
import calendar
from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.models import HistoricalRecords

from defrel import dates
from defrel.provenance import paragraph_of


class NaturalKeyManager(models.Manager):
    """Finds a record by the values of its model's ``natural_key_fields``, as loaddata does."""

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))


class NaturalKeyed(models.Model):
    """A record known outside the database (fixtures, CSV, links) by ``natural_key_fields``:
    a unique field of its own, or the keys of the records it joins (``official__slug``).
    Serialisers order models by their foreign keys, which name every record a key reads."""

    natural_key_fields = ("key",)
    objects = NaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return tuple(reduce(getattr, path.split("__"), self) for path in self.natural_key_fields)


class Year(ExtractYear):
    """ExtractYear, except that SQLite reads the year off the stored ISO text instead of
    calling Django's Python date function once per row (about 3× faster at 100,000 rows)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(substr({sql}, 1, 4) AS integer)", params


class Versioned(models.Model):
    """A counter bumped on every save, and on every write of the record's inline rows
    (InlineRow), so an admin form can tell that the record changed after the editor opened it
    (two editors, one record: the second save is refused). It may rise by more than one in a
    save (once for the record, once for each inline row written)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)


def bump_versions(model, pks, using=None):
    """Give the ``model`` records with ``pks`` a new version, in one UPDATE."""
    pks = {pk for pk in pks if pk is not None}
    if pks:
        model._base_manager.using(using).filter(pk__in=pks).update(version=F("version") + 1)


class InlineRow(models.Model):
    """A row edited as part of larger records, its ``version_parents`` (a meeting's
    participant, an agreement's milestone): writing it changes their version too, whatever
    writes it, so an editor who opened one of them cannot save the old rows back over it.

    Saves and deletes (a queryset's and a cascade's too) do so through signals
    (:func:`connect_inline_rows`); writes without them (imports in bulk) call
    :func:`bump_parents` themselves."""

    version_parents = ()  # names of foreign keys to Versioned records

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        # The parents it had when read: moving it to another parent changes both.
        record._loaded_parents = record.parent_ids()
        return record

    def parent_ids(self):
        return {name: self.__dict__.get(self._meta.get_field(name).attname) for name in self.version_parents}


def bump_parents(rows, using=None):
    """The one rule for inline rows written (``rows``, InlineRow instances, before or after
    the write): each of their parents, old and new, gets a new version, one UPDATE a model.
    A parent held in memory (the record an admin form is saving) is counted along, so that
    saving it again cannot write a version number already used."""
    pks, held = defaultdict(set), {}
    for row in rows:
        if not isinstance(row, InlineRow):
            continue
        for name, pk in [*getattr(row, "_loaded_parents", {}).items(), *row.parent_ids().items()]:
            field = row._meta.get_field(name)
            pks[field.related_model].add(pk)
            parent = field.get_cached_value(row, None)
            if parent is not None and parent.pk is not None:
                held[id(parent)] = parent
    for model, keys in pks.items():
        bump_versions(model, keys, using)
    for parent in held.values():
        parent.version += 1


# Sent by writes that bypass save() (imports in bulk) once records of ``sender`` and their
# links are written, with ``instances`` and ``using``: what other tables derive from them
# (the title at the time) is brought up to date in the same transaction.
rows_written = Signal()


def row_saving(sender, instance, raw=False, using=None, **kwargs):
    if not raw:  # fixtures load records as they were, versions included
        bump_parents([instance], using)


def row_saved(sender, instance, **kwargs):
    instance._loaded_parents = instance.parent_ids()


def row_deleting(sender, instance, using=None, **kwargs):
    bump_parents([instance], using)


def connect_inline_rows():
    """The rule on every save and delete of an InlineRow model. The parents are bumped
    before the row is written, so their rows are locked first, in the order a parent's
    admin form locks them (the record, then its rows)."""
    from django.apps import apps
    from django.db.models.signals import post_save, pre_delete, pre_save

    for model in apps.get_models():
        if issubclass(model, InlineRow) and model.version_parents:
            label = model._meta.label
            pre_save.connect(row_saving, sender=model, dispatch_uid=f"inline-save-{label}")
            post_save.connect(row_saved, sender=model, dispatch_uid=f"inline-saved-{label}")
            pre_delete.connect(row_deleting, sender=model, dispatch_uid=f"inline-delete-{label}")


class Source(NaturalKeyed, Versioned, models.Model):
    """A document that curated facts are derived from."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    publisher_ja = models.CharField(_("publisher (Japanese)"), max_length=200, blank=True)
    publisher_en = models.CharField(_("publisher (English)"), max_length=200, blank=True)
    date = models.CharField(_("date (EDTF)"), max_length=40, blank=True)
    url = models.URLField(_("URL"), blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title_ja

    def get_absolute_url(self):
        return reverse("meetings:source-detail", args=[self.key])

    def clean(self):
        if self.date:
            dates.parse(self.date)


def dated_constraints(prefix):
    """Bounds that are known are ordered; shared by every dated model."""
    return [
        models.CheckConstraint(
            condition=Q(date_lower__isnull=True)
            | Q(date_upper__isnull=True)
            | Q(date_lower__lte=F("date_upper")),
            name=f"{prefix}_dates_ordered",
        ),
    ]


def undated_allowed(prefix):
    """For a Dated model with ``allow_undated``: its ``date`` field, blank when the text gives
    the record no date of its own, and the constraint that a dated one has a known start."""
    field = models.CharField(
        _("date"), max_length=40, blank=True,
        help_text=_("EDTF: 2024-05-17, 2024-05, 2024, 2024-09/2024-10, 2024-04/.. (since); "
                    "blank when the text gives the activity no date of its own."),
    )
    starts = models.CheckConstraint(condition=Q(date="") | Q(date_lower__isnull=False),
                                    name=f"{prefix}_has_start")
    return field, starts


class DatedQuerySet(models.QuerySet):
    """Records of a Dated model, and the one meaning of "in year Y" (or "in month M of Y")
    on every list, facet, chart, timeline and profile: **a record counts in every year
    (month) its period overlaps** — it began on or before the period's last day and ended on
    or after its first day. A meeting dated 2023-12/2024-01 is in 2023 and in 2024. An open
    end ("2024-04/..") runs on into every later year (the counts below run it to the latest
    year on record); an unknown start (tenures only) reaches back into every earlier one."""

    def dated(self):
        """Those with a known start: the ones a chronology can place."""
        return self.filter(date_lower__isnull=False)

    def undated(self):
        """Those the text gives no date of their own (models with ``allow_undated``)."""
        return self.filter(date="")

    def period(self, year, month=None):
        """The rule as a Q, for filters and for counts within an aggregate."""
        first = date(year, month or 1, 1)
        last = date(year, month or 12, calendar.monthrange(year, month or 12)[1])
        began = Q(date_lower__lte=last)
        if self.model.allow_unknown_start:
            began |= Q(date_lower__isnull=True)
        return began & (Q(date_upper__isnull=True) | Q(date_upper__gte=first))

    def in_period(self, year, month=None):
        # Ranges on the bounds, not __year: the date indexes serve them.
        return self.filter(self.period(year, month))

    def per_year(self, measure=None, **groups):
        """[{"year", **groups, "n"}]: ``measure`` (default: how many records) per year and
        value of ``groups`` (expressions), each record counted in every year of its period,
        from one query grouping the records by the years of their two bounds."""
        rows = list(self.order_by().values(year_lower=Year("date_lower"), year_upper=Year("date_upper"), **groups)
                    .annotate(n=measure or Count("pk")))
        known = [y for r in rows for y in (r["year_lower"], r["year_upper"]) if y is not None]
        first, last = min(known, default=0), max(known, default=0)
        totals = Counter()
        for row in rows:
            if row["year_lower"] is None and not self.model.allow_unknown_start:
                continue  # undated (Dated.allow_undated): in no year
            for year in range(row["year_lower"] or first, (row["year_upper"] or last) + 1):
                totals[(year, *(row[name] for name in groups))] += row["n"]
        return [{"year": year, **dict(zip(groups, values)), "n": n} for (year, *values), n in totals.items()]


class Dated(models.Model):
    """A record dated by an EDTF string, with derived bounds for sorting and filtering."""

    date = models.CharField(
        _("date"),
        max_length=40,
        help_text=_("EDTF: 2024-05-17, 2024-05, 2024, 2024-09/2024-10, 2024-04/.. (since)."),
    )
    date_lower = models.DateField(_("earliest day"), null=True, blank=True, editable=False)
    date_upper = models.DateField(_("latest day"), null=True, blank=True, editable=False)

    allow_unknown_start = False
    # A record the text gives no date of its own (an activity only welcomed at a meeting)
    # leaves ``date`` blank: it has no bounds and counts in no year.
    allow_undated = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_date_bounds()
        super().save(*args, **kwargs)
        self._saved_date = self.date

    @property
    def dates(self):
        if self.pk is not None and (self.date_lower or self.date_upper) and self.date == self._saved_date:
            return dates.PartialDate.saved(self.date, self.date_lower, self.date_upper)
        return dates.parse(self.date, allow_unknown_start=self.allow_unknown_start)

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        # The text whose bounds the database holds: while it is unchanged, no need to parse.
        record._saved_date = record.__dict__.get("date")
        return record

    _saved_date = None

    def fill_date_bounds(self):
        if self.allow_undated and not (self.date or "").strip():
            self.date, self.date_lower, self.date_upper = "", None, None
            return
        parsed = self.dates
        self.date_lower, self.date_upper = parsed.lower, parsed.upper

    def clean_date(self):
        try:
            self.fill_date_bounds()
        except ValidationError as error:
            raise ValidationError({"date": error.messages}) from None

    def clean(self):
        super().clean()
        self.clean_date()

    @property
    def date_display(self):
        # Also called by __str__ on unsaved or half-typed records, which must not raise.
        if self.allow_undated and not self.date:
            return gettext("undated")
        try:
            return self.dates.display()
        except ValidationError:
            return self.date


class Sourced(models.Model):
    """A curated record that quotes the sentence it was derived from."""

    source = models.ForeignKey(
        Source, models.PROTECT, related_name="+", verbose_name=_("source"), null=True, blank=True
    )
    source_excerpt = models.TextField(
        _("source excerpt"), blank=True, help_text=_("The sentence it was derived from, verbatim.")
    )

    class Meta:
        abstract = True

    @property
    def source_link(self):
        """The source's page at the paragraph the excerpt comes from (the page alone when
        the text is not shipped or the excerpt is not found in it)."""
        if not self.source_id:
            return ""
        number = paragraph_of(self.source.filename, self.source_excerpt)
        return self.source.get_absolute_url() + (f"#p-{number}" if number else "")


class DataStamp(models.Model):
    """A token renewed after every committed change to one scope of the published data (a
    table, a partner's records, all of it); the public pages cache what they draw from the
    data under the tokens of what they read (see defrel.stamp), in every app server."""

    scope = models.CharField(max_length=100, unique=True, default="*")
    token = models.CharField(max_length=32)
    changed = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("data stamp")


class PendingImportQuerySet(models.QuerySet):
    def stale(self):
        """Uploads whose preview is older than an import may wait for its confirmation."""
        return self.filter(created__lt=timezone.now() - PendingImport.LIFETIME)

    def fresh(self):
        return self.filter(created__gte=timezone.now() - PendingImport.LIFETIME)


class PendingImport(models.Model):
    """An uploaded file between an import's preview and its confirmation. Kept in the
    database, not a shared temp folder: only its editor can confirm it (see
    defrel.imports.sealed), and the confirmation may reach another app server."""

    LIFETIME = timedelta(hours=1)

    # A large file's steps run off the request (defrel.imports.background); "" for the others.
    class State(models.TextChoices):
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked")
        REFUSED = "refused", _("refused")
        IMPORTING = "importing", _("importing")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("failed")

    # Empty until the preview passes and seals the upload to the editor who made it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now, db_index=True)  # the sweep's range
    target = models.CharField(max_length=100, blank=True)  # the model label of the admin
    original_name = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=8, blank=True)  # the admin's index of import formats
    resource = models.CharField(max_length=8, blank=True)  # and of resources
    data = models.BinaryField()
    state = models.CharField(max_length=9, choices=State, blank=True)
    started = models.DateTimeField(null=True)  # when the running step began
    # What the page shows once a step has run: the preview (HTML the step rendered, escaped
    # there), and ``outcome``: the rows to offer to overwrite, or the import's messages.
    report = models.TextField(blank=True)
    outcome = models.JSONField(default=dict)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending import")

    def __str__(self):
        return f"{self.original_name} ({self.target}, {self.created:%Y-%m-%d %H:%M})"


from defrel.search import SearchDocument  # noqa: E402, F401 - a model of this app (derived texts)

"""Foundations shared by every curated record: sources, provenance and partial dates."""
import threading
from contextlib import contextmanager
from datetime import timedelta
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models.functions import Coalesce, NullIf, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_field_name

from defrel import dates
# Partial dates live in defrel.dated; the apps import them from here, with the other foundations.
from defrel.dated import Dated, DatedQuerySet, dated_constraints, undated_allowed  # noqa: F401
from defrel.provenance import paragraph_of, source_text, squash
# Versions and inline rows live in defrel.versioned; the apps import them from here too.
from defrel.versioned import (  # noqa: F401
    LINKING, OUTLIVING, InlineRow, Versioned, bump_parents, bump_versions, connect_inline_rows,
    connect_links, loaded_parents, rows_written,
)


_found_by_key = threading.local()


@contextmanager
def natural_keys_remembered():
    """Inside, a record found by its natural key is found once: the curated fixtures name the
    same partners, officials and sources again and again, and the deserialiser asks for each
    of them (4,700 of the 13,500 queries of a load). Only for a load that changes no key."""
    if getattr(_found_by_key, "records", None) is not None:
        yield
        return
    _found_by_key.records = {}
    try:
        yield
    finally:
        _found_by_key.records = None


class NaturalKeyManager(models.Manager):
    """Finds a record by the values of its model's ``natural_key_fields``, as loaddata does."""

    def get_by_natural_key(self, *key):
        found = getattr(_found_by_key, "records", None)
        if found is None:
            return self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))
        at = (self.model, self.db, key)
        if at not in found:  # a record not there yet raises DoesNotExist, and is asked again
            found[at] = self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))
        return found[at]


def letter_case_twins(model, attribute, value):
    """The records of ``model`` whose key differs from ``value`` only in letter case."""
    # UPPER() on both sides, as __iexact compares on PostgreSQL and as LIKE (its form on
    # SQLite) folds ASCII letters: the index on the upper-case key finds the twins of a
    # meeting's key at 0.3 ms, where scanning 100,000 meetings took 70–100 ms (12 on SQLite).
    return (model._default_manager.alias(upper_key=Upper(attribute))
            .filter(upper_key=Upper(models.Value(value, output_field=models.TextField())))
            .exclude(**{attribute: value}))


def letter_case_twin(model, attribute, value, *, other_than=None):
    """An existing key of ``model`` differing from ``value`` only in letter case (“au” beside
    “AU”), or None; ``other_than`` is the pk of the record that would take ``value``."""
    twins = letter_case_twins(model, attribute, value)
    if other_than is not None:
        twins = twins.exclude(pk=other_than)
    return twins.values_list(attribute, flat=True).first()


def letter_case_clash(value, other):
    """Why a key that differs from an existing one only in letter case is refused: a form's
    and an import's words."""
    return _("“%(value)s” differs from the existing “%(other)s” only in letter case; use the "
             "existing key.") % {"value": value, "other": other}


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

    def unique_error_message(self, model_class, unique_check):
        """A record repeating another on fields that are unique together (a milestone of an
        agreement, its kind and date) names the record on file and those fields as the form
        names them: Django's words named neither, and the row they stood over in an inline
        is often a new one, with nothing else to tell which record it repeats."""
        error = super().unique_error_message(model_class, unique_check)
        fields = [model_class._meta.get_field(name) for name in unique_check]
        if len(fields) < 2:
            return error
        other = (model_class._default_manager.filter(**{f.attname: getattr(self, f.attname) for f in fields})
                 .exclude(pk=self.pk).first())
        if other is None:
            return error
        return ValidationError(
            _("The %(kind)s “%(other)s” is already on record with the same %(fields)s.") % {
                "kind": model_class._meta.verbose_name, "other": other,
                "fields": listed(str(f.verbose_name) for f in fields)},
            code=error.code)


class History(HistoricalRecords):
    """simple-history's records of a model, named in the site's languages ("会談（履歴）",
    "meeting (history)"): its own names are English, fixed in the language active when the
    models load ("Historical 人物" in the admin's breadcrumbs, whatever the editor's language)."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(_("{} (history)"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(_("{} (history)"), model._meta.verbose_name_plural)
        return options

    # The entry of a delete is written after Django has removed the record's many-to-many
    # links, and simple-history read them then: none. A meeting's delete read as "partners
    # [US, PH] → []", and bringing it back from that entry, the newest on its history page,
    # was refused for want of a partner. The links are kept as the delete begins.

    def pre_delete(self, instance, using=None, **kwargs):
        super().pre_delete(instance, using=using, **kwargs)
        instance._links_before_delete = {field.name: list(links_of(field, instance, using))
                                         for field in self.get_m2m_fields_from_model(type(instance))}

    def create_historical_record_m2ms(self, history_instance, instance):
        kept = getattr(instance, "_links_before_delete", None)
        if history_instance.history_type != "-" or kept is None:
            return super().create_historical_record_m2ms(history_instance, instance)
        for field in history_instance._history_m2m_fields:
            names = [f.attname for f in field.remote_field.through._meta.concrete_fields]
            self.m2m_models[field].objects.bulk_create([  # ids: the record's is gone
                self.m2m_models[field](history=history_instance, **{name: getattr(link, name) for name in names})
                for link in kept.get(field.name, ())])


def links_of(field, instance, using=None):
    """The rows of a many-to-many ``field``'s table that link ``instance``."""
    through = field.remote_field.through
    rows = through._base_manager.using(using or DEFAULT_DB_ALIAS)
    return rows.filter(**{get_m2m_field_name(field): instance.pk})


def english_page():
    """Whether the page being drawn is in English (else Japanese, the default)."""
    return (get_language() or "ja")[:2] == "en"


def spaced():
    """What the page's language writes between two sentences, or between a word and a note in
    brackets after it: a space in English; nothing in Japanese, whose 。 and （ carry their own
    room (a space after them shows as a gap)."""
    return " " if english_page() else ""


def colon():
    """What the page's language writes between a name and what is said of it: ": " in English,
    a full-width "：" with no space in Japanese (協定の経過：署名)."""
    return pgettext("between a name and what is said of it", ": ")


def noted(note):
    """A note in brackets after a word, as the page's language writes it: " (ACSA)" in
    English; "（ACSA）" in Japanese, full-width and with no space before it (a space shows as a
    gap). The caller writes no space of its own before it. Nothing for an empty note."""
    if note in (None, ""):
        return ""
    return pgettext("a note in brackets after a word", " (%(note)s)") % {"note": note}


def listed(texts):
    """The texts as a list reads in the page's language: 米国、オーストラリア in Japanese,
    United States, Australia in English."""
    return pgettext("between the names of a list", ", ").join(texts)


def quoted(text):
    """A name quoted as the page's language quotes it: 「日豪防衛相会談」, “Japan–Australia …”."""
    return pgettext("quotation marks around a name", "“%(name)s”") % {"name": text}


def named_record(record):
    """A record of some kind named in a message: 参加者「木原稔」, participation “Kihara Minoru”."""
    return pgettext("a kind of record and its name", "%(kind)s %(name)s") % {
        "kind": record._meta.verbose_name, "name": quoted(record)}


def localised(obj, field, english=None):
    """The English field (``english``, else ``<field>_en``) when the page is in English, else
    the Japanese one; either language's where the other is empty."""
    japanese, english = getattr(obj, f"{field}_ja"), getattr(obj, english or f"{field}_en")
    if english_page():
        return english or japanese
    return japanese or english


class Localised(models.Expression):
    """``localised(record, field)`` in SQL, for ordering: the language is the one active when
    the query is compiled, so an admin column declares its ordering once for both."""

    def __init__(self, field):
        super().__init__(output_field=models.CharField())
        self.prefix = field

    def resolve_expression(self, *args, **kwargs):
        first, then = ("en", "ja") if english_page() else ("ja", "en")
        shown = Coalesce(NullIf(f"{self.prefix}_{first}", models.Value("")), f"{self.prefix}_{then}")
        return shown.resolve_expression(*args, **kwargs)


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

    history = History()

    class Meta:
        ordering = ["key"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:source-detail", args=[self.key])

    def clean(self):
        if self.date:
            dates.parse(self.date)

    @property
    def title(self):
        return localised(self, "title")

    @property
    def date_display(self):
        """Its date as every date of the site reads (2025年7月, July 2025)."""
        return dates.parse(self.date).display() if self.date else ""


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

    def clean_fields(self, exclude=None):
        # With the fields' own checks, so that a form or an import row wrong in its date (the
        # records' clean()) and in its excerpt is told of both at once.
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Not when the form leaves them out (a milestone's row on its meeting's page).
        if not {"source", "source_excerpt"} & set(exclude or ()):
            try:
                self.clean_excerpt()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean_excerpt(self):
        """The excerpt is copied verbatim (white space aside), as check_provenance asks of the
        curated data: where its source's text ships with defrel, one not in it is refused."""
        if self.source_id is None or not self.source_excerpt.strip():
            return
        text = source_text(self.source.filename)
        if text is not None and squash(self.source_excerpt) not in text:
            raise ValidationError({"source_excerpt": _(
                "Not found in the text of “%(source)s”: copy the sentence from the source as it "
                "is written (only line breaks and spaces may differ).") % {"source": self.source}})

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

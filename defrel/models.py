"""Foundations shared by every curated record: sources, provenance and partial dates."""
import threading
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_field_name

from defrel import dates
# Partial dates live in defrel.dated; the apps import them from here, with the other foundations.
from defrel.dated import Dated, DatedQuerySet, dated_constraints, undated_allowed  # noqa: F401
from defrel.provenance import paragraph_of, source_text, squash


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
                "fields": ", ".join(str(f.verbose_name) for f in fields)},
            code=error.code)


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


def loaded_parents(row, using=None):
    """The parents ``row`` had when read (InlineRow.from_db). A row saved over a stored one
    without having been read (a revert rebuilds it from its history) is given those the
    database holds, read once: moved back to another parent, it changes the one it leaves
    as well as the one it joins."""
    if not hasattr(row, "_loaded_parents"):
        stored = None
        if row.pk is not None and not row._state.adding:
            attnames = {name: row._meta.get_field(name).attname for name in row.version_parents}
            stored = (type(row)._base_manager.using(using or row._state.db or DEFAULT_DB_ALIAS)
                      .filter(pk=row.pk).values(*attnames.values()).first())
        row._loaded_parents = {name: stored[attname] for name, attname in attnames.items()} if stored else {}
    return row._loaded_parents


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
        loaded_parents(instance, using)
        bump_parents([instance], using)


def row_saved(sender, instance, **kwargs):
    instance._loaded_parents = instance.parent_ids()


def row_deleting(sender, instance, using=None, **kwargs):
    bump_parents([instance], using)


def parent_deleting(sender, instance, using=None, **kwargs):
    """A parent about to be deleted: its rows that outlive it (SET_NULL: a milestone reached at
    a meeting) are saved without it, as an editor would clear the field, so their history
    and their other parents' versions record the change. The database's SET NULL, which
    follows, would write neither."""
    for model, name in OUTLIVING.get(sender, ()):
        for row in model._default_manager.using(using).filter(**{name: instance}):
            setattr(row, name, None)
            row.save(using=using)


OUTLIVING = defaultdict(list)  # a parent model -> [(InlineRow model, foreign key)] set to NULL


def linked_deleting(sender, instance, using=None, **kwargs):
    """A record about to be deleted: the versioned records that link to it (the meetings at
    which an exercise was observed, the engagements naming an official) lose the link as an
    editor would take it off, and are saved, so that their history records it and forms
    opened before are refused. The database's cascade, which follows, would do neither."""
    for model, name in LINKING.get(sender, ()):
        for record in model._default_manager.using(using).filter(**{name: instance}):
            record.skip_history_when_saving = True  # one entry, the save's, links as they are
            getattr(record, name).remove(instance)
            del record.skip_history_when_saving
            record.save(using=using)


LINKING = defaultdict(list)  # a model -> [(Versioned model, many-to-many field to it)]


def connect_links():
    """linked_deleting for every model a Versioned record links to through a plain
    many-to-many field (one whose link rows are Django's own, not an InlineRow)."""
    from django.apps import apps
    from django.db.models.signals import pre_delete

    for model in apps.get_models():
        if not issubclass(model, Versioned):
            continue
        for field in model._meta.local_many_to_many:
            if field.remote_field.through._meta.auto_created and (model, field.name) not in LINKING[field.related_model]:
                LINKING[field.related_model].append((model, field.name))
                pre_delete.connect(linked_deleting, sender=field.related_model,
                                   dispatch_uid=f"linked-delete-{field.related_model._meta.label}")


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
            for name in model.version_parents:
                field = model._meta.get_field(name)
                outliving = OUTLIVING[field.related_model]
                if field.remote_field.on_delete is models.SET_NULL and (model, name) not in outliving:
                    outliving.append((model, name))
                    pre_delete.connect(parent_deleting, sender=field.related_model,
                                       dispatch_uid=f"inline-parent-delete-{field.related_model._meta.label}")


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
        return self.title_ja

    def get_absolute_url(self):
        return reverse("meetings:source-detail", args=[self.key])

    def clean(self):
        if self.date:
            dates.parse(self.date)

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

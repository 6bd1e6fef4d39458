"""Reading ahead: before the first row, the records a file names are read with one query per
CHUNK keys (KEYS_A_QUERY for whether the file's own keys are taken), so that checking a row
asks the database nothing. Without it a 10,000-meeting
import spent most of its time in per-row queries (bench/NOTES.md, "Import, part by part").

A ReadAhead answers, for the rows: the record of a row's natural key (PrefetchedInstanceLoader),
the records named in key columns (KeyCache, handed to the widgets), which foreign keys surely
exist, whether a natural key is taken, and the case-insensitive twins of new keys. A question
it cannot answer is asked of the database as without it."""
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from import_export import widgets
from import_export.instance_loaders import ModelInstanceLoader

from defrel.imports.files import column_cells
from defrel.imports.widgets import KeysWidget, KeyWidget

CHUNK = 2000  # keys a query
# Keys a query for the two questions asked of each key of the file: is it taken, and has it a
# twin in other letter case. At 100,000 meetings PostgreSQL answers either by reading the
# whole key index, whatever the number of keys: 10,000 keys in 95 and 72 ms as one query,
# 170 and 190 as five (bench/NOTES.md, "A file's keys asked about at once").
KEYS_A_QUERY = 10_000
NOT_READ = object()  # a question the read-ahead cannot answer


def chunked(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class KeyCache:
    """The records one import names in a key column: ``asked`` holds every key read (unknown
    ones too), ``known`` the records found."""

    def __init__(self, queryset, field):
        self.queryset, self.field = queryset, field
        self.known, self.asked = {}, set()

    def load(self, keys):
        keys = [k for k in dict.fromkeys(keys) if k and k not in self.asked]
        for chunk in chunked(keys):
            for record in self.queryset.filter(**{f"{self.field}__in": chunk}):
                self.known[str(getattr(record, self.field))] = record
            self.asked.update(chunk)


class PrefetchedInstanceLoader(ModelInstanceLoader):
    """The record of a row's natural key from the resource's read-ahead, if it read it."""

    def get_instance(self, row):
        found = self.resource.read_ahead_instance(row)
        if found is NOT_READ:
            return super().get_instance(row)
        return found


class ReadAhead:
    """What one import read of its file's records, and the keys its rows wrote so far."""

    def __init__(self, resource):
        self.resource = resource
        self.widgets = []  # the resource's widgets given a KeyCache
        self.fetched = defaultdict(set)  # model → pks read by the key caches (they exist)
        self.key_field = self.key_attribute = None  # a single natural key, if read ahead …
        self.asked = set()  # … its values read …
        self.existing = {}  # … the primary keys of those that exist …
        self.instances = {}  # … and their records, handed out once each
        self.stored = {}  # pk → parent fields (attname → value) as read
        self.clash_asked = set()  # new keys whose case-insensitive twins were read …
        self.by_upper = defaultdict(set)  # … the existing keys by upper case
        self.written = {}  # keys written (or queued) by this import → instance
        self.written_upper = defaultdict(set)

    def read(self, dataset):
        self.read_key_columns(dataset)
        self.read_records(dataset)
        return self

    def forget(self):
        for widget in self.widgets:
            widget.cache = None

    def read_key_columns(self, dataset):
        caches = {}
        for field in self.resource.get_import_fields():
            widget = field.widget
            if not isinstance(widget, (KeyWidget, KeysWidget)) or widget.model is self.resource._meta.model:
                continue  # a file may name records it creates itself: those are looked up
            if isinstance(widget, KeyWidget) and (
                    type(widget).get_queryset is not widgets.ForeignKeyWidget.get_queryset):
                continue
            cache = caches.get((widget.model, widget.field))
            if cache is None:
                cache = caches[(widget.model, widget.field)] = KeyCache(widget.model.objects.all(), widget.field)
            cells = column_cells(dataset, field.column_name)
            if isinstance(widget, KeysWidget):
                cache.load(k for cell in cells for k in widget.keys(cell))
            else:
                cache.load(str(cell).strip() for cell in cells if cell is not None)
            widget.cache = cache
            self.widgets.append(widget)
        for cache in caches.values():
            self.fetched[cache.queryset.model].update(r.pk for r in cache.known.values())

    def single_key(self):
        """The resource field of the natural key, when it is one plain column of the model."""
        ids = self.resource.get_import_id_fields()
        if len(ids) != 1:
            return None, None
        field = self.resource.fields[ids[0]]
        try:
            model_field = self.resource._meta.model._meta.get_field(field.attribute)
        except Exception:  # noqa: BLE001 - not a model field: nothing to read ahead
            return None, None
        if model_field.is_relation or not model_field.concrete:
            return None, None
        return field, model_field

    def read_records(self, dataset):
        field, model_field = self.single_key()
        if field is None:
            return
        keys = []
        for cell in column_cells(dataset, field.column_name):
            try:
                key = field.clean({field.column_name: cell})
            except (ValueError, ValidationError):
                continue
            if key not in (None, ""):
                keys.append(key)
        keys = list(dict.fromkeys(keys))
        model, attribute = self.resource._meta.model, field.attribute
        # The many-to-many fields too, for skip_row and the preview's diff (a lookup the
        # resource's queryset prefetches already is not prefetched twice).
        queryset = self.resource.get_queryset().prefetch_related(*[
            f.attribute for f in self.resource.get_import_fields()
            if isinstance(f.widget, widgets.ManyToManyWidget) and f.attribute])
        parents = self.resource.parent_fields()
        for chunk in chunked(keys, KEYS_A_QUERY):  # which exist (as Model.validate_unique() asks) …
            self.existing.update(model._default_manager.filter(**{f"{attribute}__in": chunk})
                                 .values_list(attribute, "pk"))
        self.asked.update(keys)
        for chunk in chunked(self.existing):  # … and those records, as the rows read them
            for instance in queryset.filter(**{f"{attribute}__in": chunk}):
                self.instances[getattr(instance, attribute)] = instance
                self.stored[instance.pk] = {f.attname: getattr(instance, f.attname) for f in parents}
        self.key_field, self.key_attribute = field, attribute
        if isinstance(model_field, (models.CharField, models.TextField)):
            self.read_twins([k for k in keys if isinstance(k, str) and k not in self.existing])

    def read_twins(self, new):
        """The existing keys equal to new ones but for letter case; ASCII keys only, where
        Python's upper() is the database's (others are looked up one by one)."""
        new = [k for k in new if k.isascii()]
        manager = self.resource._meta.model._default_manager.annotate(upper_key=Upper(self.key_attribute))
        for chunk in chunked(new, KEYS_A_QUERY):
            for twin_upper, twin in (manager.filter(upper_key__in=[k.upper() for k in chunk])
                                     .values_list("upper_key", self.key_attribute)):
                self.by_upper[twin_upper].add(twin)
            self.clash_asked.update(chunk)

    # --- answers for the rows -------------------------------------------------------------------

    def instance(self, row):
        """The record of the row's natural key if it was read ahead, None if it does not
        exist, NOT_READ if it was not read ahead."""
        if self.key_field is None:
            return NOT_READ
        key = self.key_field.clean(row)
        if key not in self.asked:
            return NOT_READ
        return self.instances.pop(key, None)  # once: a second row with the key is new

    def wrote(self, instance):
        """Note the key of a row queued for writing (a later row may not take it)."""
        if self.key_attribute:
            key = getattr(instance, self.key_attribute, None)
            self.written[key] = instance
            if isinstance(key, str):
                self.written_upper[key.upper()].add(key)

    def known_relations(self, instance, exclude):
        """Foreign keys naming a record read ahead: clean_fields() would only ask the
        database whether it exists."""
        known = set()
        for field in instance._meta.concrete_fields:
            if (not field.many_to_one or field.name in exclude or field.validators or field.choices
                    or field.remote_field.parent_link or field.get_limit_choices_to()
                    or not field.target_field.primary_key):
                continue
            value = getattr(instance, field.attname)
            if value is not None and value in self.fetched.get(field.related_model, ()):
                known.add(field.name)
        return known

    def key_taken(self, instance):
        """Whether another record or row has the instance's natural key; None when the
        read-ahead cannot say (then Model.validate_unique() asks)."""
        key = self.key_attribute
        value = getattr(instance, key) if key else None
        if value is None or value not in self.asked or (instance.pk is not None and instance._state.adding):
            return None
        owner, writer = self.existing.get(value), self.written.get(value)
        return (owner is not None and owner != instance.pk) or (
            owner is None and writer is not None and writer is not instance)

    def twin(self, value):
        """An existing or written key differing from ``value`` only in letter case, None if
        there is none, NOT_READ if the read-ahead cannot say."""
        if value not in self.clash_asked:
            return NOT_READ
        upper = value.upper()
        twins = self.by_upper.get(upper, set()) | self.written_upper.get(upper, set())
        return min((t for t in twins if t != value), default=None)

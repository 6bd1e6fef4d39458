"""The base of every import/export resource: natural keys, all-or-nothing imports and
spreadsheet-safe exports."""
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import connections, models, router, transaction
from django.db.models import CheckConstraint
from django.db.models.deletion import Collector
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.exceptions import ImportError as ImportExportError
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import RowResult
from simple_history.utils import get_change_reason_from_object, get_m2m_field_name

from defrel.bulk import chunked, insert_instances, insert_rows
from defrel.constraints import check_in_python, constraint_values
from defrel.exports import escape_formula, unescape_formula
from defrel.imports import preview
from defrel.imports.originals import copy_cheaply
from defrel.imports.versions import RowVersions, VersionField, remember
from defrel.models import Dated, Source, Versioned, bump_parents, rows_written
from defrel.uploads import FileRefused

SEPARATOR = "|"  # the one form of every multi-valued cell


def clean_cell(value):
    """A cell as every row reads it after CuratedResource.before_import_row."""
    return unescape_formula(value.strip() if isinstance(value, str) else value)


def is_plain_cell(value):
    """Whether before_import_row accepts the cell (no nested value, no NUL)."""
    return not isinstance(value, (dict, list, tuple, set)) and not (isinstance(value, str) and "\x00" in value)


class KeyCache:
    """The records one import names in a key column, read ahead with a query per
    defrel.bulk.CHUNK keys: ``asked`` holds every key read (unknown ones too), ``known`` the
    records found. A key not read ahead is looked up on its own, as without the cache."""

    def __init__(self, queryset, field):
        self.queryset, self.field = queryset, field
        self.known, self.asked = {}, set()

    def load(self, keys):
        keys = [k for k in dict.fromkeys(keys) if k and k not in self.asked]
        for chunk in chunked(keys):
            for record in self.queryset.filter(**{f"{self.field}__in": chunk}):
                self.known[str(getattr(record, self.field))] = record
            self.asked.update(chunk)


class KeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related record's natural key; an unknown key is an error."""

    cache = None  # a KeyCache while an import runs (CuratedResource.read_ahead)

    def clean(self, value, row=None, **kwargs):
        value = (str(value).strip() if value is not None else "")
        if not value:
            return None
        if self.cache is not None and value in self.cache.asked:
            record = self.cache.known.get(value)
        else:
            try:
                record = self.get_queryset(value, row, **kwargs).get(**{self.field: value})
            except self.model.DoesNotExist:
                record = None
        if record is None:
            raise ValueError(
                _("unknown %(model)s “%(value)s”")
                % {"model": self.model._meta.verbose_name, "value": value}
            )
        return record


class KeysWidget(widgets.ManyToManyWidget):
    """Many related records as natural keys joined by “|”; an unknown key is an error."""

    cache = None  # a KeyCache while an import runs (CuratedResource.read_ahead)

    def __init__(self, model, field):
        super().__init__(model, separator=SEPARATOR, field=field)

    @staticmethod
    def keys(value):
        return list(dict.fromkeys(k.strip() for k in str(value or "").split(SEPARATOR) if k.strip()))

    def clean(self, value, row=None, **kwargs):
        """The records named, in the cell's order, as a list."""
        keys = self.keys(value)
        found, rest = {}, keys
        if self.cache is not None:
            rest = [k for k in keys if k not in self.cache.asked]
            found = {k: self.cache.known[k] for k in keys if k in self.cache.known}
        if rest:
            for record in self.model.objects.filter(**{f"{self.field}__in": rest}):
                found[str(getattr(record, self.field))] = record
        missing = [k for k in keys if k not in found]
        if missing:
            raise ValueError(
                _("unknown %(model)s: %(values)s")
                % {"model": self.model._meta.verbose_name, "values": ", ".join(sorted(missing))}
            )
        return [found[k] for k in keys]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.render_records(value.all())

    def render_records(self, records):
        return SEPARATOR.join(sorted(str(getattr(o, self.field)) for o in records))


class LinesWidget(widgets.CharWidget):
    """A one-per-line text field (aliases) as a “|”-joined cell."""

    def clean(self, value, row=None, **kwargs):
        return "\n".join(v.strip() for v in str(value or "").split(SEPARATOR) if v.strip())

    def render(self, value, obj=None, **kwargs):
        return SEPARATOR.join(v.strip() for v in (value or "").splitlines() if v.strip())


PLAIN_VALIDATION = ("full_clean", "clean_fields", "validate_unique", "validate_constraints",
                    "_get_unique_checks", "unique_error_message")


def plain_validation(model):
    """Whether the model validates as Model does (so its checks may be done here, batched)."""
    return all(getattr(model, name) is getattr(models.Model, name) for name in PLAIN_VALIDATION)


def bulk_writable(model):
    """Whether writing the model without save() loses nothing: no save() but Model's,
    Versioned's (its counter) and Dated's (its bounds), which bulk writes repeat."""
    known = {models.Model, Versioned, Dated}
    return all(cls in known for cls in model.__mro__
               if "save" in cls.__dict__ or "save_base" in cls.__dict__)


def links_have_history(through):
    """Whether a many-to-many field's through model keeps a history of its own (simple-history
    writes none for rows that set() or add() insert: they send no signal)."""
    return bool(getattr(through._meta, "simple_history_manager_attribute", None))


class ImportState:
    """What one run of import_data read ahead, and the keys it wrote so far."""

    def __init__(self):
        self.key_field = None  # the resource field of a single natural key, if read ahead
        self.key_attribute = None
        self.asked = set()  # natural keys read ahead …
        self.instances = {}  # … the records found, handed out once each …
        self.existing = {}  # … and their primary keys
        self.stored = {}  # pk → parent fields (attname → value) as read
        self.fetched = defaultdict(set)  # model → pks read by the key caches (they exist)
        self.clash_asked = set()  # new keys whose case-insensitive twins were read ahead …
        self.by_upper = defaultdict(set)  # … the existing keys by upper case
        self.written = {}  # keys written (or queued) by this import → instance
        self.written_upper = defaultdict(set)


class PrefetchedInstanceLoader(ModelInstanceLoader):
    """The records of a file's natural keys, read ahead for the whole file (see
    CuratedResource.read_ahead); a key not read ahead is looked up on its own."""

    def get_instance(self, row):
        found = self.resource.read_ahead_instance(row)
        if found is NOT_READ:
            return super().get_instance(row)
        return found


NOT_READ = object()


class PendingDiff(resources.Diff):
    """The preview's diff; many-to-many cells of a row come from the row when the row is
    written in a batch later (the record has no links yet when the diff is taken)."""

    def __init__(self, resource, instance, new):
        self.left = self.read(resource, instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = self.read(resource, instance)

    @staticmethod
    def read(resource, instance):
        return [resource.diff_value(field, instance) for field in resource.get_import_fields()]


class UnshownDiff(PendingDiff):
    """No diff: an import that writes (the admin's confirm step) shows none, only the
    preview does, so reading every field of every row twice would be wasted."""

    def __init__(self, resource, instance, new):
        self.left, self.right, self.new = [], [], new

    def compare_with(self, resource, instance):
        pass


class RecordChanged(Exception):
    """Records changed or deleted by someone else between reading and writing them."""

    def __init__(self, instances):
        super().__init__(f"{len(instances)} records changed meanwhile")
        self.instances = instances


class CuratedResource(resources.ModelResource):
    """Imports write every row or none, and say which row and column was wrong.

    Hostile input: every cell is stored as plain text (HTML such as ``<script>`` included) and
    escaped wherever it is shown, the admin's preview and messages too; a cell starting with
    ``=``, ``+``, ``-`` or ``@`` is text, never evaluated, and exports escape it. A row whose key
    names an existing record may update that record but not move it to another parent (an
    official or position to another country), and a key differing from an existing one only
    in letter case is refused rather than made a near-duplicate.

    Speed: before the first row, the records the file names (its natural keys, and the keys
    in its key columns) are read with one query per 2,000 keys, so validating a row asks the
    database nothing (check constraints are evaluated in Python when they are plain
    comparisons). With ``use_bulk`` in Meta (and ``batch_size = None``), rows are written
    once the last one is validated, and only if none was wrong, ``write_chunk`` at a time and
    without save() or signals: the records, their many-to-many links (a through model's rows
    too) and their history, one entry per record written with the links it tracks; see
    :meth:`write_batch`. A chunk the database refuses is written again row by row to name
    the row; an updated record changed by someone else since it was read is that row's
    error, not overwritten.
    """

    required_m2m = ()  # many-to-many columns that may not be empty
    # Exported by the resources that list "version" in their fields (their models are
    # Versioned); an update row must carry the record's current one (defrel.imports.versions).
    version = VersionField()

    class Meta:
        abstract = True
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        use_bulk = False
        instance_loader_class = PrefetchedInstanceLoader

    _import_state = None  # what the running import read ahead (ImportState)
    _saving = None  # the instance import_row is saving
    _show_diff = True  # whether rows get the preview's diff (see UnshownDiff) …
    _row_number = None  # … if they are among the rows it shows (defrel.imports.preview)
    _versions = None  # the running import's check of row versions (RowVersions)
    write_chunk = 1000  # rows written at a time by a bulk import (see flush)

    def import_data(self, dataset, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        if self._meta.use_bulk and not bulk_writable(self._meta.model):
            raise ImproperlyConfigured(f"{self._meta.model.__name__}.save() does more than a bulk "
                                       f"import repeats; set use_bulk = False")
        try:
            self.check_file(dataset)
        except FileRefused as refusal:
            # Refused before any row is read, so the editor sees one reason, not one per row.
            return self.refused_result(dataset, refusal)
        self._show_diff = bool(kwargs.get("dry_run"))
        self._versions = RowVersions(kwargs.pop("stale_rows", None), dry_run=bool(kwargs.get("dry_run")))
        try:
            result = super().import_data(dataset, **kwargs)
            result.stale_rows = self._versions.flagged  # rows a preview let through
            if self._show_diff:
                result.preview = preview.Preview(result)
            return result
        finally:
            self.forget_read_ahead()
            self._show_diff = True
            self._versions = None

    def refused_result(self, dataset, refusal):
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = dataset.height
        error = self.get_error_result_class()(refusal)
        error.traceback = ""  # the reason is the editor's to read; a traceback is not
        result.append_base_error(error)
        return result

    def importable_columns(self):
        """The columns a file must have: derived ones (date bounds, titles) may be left out."""
        return [f.column_name for f in self.get_import_fields() if f.attribute and not f.readonly]

    def check_file(self, dataset):
        headers = [str(h).strip() for h in (dataset.headers or []) if h is not None]
        if not headers:
            raise FileRefused(_("The file has no header row; the first row must name the columns."))
        if not dataset.height:
            raise FileRefused(_("The file has a header row but no rows to import."))
        self.check_columns(headers)
        self.check_duplicate_keys(dataset)

    def check_columns(self, headers):
        expected = self.importable_columns()
        known = expected + [f.column_name for f in self.get_export_fields()]
        missing = [c for c in expected if c not in headers]
        extra = [h or _("(a column without a name)") for h in headers if h not in known]
        repeated = sorted({h for h in headers if headers.count(h) > 1})
        if missing or extra or repeated:
            parts = []
            if missing:
                parts.append(_("missing columns: %s") % ", ".join(missing))
            if extra:
                parts.append(_("unknown columns: %s") % ", ".join(extra))
            if repeated:
                parts.append(_("repeated columns: %s") % ", ".join(repeated))
            raise FileRefused(_("The file's columns do not match (%s).") % "; ".join(parts))

    def check_duplicate_keys(self, dataset):
        id_columns = [self.fields[name].column_name for name in self._meta.import_id_fields]
        first_row = {}
        for number, row in enumerate(dataset.dict, start=1):
            key = tuple(str(row.get(c, "")).strip() for c in id_columns)
            if key in first_row:
                raise FileRefused(
                    _("Row %(row)s repeats the key %(key)s of row %(first)s.")
                    % {"row": number, "key": " / ".join(key), "first": first_row[key]}
                )
            first_row[key] = number

    # --- reading ahead ----------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.read_ahead(dataset)

    def column_cells(self, dataset, column):
        """A column's cells as the rows will read them (cells the rows refuse left out)."""
        headers = [str(h).strip() if h is not None else h for h in (dataset.headers or [])]
        if column not in headers:
            return []
        return [clean_cell(v) for v in dataset.get_col(headers.index(column)) if is_plain_cell(v)]

    def read_ahead(self, dataset):
        """Read the records the file names, a query per 2,000 keys (see KeyCache)."""
        self.forget_read_ahead()
        state = self._import_state = ImportState()
        caches = {}
        for field in self.get_import_fields():
            widget = field.widget
            if not isinstance(widget, (KeyWidget, KeysWidget)) or widget.model is self._meta.model:
                continue  # a file may name records it creates itself: those are looked up
            if isinstance(widget, KeyWidget) and (
                    type(widget).get_queryset is not widgets.ForeignKeyWidget.get_queryset):
                continue
            cache = caches.get((widget.model, widget.field))
            if cache is None:
                cache = caches[(widget.model, widget.field)] = KeyCache(
                    widget.model.objects.all(), widget.field)
            cells = self.column_cells(dataset, field.column_name)
            if isinstance(widget, KeysWidget):
                cache.load(k for cell in cells for k in widget.keys(cell))
            else:
                cache.load(str(cell).strip() for cell in cells if cell is not None)
            widget.cache = cache
        for cache in caches.values():
            state.fetched[cache.queryset.model].update(r.pk for r in cache.known.values())
        self.read_ahead_instances(dataset, state)

    def read_ahead_instances(self, dataset, state):
        ids = self.get_import_id_fields()
        if len(ids) != 1:
            return
        field = self.fields[ids[0]]
        model = self._meta.model
        try:
            model_field = model._meta.get_field(field.attribute)
        except Exception:  # noqa: BLE001 - not a model field: nothing to read ahead
            return
        if model_field.is_relation or not model_field.concrete:
            return
        keys = []
        for cell in self.column_cells(dataset, field.column_name):
            try:
                key = field.clean({field.column_name: cell})
            except (ValueError, ValidationError):
                continue
            if key not in (None, ""):
                keys.append(key)
        keys = list(dict.fromkeys(keys))
        queryset = self.get_queryset()
        prefetched = {p if isinstance(p, str) else p.prefetch_to
                      for p in queryset._prefetch_related_lookups}
        m2m = [f.attribute for f in self.get_import_fields()
               if isinstance(f.widget, widgets.ManyToManyWidget) and f.attribute
               and f.attribute not in prefetched]
        if m2m:
            queryset = queryset.prefetch_related(*m2m)  # for skip_row and the preview's diff
        parents = self.parent_fields()
        for chunk in chunked(keys):  # which exist (as Model.validate_unique() asks) …
            state.existing.update(model._default_manager.filter(**{f"{field.attribute}__in": chunk})
                                  .values_list(field.attribute, "pk"))
        state.asked.update(keys)
        for chunk in chunked(state.existing):  # … and those records, as the rows read them
            for instance in queryset.filter(**{f"{field.attribute}__in": chunk}):
                key = getattr(instance, field.attribute)
                state.instances[key] = instance
                state.stored[instance.pk] = {f.attname: getattr(instance, f.attname) for f in parents}
        state.key_field, state.key_attribute = field, field.attribute
        if isinstance(model_field, (models.CharField, models.TextField)):
            # The case-insensitive twins of new keys, for check_clashes; ASCII keys only, where
            # Python's upper() is the database's (others are looked up one by one).
            new = [k for k in keys if isinstance(k, str) and k not in state.existing and k.isascii()]
            upper = "_defrel_upper"
            for chunk in chunked(new):
                for twin_upper, twin in (model._default_manager.annotate(**{upper: Upper(field.attribute)})
                                         .filter(**{f"{upper}__in": [k.upper() for k in chunk]})
                                         .values_list(upper, field.attribute)):
                    state.by_upper[twin_upper].add(twin)
                state.clash_asked.update(chunk)

    def read_ahead_instance(self, row):
        """The record of the row's natural key if it was read ahead, None if it does not
        exist, NOT_READ if it was not read ahead."""
        state = self._import_state
        if state is None or state.key_field is None:
            return NOT_READ
        key = state.key_field.clean(row)
        if key not in state.asked:
            return NOT_READ
        return state.instances.pop(key, None)  # once: a second row with the key is new

    def forget_read_ahead(self):
        self._import_state = None
        for field in self.fields.values():
            if isinstance(field.widget, (KeyWidget, KeysWidget)):
                field.widget.cache = None

    # --- rows ---------------------------------------------------------------------------------

    def before_import_row(self, row, **kwargs):
        errors = {}
        for column, value in list(row.items()):
            if isinstance(value, (dict, list, tuple, set)):
                errors[column] = _("a nested value; give text (several keys joined by “|”).")
            elif isinstance(value, str) and "\x00" in value:
                errors[column] = _("contains a NUL character (binary data).")
            else:
                row[column] = clean_cell(value)
        if errors:
            raise ValidationError(errors)

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            copy_cheaply(instance)  # the "original" import_row copies next (defrel.imports.originals)

    def get_instance(self, instance_loader, row):
        """An unknown key in a key column is that column's error, not a crash of the row."""
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if errors:
            raise ValidationError(errors)
        return super().get_instance(instance_loader, row)

    def get_import_fields(self):
        # Asked several times a row; the resource's fields do not change once it is made.
        fields = self.__dict__.get("_import_fields")
        if fields is None:
            fields = self._import_fields = super().get_import_fields()
        return fields

    def get_diff_class(self):
        return PendingDiff if self._show_diff and preview.shown(self._row_number) else UnshownDiff

    def diff_value(self, field, instance):
        """A field as the preview shows it; many-to-many cells of a row not yet written
        come from the row."""
        if instance is not None and isinstance(field.widget, widgets.ManyToManyWidget):
            pending = getattr(instance, "_import_m2m", None)
            if pending and field.attribute in pending and isinstance(field.widget, KeysWidget):
                return field.widget.render_records(pending[field.attribute])
            if instance.pk is None:
                return ""  # a new record has no links yet
        return field.export(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if self._versions is not None:  # a row that would undo a newer edit (skipped rows never do)
            stale = self._versions.check(self, instance)
            if stale:
                import_validation_errors = {**(import_validation_errors or {}), **stale}
        beyond = self.beyond_the_calendar(instance)
        if beyond:
            # full_clean() would raise ValueError on these bounds: report the date alone.
            raise ValidationError({**(import_validation_errors or {}), "date": [beyond]})
        try:
            self.validate_model(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            errors = error.error_dict
            if "date" in errors and NON_FIELD_ERRORS in errors:
                # A bad date leaves the derived bounds empty; the constraints on those bounds
                # ("has a start", "ordered") would only repeat the date's own message.
                on_bounds = [c.name for c in instance._meta.constraints if "date_" in str(c.condition)]
                errors[NON_FIELD_ERRORS] = [e for e in errors[NON_FIELD_ERRORS]
                                            if not any(name in str(e.message) for name in on_bounds)]
                errors = {k: v for k, v in errors.items() if v}
            raise ValidationError(errors) from None

    def validate_model(self, instance, import_validation_errors=None, validate_unique=True):
        """import-export's validate_instance: the row's errors and the model's full_clean()."""
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            try:
                self.full_clean(instance, exclude=set(errors), validate_unique=validate_unique)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def full_clean(self, instance, exclude, validate_unique=True):
        """Model.full_clean(), asking the database only what was not read ahead: a foreign
        key to a record read ahead exists; a natural key read ahead is unique unless found
        or already in this file; plain check constraints are evaluated in Python."""
        if self._import_state is None or not plain_validation(type(instance)):
            return instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        errors = {}
        try:
            instance.clean_fields(exclude=exclude | self.known_relations(instance, exclude))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if validate_unique:
            exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
            try:
                self.validate_unique(instance, exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            self.validate_constraints(instance, exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def known_relations(self, instance, exclude):
        """Foreign keys naming a record read ahead: clean_fields() would only ask the
        database whether it exists."""
        fetched = self._import_state.fetched
        known = set()
        for field in instance._meta.concrete_fields:
            if (not field.many_to_one or field.name in exclude or field.validators or field.choices
                    or field.remote_field.parent_link or field.get_limit_choices_to()
                    or not field.target_field.primary_key):
                continue
            value = getattr(instance, field.attname)
            if value is not None and value in fetched.get(field.related_model, ()):
                known.add(field.name)
        return known

    def validate_unique(self, instance, exclude):
        """Model.validate_unique() for a model whose only unique field is the natural key
        read ahead; any other case is left to Model.validate_unique()."""
        state = self._import_state
        unique_checks, date_checks = instance._get_unique_checks(exclude=exclude)
        pk_name = instance._meta.pk.name
        key = state.key_attribute
        value = getattr(instance, key) if key else None
        if (date_checks or key is None or value not in state.asked
                or any(len(names) != 1 or names[0] not in (pk_name, key) for _m, names in unique_checks)
                or (instance.pk is not None and instance._state.adding)):
            return instance.validate_unique(exclude=exclude)
        errors = {}
        for model_class, names in unique_checks:
            if names[0] != key or value is None:
                continue  # the primary key: none yet, or the record's own
            owner = state.existing.get(value)
            writer = state.written.get(value)
            if (owner is not None and owner != instance.pk) or (
                    owner is None and writer is not None and writer is not instance):
                errors.setdefault(key, []).append(instance.unique_error_message(model_class, names))
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, instance, exclude):
        """Model.validate_constraints(), check constraints evaluated in Python when they are
        plain comparisons of the record's fields."""
        using = router.db_for_write(type(instance), instance=instance)
        errors = {}
        for model_class, constraints in instance.get_constraints():
            values = constraint_values(instance, model_class, exclude)
            for constraint in constraints:
                try:
                    passed = (check_in_python(constraint, values)
                              if isinstance(constraint, CheckConstraint) else None)
                    if passed is None:
                        constraint.validate(model_class, instance, exclude=exclude, using=using)
                    elif not passed:
                        raise ValidationError(constraint.get_violation_error_message(),
                                              code=constraint.violation_error_code)
                except ValidationError as error:
                    fields = getattr(constraint, "fields", ())
                    if getattr(error, "code", None) == "unique" and len(fields) == 1:
                        errors.setdefault(fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def beyond_the_calendar(instance):
        """edtf reads years before 1 (0000, -0001) that datetime.date cannot hold."""
        if not hasattr(instance, "fill_date_bounds"):
            return None
        try:
            instance.fill_date_bounds()
        except ValidationError:
            return None  # full_clean() says what is wrong with it
        except (ValueError, OverflowError):
            return ValidationError(_("“%(value)s” is outside the calendar (years 1 to 9999).")
                                   % {"value": instance.date})
        return None

    def check_clashes(self, instance):
        """A key must not quietly re-parent an existing record or near-duplicate one."""
        errors = {}
        state = self._import_state
        if instance.pk is not None:
            parents = self.parent_fields()
            stored = state.stored.get(instance.pk) if state is not None else None
            if parents and (stored is None or any(
                    stored[f.attname] != getattr(instance, f.attname) for f in parents)):
                stored = type(instance)._default_manager.get(pk=instance.pk)
                for field in parents:
                    before, after = getattr(stored, field.attname), getattr(instance, field.attname)
                    if before != after:
                        errors[field.name] = _(
                            "“%(key)s” already exists under %(before)s; this row would move it to "
                            "%(after)s. Change that in its own form if it is meant."
                        ) % {"key": self.key_text(instance), "before": getattr(stored, field.name),
                             "after": getattr(instance, field.name, "") if after is not None else "—"}
        elif len(self.get_import_id_fields()) == 1:
            name = self.get_import_id_fields()[0]
            attribute = self.fields[name].attribute
            model_field = instance._meta.get_field(attribute)
            value = getattr(instance, attribute, None)
            if not model_field.is_relation and isinstance(value, str) and value:
                if state is not None and value in state.clash_asked:
                    upper = value.upper()
                    twins = (state.by_upper.get(upper, set()) | state.written_upper.get(upper, set()))
                    other = min((t for t in twins if t != value), default=None)
                else:
                    other = (type(instance)._default_manager.filter(**{f"{attribute}__iexact": value})
                             .exclude(**{attribute: value}).values_list(attribute, flat=True).first())
                if other is not None:
                    errors[attribute] = _(
                        "“%(value)s” differs from the existing “%(other)s” only in letter case; "
                        "use the existing key."
                    ) % {"value": value, "other": other}
        return errors

    def parent_fields(self):
        """Required foreign keys outside the natural key: the record's parent (a country)."""
        id_attributes = {self.fields[name].attribute for name in self.get_import_id_fields()}
        return [f for f in self._meta.model._meta.concrete_fields
                if f.many_to_one and not f.null and f.name not in id_attributes]

    def key_text(self, instance):
        return " / ".join(str(self.fields[name].export(instance)) for name in self.get_import_id_fields())

    def import_instance(self, instance, row, **kwargs):
        """Also check many-to-many cells here, so an unknown code is a row-and-column error
        before anything is saved, rather than a failure half-way through the row. The
        records named are kept on the instance (``_import_m2m``) for a batch write."""
        instance._import_row = (kwargs.get("row_number"), row)
        remember(instance)  # to name it as read if the row is stale
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for attribute, message in self.check_clashes(instance).items():
            errors.setdefault(attribute, []).append(ValidationError(message))
        pending = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    records = list(field.clean(row))
                    if not records and field.attribute in self.required_m2m:
                        raise ValueError(_("at least one is required"))
                    pending[field.attribute] = records
                except ValueError as error:
                    errors[field.attribute] = [ValidationError(str(error))]
        instance._import_m2m = pending
        if errors:
            raise ValidationError(errors)

    # --- writing --------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        self._saving = None
        self._row_number = kwargs.get("row_number")  # whether the preview shows its diff
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self._saving is not None and self._meta.use_bulk:
            self._saving._import_row_result = row_result  # its object_id once written
        if self._saving is not None and self._versions is not None:
            self._versions.flag(self._saving, row_result)  # a valid row whose record changed
        self._saving = None
        return row_result

    def save_instance(self, instance, is_create, row, **kwargs):
        instance._import_row = (kwargs.get("row_number"), row)
        instance._import_version = getattr(instance, "version", None)
        self._saving = instance
        state = self._import_state
        if state is not None and state.key_attribute:
            key = getattr(instance, state.key_attribute, None)
            state.written[key] = instance
            if isinstance(key, str):
                state.written_upper[key.upper()].add(key)
        super().save_instance(instance, is_create, row, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.flush(self.create_instances, True, using_transactions, dry_run, raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.flush(self.update_instances, False, using_transactions, dry_run, raise_errors, result)

    def flush(self, queue, created, using_transactions, dry_run, raise_errors, result):
        """Write the rows queued, write_chunk at a time, unless a row was wrong: then the
        import is rolled back (import_data sees to it), and writing the others is wasted."""
        batch = list(queue)
        queue.clear()
        if not batch or not (using_transactions or not dry_run):
            return
        for chunk in chunked(batch, self.write_chunk):
            if result is not None and (result.has_errors() or result.has_validation_errors()):
                return
            self.flush_chunk(chunk, created, raise_errors, result)

    def flush_chunk(self, batch, created, raise_errors, result):
        """Write a batch; if the database refuses it, find the rows it refuses and make
        them the rows' errors, so the editor hears which (and the import is rolled back)."""
        using = self.get_db_connection_name()
        try:
            with transaction.atomic(using=using):
                self.write_batch(batch, created)
        except RecordChanged as changed:
            self.forget_write(batch, created)
            column = self.fields[self.get_import_id_fields()[0]].attribute
            model = self._meta.model
            now = dict(model._base_manager.using(using).filter(pk__in=[i.pk for i in changed.instances])
                       .values_list("pk", "version" if issubclass(model, Versioned) else "pk"))
            for instance in changed.instances:
                # The admin form's words for the same thing (a record saved after it was read).
                message = _("Someone else saved this record after you opened it (your version %(seen)s, "
                            "now %(current)s). Nothing was saved: open the record again to see their "
                            "changes, then make yours.") % {
                    "seen": getattr(instance, "_import_version", None) or "—",
                    "current": now.get(instance.pk, "—") if issubclass(model, Versioned) else "—"}
                error = ValidationError({column: [f"{self.key_text(instance)}: {message}"]})
                self.row_failed(instance, result, error, raise_errors)
        except Exception as error:  # noqa: BLE001 - made a row's error, and rolled back
            self.forget_write(batch, created)
            blamed = False
            for instance in batch:
                try:
                    with transaction.atomic(using=using):
                        self.write_batch([instance], created)
                except Exception as row_error:  # noqa: BLE001 - as above
                    self.forget_write([instance], created)
                    blamed = self.row_failed(instance, result, row_error, raise_errors)
            if not blamed:
                self.handle_import_error(result, error, raise_errors)

    def row_failed(self, instance, result, error, raise_errors):
        """A row found wrong when its batch was written: the row's result says so (so
        result.has_errors() or has_validation_errors() is true and the import rolls back)."""
        number, row = instance._import_row
        row_result = getattr(instance, "_import_row_result", None)
        if row_result is None:
            self.handle_import_error(result, error, raise_errors)
            return True
        result.totals[row_result.import_type] -= 1
        if isinstance(error, ValidationError):
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
            result.append_invalid_row(number, row, error)
        else:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            failure = self.get_error_result_class()(error, row=row, number=number)
            row_result.errors.append(failure)
            result.append_error_row(number, row, [failure])
        result.totals[row_result.import_type] += 1
        if raise_errors:
            raise ImportExportError(error, number=number, row=row) from error
        return True

    @staticmethod
    def forget_write(batch, created):
        """Undo on the instances what a rolled-back write did to them."""
        for instance in batch:
            if created:  # the ids it was given
                instance.pk = None
                instance._state.adding = True
            elif isinstance(instance, Versioned):
                instance.version = instance._import_version

    def write_batch(self, batch, created):
        """Write records as save() and the many-to-many fields' set() would, and their
        history as simple-history would (one entry per record, with its links)."""
        model = self._meta.model
        using = self.get_db_connection_name()
        now = timezone.now()
        for instance in batch:
            if isinstance(instance, Dated):
                instance.fill_date_bounds()
            if isinstance(instance, Versioned) and not created:
                instance.version = instance._import_version + 1
        if created:
            insert_instances(model, batch, using)
        else:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            manager = model._base_manager.using(using)
            changed = []
            for instance in batch:
                records = manager.filter(pk=instance.pk)
                if isinstance(instance, Versioned):  # unchanged since it was read
                    records = records.filter(version=instance._import_version)
                if not records.update(**{f.attname: getattr(instance, f.attname) for f in fields}):
                    changed.append(instance)
            if changed:
                raise RecordChanged(changed)
        bump_parents(batch, using)  # as a save() of each would (inline rows' parents)
        for instance in batch:
            instance._state.adding, instance._state.db = False, using
            if isinstance(instance, Dated):
                instance._saved_date = instance.date
            row_result = getattr(instance, "_import_row_result", None)
            if row_result is not None:
                row_result.object_id = instance.pk
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.attribute and not field.readonly:
                linked = [i for i in batch if field.attribute in getattr(i, "_import_m2m", {})]
                if linked:
                    self.write_links(model._meta.get_field(field.attribute), field, linked, created, now)
        rows_written.send(model, instances=batch, using=using)  # what others derive from them
        self.write_history(model, batch, "+" if created else "~", now)
        self.data_changed(using)

    def write_links(self, m2m, field, batch, created, now):
        """What ``set()`` (or ``add()`` for an m2m_add field) does for each record, and the
        history of a through model of its own for the links added (set() writes none)."""
        using = self.get_db_connection_name()
        through = m2m.remote_field.through
        source_fk = through._meta.get_field(m2m.m2m_field_name())
        target_fk = through._meta.get_field(m2m.m2m_reverse_field_name())
        source, target = source_fk.attname, target_fk.attname
        existing = defaultdict(dict)
        if not created:
            owners = [getattr(i, source_fk.target_field.attname) for i in batch]
            for chunk in chunked(owners):
                for pk, owner, linked in (through._base_manager.using(using)
                                          .filter(**{f"{source}__in": chunk})
                                          .values_list("pk", source, target)):
                    existing[owner][linked] = pk
        added, removed = [], []
        for instance in batch:
            owner = getattr(instance, source_fk.target_field.attname)
            wanted = list(dict.fromkeys(getattr(r, target_fk.target_field.attname)
                                        for r in instance._import_m2m[field.attribute]))
            have = existing.get(owner, {})
            added += [(owner, t) for t in wanted if t not in have]
            if not field.m2m_add:
                removed += [pk for t, pk in have.items() if t not in set(wanted)]
        for chunk in chunked(removed):
            # As set() does: a through model of its own sends its signals on removal, so its
            # history records it (the rows added get theirs below). The rows are read, as
            # QuerySet.delete() reads them, to date their history with the rest of the write;
            # Collector is what QuerySet.delete() uses (not in Django's documented API).
            links = list(through._default_manager.using(using).filter(pk__in=chunk))
            for link in links:
                link._history_date = now
            collector = Collector(using=using)
            collector.collect(links)
            collector.delete()
        # The other fields of a through model of its own take their defaults, as in add().
        others = [f for f in through._meta.concrete_fields
                  if f not in (through._meta.pk, source_fk, target_fk) and not f.generated]
        historied = links_have_history(through)  # then the new rows' keys are needed
        if through._meta.pk.db_returning and not any(
                getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in others):
            columns = [source_fk, target_fk, *others]
            rows = [(o, t, *[f.get_default() for f in others]) for o, t in added]
            keys = insert_rows(through, columns, rows, using, returning=historied)
            links = [through(pk=k, **{f.attname: v for f, v in zip(columns, row)})
                     for k, row in zip(keys, rows)]
        else:
            links = [through(**{source: o, target: t}) for o, t in added]
            insert_instances(through, links, using, returning=historied)
        if historied:
            self.write_history(through, links, "+", now)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """Row by row, links through a model with a history of its own are written as a
        batch write does (write_links), so the links added get history too."""
        if is_m2m and not field.readonly and field.attribute in getattr(instance, "_import_m2m", {}):
            m2m = instance._meta.get_field(field.attribute)
            if links_have_history(m2m.remote_field.through):
                self.write_links(m2m, field, [instance], False, timezone.now())
                self.data_changed(self.get_db_connection_name())
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def write_history(self, model, instances, history_type, now):
        """simple-history's entries for records written without save(), each with the
        many-to-many links the history tracks, as they are after the write."""
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if not attribute or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        using = self.get_db_connection_name()
        history_model = getattr(model, attribute).model
        instances = [i for i in instances if not hasattr(i, "skip_history_when_saving")]
        entries = []
        for instance in instances:
            entry = {
                "history_date": getattr(instance, "_history_date", now),
                "history_type": history_type,
                "history_user": history_model.get_default_history_user(instance),
                "history_change_reason": get_change_reason_from_object(instance),
                **{f.attname: getattr(instance, f.attname) for f in history_model.tracked_fields},
            }
            if hasattr(history_model, "history_relation"):
                entry["history_relation_id"] = instance.pk
            entries.append(entry)
        if not entries:
            return
        tracked = getattr(history_model, "_history_m2m_fields", ())
        keys = self.insert_entries(history_model, entries, using, returning=bool(tracked))
        for m2m in tracked:
            links_model = getattr(history_model, m2m.name).model
            through = m2m.remote_field.through
            source = through._meta.get_field(get_m2m_field_name(m2m)).attname
            columns = [f.attname for f in through._meta.concrete_fields]
            at = columns.index(source)
            links = defaultdict(list)
            for chunk in chunked([i.pk for i in instances]):
                for link in (through._base_manager.using(using).filter(**{f"{source}__in": chunk})
                             .values_list(*columns)):
                    links[link[at]].append(link)
            fields = [links_model._meta.get_field(c) for c in columns]
            fields.append(links_model._meta.get_field("history"))
            insert_rows(links_model, fields, [
                (*link, key) for instance, key in zip(instances, keys)
                for link in links[instance.pk]], using)

    @staticmethod
    def insert_entries(history_model, entries, using, returning):
        """Insert history entries given as the history model's keyword arguments; their new
        keys in order when ``returning``. Rows are written from the values as Model() would
        set them, without making a history object for each first (a quarter of the history's
        writing time: 0.75 → 0.55 processor seconds for 5,000 meetings)."""
        meta = history_model._meta
        fields = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
        if not (meta.pk.db_returning and connections[using].features.can_return_rows_from_bulk_insert) \
                or any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields):
            made = [history_model(**entry) for entry in entries]
            insert_instances(history_model, made, using, returning=returning)
            return [entry.pk for entry in made]
        rows, missing = [], object()
        for entry in entries:
            row = []
            for field in fields:
                value = entry.get(field.attname, entry.get(field.name, missing))
                if value is missing:
                    value = field.get_default()
                elif field.is_relation and isinstance(value, models.Model):
                    value = value.pk  # what Model() sets from a related object
                row.append(value)
            rows.append(row)
        return insert_rows(history_model, fields, rows, using, returning=returning)

    @staticmethod
    def data_changed(using):
        """Writes without signals tell the public pages' cached counts themselves."""
        try:
            from defrel.stamp import bump_on_commit
        except ImportError:  # pragma: no cover - before the stamp existed
            return
        bump_on_commit(using)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class SourceResource(CuratedResource):
    class Meta(CuratedResource.Meta):
        model = Source
        import_id_fields = ["key"]
        fields = ["key", "title_ja", "title_en", "publisher_ja", "publisher_en", "date", "url", "filename",
                  "version"]
        export_order = fields

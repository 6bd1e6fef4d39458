"""The base of every import/export resource: natural keys, all-or-nothing imports and
spreadsheet-safe exports."""
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources, widgets

from defrel import save_effects, search_index
from defrel.exports import escape_formula
from defrel.imports import files, preview, validation
from defrel.imports.batches import BatchWriter, links_have_history  # noqa: F401 - named by tests
from defrel.imports.history import has_history, write_history
from defrel.imports.originals import copy_cheaply
from defrel.imports.readahead import NOT_READ, PrefetchedInstanceLoader, ReadAhead
from defrel.imports.versions import RowVersions, VersionField, remember
from defrel.imports.widgets import (  # noqa: F401 - the apps' resources
    SEPARATOR, KeysWidget, KeyWidget, LinesWidget, WholeNumberWidget)
from defrel.models import Dated, Source, Versioned
from defrel.stamp import bump_on_commit
from defrel.uploads import FileRefused


def bulk_writable(model):
    """Whether writing the model without save() loses nothing: no save() but Model's,
    Versioned's (its counter) and Dated's (its bounds), which the batch writer repeats."""
    known = {models.Model, Versioned, Dated}
    return all(cls in known for cls in model.__mro__
               if "save" in cls.__dict__ or "save_base" in cls.__dict__)


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


class CuratedResource(resources.ModelResource):
    """Imports write every row or none, and say which row and column was wrong.

    Hostile input: every cell is stored as plain text (HTML such as ``<script>`` included) and
    escaped wherever it is shown, the admin's preview and messages too; a cell starting with
    ``=``, ``+``, ``-`` or ``@`` is text, never evaluated, and exports escape it. A row whose key
    names an existing record may update that record but not move it to another parent (an
    official or position to another country), and a key differing from an existing one only
    in letter case is refused rather than made a near-duplicate.

    The resource owns three helpers, each kept for a measured need (bench/NOTES.md): the
    file checks (defrel.imports.files), the read-ahead of the records a file names
    (defrel.imports.readahead) and, with ``use_bulk`` in Meta (and ``batch_size = None``), the
    batch writer of records, links and history once every row is valid
    (defrel.imports.batches). Rows are checked by the model's own full_clean(); check
    constraints are the database's.
    """

    required_m2m = ()  # many-to-many columns that may not be empty
    # Columns a file may leave out: the model derives them when they are not given (a name's
    # reading), so a file made before they existed still imports, and an existing record
    # keeps its value.
    optional_columns = ()
    # Exported by the resources that list "version" in their fields (their models are
    # Versioned); an update row must carry the record's current one (defrel.imports.versions).
    version = VersionField()
    # Every whole-number column refuses a fraction (WholeNumberWidget).
    WIDGETS_MAP = {**resources.ModelResource.WIDGETS_MAP, **{
        name: WholeNumberWidget for name, widget in resources.ModelResource.WIDGETS_MAP.items()
        if widget is widgets.IntegerWidget}}

    class Meta:
        abstract = True
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        use_bulk = False
        instance_loader_class = PrefetchedInstanceLoader

    read_ahead_state = None  # the running import's ReadAhead
    effects_of = None  # once its rows are written, what they changed elsewhere (save_effects)
    versions = None  # the running import's check of row versions (RowVersions)
    show_diff = True  # whether rows get the preview's diff (see UnshownDiff) …
    row_number = None  # … if they are among the rows it shows (defrel.imports.preview)
    saving = None  # the instance import_row is saving

    @classmethod
    def get_display_name(cls):
        """How the admin's import and export pages name the resource (import-export's
        default is the class's name): as the records it holds are named, translated."""
        return cls._meta.model._meta.verbose_name_plural

    def import_data(self, dataset, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        if self._meta.use_bulk and not bulk_writable(self._meta.model):
            raise ImproperlyConfigured(f"{self._meta.model.__name__}.save() does more than a bulk "
                                       f"import repeats; set use_bulk = False")
        try:
            files.check_file(self, dataset)
        except FileRefused as refusal:
            # Refused before any row is read, so the editor sees one reason, not one per row.
            return files.refused_result(self, dataset, refusal)
        self.show_diff = bool(kwargs.get("dry_run"))
        self.versions = RowVersions(kwargs.pop("stale_rows", None), dry_run=bool(kwargs.get("dry_run")))
        try:
            result = super().import_data(dataset, **kwargs)
            result.stale_rows = self.versions.flagged  # rows a preview let through
            if self.show_diff:
                result.preview = preview.Preview(result)
            written = self.writes and not (result.has_errors() or result.has_validation_errors())
            result.effects = self.effects_of() if written and self.effects_of else []
            return result
        finally:
            if self.read_ahead_state is not None:
                self.read_ahead_state.forget()
            self.read_ahead_state, self.versions, self.show_diff, self.effects_of = None, None, True, None

    def import_data_inner(self, dataset, *args, **kwargs):
        # Inside the import's transaction (import_data opens it), around every row's write.
        with search_index.written_in_bulk(self.get_db_connection_name()):
            return super().import_data_inner(dataset, *args, **kwargs)

    @property
    def writes(self):
        """Whether the running import writes: not a preview (the one that shows the diff)."""
        return not self.show_diff

    def importable_columns(self):
        return files.importable_columns(self)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.read_ahead(dataset)
        if self.writes:  # the import writes: what its rows change elsewhere (the titles
            # at the time a tenure gives), read before the first row, told as a save tells it
            self.effects_of = save_effects.watch(self._meta.model, self.written_records())

    def written_records(self):
        """The records the file's rows may change, as stored before the import: those its keys
        name that exist (a new record changes nothing derived from it before)."""
        return list(self.read_ahead_state.instances.values())

    def read_ahead(self, dataset):
        """Read the records the file names, a query per CHUNK keys (defrel.imports.readahead)."""
        self.read_ahead_state = ReadAhead(self).read(dataset)

    def read_ahead_instance(self, row):
        if self.read_ahead_state is None:
            return NOT_READ
        return self.read_ahead_state.instance(row)

    # --- rows ---------------------------------------------------------------------------------

    def before_import_row(self, row, **kwargs):
        files.clean_row(row)

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
        fields = self.__dict__.get("import_fields")
        if fields is None:
            fields = self.import_fields = super().get_import_fields()
        return fields

    def get_diff_class(self):
        return PendingDiff if self.show_diff and preview.shown(self.row_number) else UnshownDiff

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
        errors = dict(import_validation_errors or {})
        if self.versions is not None:  # a row that would undo a newer edit (skipped rows never do)
            errors.update(self.versions.check(self, instance))
        beyond = validation.beyond_the_calendar(instance)
        if beyond:
            # full_clean() would raise ValueError on these bounds: report the date alone.
            raise ValidationError({**errors, "date": [beyond]})
        try:
            if self._meta.clean_model_instances:
                self.full_clean(instance, set(errors), validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for attribute, messages in self.check_against_others(instance, errors).items():
            errors.setdefault(attribute, []).extend(messages)
        if errors:
            error = validation.naming_accepted_values(instance, ValidationError(errors))
            raise validation.without_bound_repeats(instance, error) from None

    def check_against_others(self, instance, errors):
        """The row's errors (attribute → messages) under rules that look at other records
        than its own, read once for the file (before_import), never a query a row. ``errors``
        are those found so far."""
        return {}

    def full_clean(self, instance, exclude, validate_unique=True):
        """The model's full_clean(); a batch import asks the database only what the
        read-ahead did not answer, and leaves check constraints to its INSERT."""
        if self._meta.use_bulk and self.read_ahead_state is not None:
            validation.full_clean(instance, exclude, validate_unique, self.read_ahead_state)
        else:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)

    def parent_fields(self):
        return validation.parent_fields(self)

    def key_text(self, instance):
        return validation.key_text(self, instance)

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
        for attribute, message in validation.check_clashes(self, instance, self.read_ahead_state).items():
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
        self.saving = None
        self.row_number = kwargs.get("row_number")  # whether the preview shows its diff
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self.saving is not None and self._meta.use_bulk:
            self.saving._import_row_result = row_result  # its object_id once written
        if self.saving is not None and self.versions is not None:
            self.versions.flag(self.saving, row_result)  # a valid row whose record changed
        self.saving = None
        return row_result

    def save_instance(self, instance, is_create, row, **kwargs):
        instance._import_row = (kwargs.get("row_number"), row)
        instance._import_version = getattr(instance, "version", None)
        self.saving = instance
        if self.read_ahead_state is not None:
            self.read_ahead_state.wrote(instance)
        if not self._meta.use_bulk and has_history(type(instance)):
            # Row by row, the record's history entry waits for its links (save_m2m):
            # simple-history would write one at the save, with the links as they were, then
            # one more as they are set; a batch writes one already (BatchWriter.write).
            instance.skip_history_when_saving = True
            instance._import_history = "+" if is_create else "~"
        super().save_instance(instance, is_create, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        kind = instance.__dict__.pop("_import_history", None)
        if kind is not None:
            del instance.skip_history_when_saving
            if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):  # written
                write_history(type(instance), [instance], kind, timezone.now(), instance._state.db)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.flush(self.create_instances, True, using_transactions, dry_run, raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.flush(self.update_instances, False, using_transactions, dry_run, raise_errors, result)

    def flush(self, queue, created, using_transactions, dry_run, raise_errors, result):
        batch = list(queue)
        queue.clear()
        if batch and (using_transactions or not dry_run):
            BatchWriter(self).flush(batch, created, result, raise_errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """Row by row, links through a model with a history of its own are written as a
        batch write does, so the links added get history too."""
        if is_m2m and not field.readonly and field.attribute in getattr(instance, "_import_m2m", {}):
            m2m = instance._meta.get_field(field.attribute)
            if links_have_history(m2m.remote_field.through):
                writer = BatchWriter(self)
                writer.write_links(m2m, field, [instance], False, timezone.now())
                bump_on_commit(writer.using)
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))


class SourceResource(CuratedResource):
    class Meta(CuratedResource.Meta):
        model = Source
        import_id_fields = ["key"]
        fields = ["key", "title_ja", "title_en", "publisher_ja", "publisher_en", "date", "url", "filename",
                  "version"]
        export_order = fields

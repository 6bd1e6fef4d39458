"""Writing a validated file in batches: the records, their many-to-many links and their history,
as save(), set() and simple-history would write them one by one, in a few statements a
batch. Row by row, a 10,000-meeting import ran at a tenth of the speed (bench/NOTES.md).

Nothing is written until every row is valid. A batch the database refuses (a check constraint,
a key taken meanwhile) is written again row by row inside savepoints to name the row; an
updated record changed by someone else since it was read is that row's error, not
overwritten."""
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.exceptions import ImportError as ImportExportError
from import_export.results import RowResult

from defrel.imports.history import write_history
from defrel.imports.inserts import insert_instances
from defrel.imports.readahead import chunked
from defrel.imports.validation import explain_refusal
from defrel.models import Dated, Versioned, bump_parents, rows_written
from defrel.queries import among
from defrel.stamp import bump_on_commit


def links_have_history(through):
    """Whether a many-to-many field's through model keeps a history of its own (simple-history
    writes none for rows that set() or add() insert: they send no signal)."""
    return bool(getattr(through._meta, "simple_history_manager_attribute", None))


class RecordChanged(Exception):
    """Records changed or deleted by someone else between reading and writing them."""

    def __init__(self, instances):
        super().__init__(f"{len(instances)} records changed meanwhile")
        self.instances = instances


class BatchWriter:
    """The resource's writer of queued rows (CuratedResource.bulk_create / bulk_update)."""

    chunk = 1000  # rows a batch

    def __init__(self, resource):
        self.resource = resource
        self.model = resource._meta.model
        self.using = resource.get_db_connection_name()

    def flush(self, batch, created, result, raise_errors):
        """Write the rows queued, a chunk at a time, unless a row was wrong: then the import
        is rolled back (import_data sees to it), and writing the others is wasted."""
        for chunk in chunked(batch, self.chunk):
            if result is not None and (result.has_errors() or result.has_validation_errors()):
                return
            self.flush_chunk(chunk, created, result, raise_errors)

    def flush_chunk(self, batch, created, result, raise_errors):
        """Write a batch; if the database refuses it, find the rows it refuses and make
        them the rows' errors, so the editor hears which (and the import is rolled back)."""
        try:
            with transaction.atomic(using=self.using):
                self.write(batch, created)
        except RecordChanged as changed:
            self.forget_write(batch, created)
            for instance, error in self.changed_errors(changed.instances):
                self.row_failed(instance, result, error, raise_errors)
        except Exception as error:  # noqa: BLE001 - made a row's error, and rolled back
            self.forget_write(batch, created)
            blamed = False
            for instance in batch:
                try:
                    with transaction.atomic(using=self.using):
                        self.write([instance], created)
                except Exception as row_error:  # noqa: BLE001 - as above
                    self.forget_write([instance], created)
                    explained = explain_refusal(instance, self.columns())
                    blamed = self.row_failed(instance, result, explained or row_error, raise_errors)
            if not blamed:
                self.resource.handle_import_error(result, error, raise_errors)

    def columns(self):
        return {f.attribute for f in self.resource.get_import_fields() if f.attribute and not f.readonly}

    def changed_errors(self, instances):
        """The errors of rows whose records someone else saved after they were read."""
        versioned = issubclass(self.model, Versioned)
        now = dict(self.model._base_manager.using(self.using).filter(among([i.pk for i in instances]))
                   .values_list("pk", "version" if versioned else "pk"))
        column = self.resource.fields[self.resource.get_import_id_fields()[0]].attribute
        for instance in instances:
            # The admin form's words for the same thing (a record saved after it was read).
            message = _("Someone else saved this record after you opened it (your version %(seen)s, "
                        "now %(current)s). Nothing was saved: open the record again to see their "
                        "changes, then make yours.") % {
                "seen": getattr(instance, "_import_version", None) or "—",
                "current": now.get(instance.pk, "—") if versioned else "—"}
            yield instance, ValidationError({column: [f"{self.resource.key_text(instance)}: {message}"]})

    def row_failed(self, instance, result, error, raise_errors):
        """A row found wrong when its batch was written: the row's result says so (so
        result.has_errors() or has_validation_errors() is true and the import rolls back)."""
        number, row = instance._import_row
        row_result = getattr(instance, "_import_row_result", None)
        if row_result is None:
            self.resource.handle_import_error(result, error, raise_errors)
            return True
        result.totals[row_result.import_type] -= 1
        if isinstance(error, ValidationError):
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
            result.append_invalid_row(number, row, error)
        else:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            failure = self.resource.get_error_result_class()(error, row=row, number=number)
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

    # --- one batch ------------------------------------------------------------------------------

    def write(self, batch, created):
        """Write records as save() and the many-to-many fields' set() would, and their
        history as simple-history would (one entry per record, with its links)."""
        now = timezone.now()
        for instance in batch:
            if isinstance(instance, Dated):
                instance.fill_date_bounds()
            if isinstance(instance, Versioned) and not created:
                instance.version = instance._import_version + 1
        if created:
            insert_instances(self.model, batch, self.using)
        else:
            self.update(batch)
        bump_parents(batch, self.using)  # as a save() of each would (inline rows' parents)
        for instance in batch:
            instance._state.adding, instance._state.db = False, self.using
            if isinstance(instance, Dated):
                instance._saved_date = instance.date
            row_result = getattr(instance, "_import_row_result", None)
            if row_result is not None:
                row_result.object_id = instance.pk
        for field in self.resource.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.attribute and not field.readonly:
                linked = [i for i in batch if field.attribute in getattr(i, "_import_m2m", {})]
                if linked:
                    self.write_links(self.model._meta.get_field(field.attribute), field, linked, created, now)
        rows_written.send(self.model, instances=batch, using=self.using)  # what others derive from them
        write_history(self.model, batch, "+" if created else "~", now, self.using)
        bump_on_commit(self.using)  # writes without signals tell the public pages' cached counts

    def update(self, batch):
        """One UPDATE a record, only if it is still at the version read (else RecordChanged)."""
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        manager = self.model._base_manager.using(self.using)
        changed = []
        for instance in batch:
            records = manager.filter(pk=instance.pk)
            if isinstance(instance, Versioned):  # unchanged since it was read
                records = records.filter(version=instance._import_version)
            if not records.update(**{f.attname: getattr(instance, f.attname) for f in fields}):
                changed.append(instance)
        if changed:
            raise RecordChanged(changed)

    def write_links(self, m2m, field, batch, created, now):
        """What ``set()`` (or ``add()`` for an m2m_add field) does for each record, and the
        history of a through model of its own (participations) for the links added."""
        through = m2m.remote_field.through
        source_fk = through._meta.get_field(m2m.m2m_field_name())
        target_fk = through._meta.get_field(m2m.m2m_reverse_field_name())
        source, target = source_fk.attname, target_fk.attname
        existing = defaultdict(dict)
        if not created:
            owners = [getattr(i, source_fk.target_field.attname) for i in batch]
            for chunk in chunked(owners):
                for pk, owner, linked in (through._base_manager.using(self.using)
                                          .filter(among(chunk, source)).values_list("pk", source, target)):
                    existing[owner][linked] = pk
        added, removed = [], []
        for instance in batch:
            owner = getattr(instance, source_fk.target_field.attname)
            wanted = list(dict.fromkeys(getattr(r, target_fk.target_field.attname)
                                        for r in instance._import_m2m[field.attribute]))
            have = existing.get(owner, {})
            added += [through(**{source: owner, target: t}) for t in wanted if t not in have]
            if not field.m2m_add:
                removed += [pk for t, pk in have.items() if t not in set(wanted)]
        self.remove_links(through, removed, now)
        # The links (participations included) are written here, for every many-to-many field
        # of the batch; their other fields take their defaults, as in add().
        insert_instances(through, added, self.using)
        if links_have_history(through):
            write_history(through, added, "+", now, self.using)

    def remove_links(self, through, pks, now):
        """As set() removes links: a through model of its own sends its signals, so its
        history records the removal, dated with the rest of the write. Collector is what
        QuerySet.delete() uses; it is called here to hand it the links with that date."""
        for chunk in chunked(pks):
            links = list(through._default_manager.using(self.using).filter(among(chunk)))
            for link in links:
                link._history_date = now  # simple-history's documented way to date an entry
            collector = Collector(using=self.using)
            collector.collect(links)
            collector.delete()

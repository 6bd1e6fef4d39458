"""The editorial admin's forms: a record's form that refuses to save over a newer version, the
import form that refuses an oversized file, the export form's columns, and the posted rows of
an inline."""
from collections import defaultdict

from django import forms
from django.forms.models import BaseInlineFormSet, BaseModelFormSet
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.forms import ImportForm, SelectableFieldsExportForm
from simple_history.utils import get_m2m_reverse_field_name

from defrel.admin_input import labelled_from_instance
from defrel.changes import written_since
from defrel.models import letter_case_clash, letter_case_twin
from defrel.uploads import too_large


class CappedImportForm(ImportForm):
    """Refuses an oversized file before anything parses it (an XLSX is a zip that can expand)."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.DEFREL_IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_large(upload.size))
        return upload


class VersionCheckedForm(forms.ModelForm):
    """Carries the version the editor opened; saving over a newer one is refused, and so is
    a save that does not say which version it was opened at (only a new record needs none).
    The version changes with the record's inline rows too (defrel.models.InlineRow), however
    they were written, so the old rows on the page cannot be saved back over newer ones.
    Offering a version from the history to revert to, it shows that version's links too."""

    # For a row read with the record it belongs to (a participant): the foreign key to that
    # record, whose version guards the row, as on that record's page.
    guarded_by = None

    seen_version = forms.IntegerField(label=gettext_lazy("version opened"), widget=forms.HiddenInput,
                                      required=False)
    # When the page was drawn: only to list what others changed since (see defrel.changes).
    seen_at = forms.CharField(label=gettext_lazy("opened at"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.opened_version()
            self.fields["seen_at"].initial = timezone.now().isoformat()
        entry = getattr(self.instance, "_history", None)  # simple-history's revert form
        if entry is not None:
            # The record it rebuilds from the entry (entry.instance) reads its links from the
            # live tables: the form showed, and saved back, today's partners over the version's
            # own. simple-history's view has no hook for the form's initial values; this is it.
            self.initial.update(recorded_links(entry))

    @cached_property
    def changed_data(self):
        # The version and the time the page was drawn check the save; they change nothing of
        # the record's (the admin's log listed "seen_at" as changed on every save).
        return [name for name in super().changed_data if name not in ("seen_version", "seen_at")]

    def guarded(self):
        """The record whose version is checked: the form's own, or the one ``guarded_by`` names."""
        return self.instance if self.guarded_by is None else getattr(self.instance, self.guarded_by)

    def refuse_letter_case_twin(self, cleaned):
        """A natural key of the record's own (a code, slug or key) typed as an existing one
        in other letter case (“au” beside “AU”) is refused, as an import refuses it."""
        names = getattr(self.instance, "natural_key_fields", ())
        if len(names) != 1 or names[0] not in self.changed_data or not cleaned.get(names[0]):
            return
        value = cleaned[names[0]]
        other = letter_case_twin(type(self.instance), names[0], value, other_than=self.instance.pk)
        if other is not None:
            self.add_error(names[0], letter_case_clash(value, other))

    def opened_version(self):
        """The version the page shows the editor. An older version offered for reverting
        (simple-history's form, on an instance rebuilt from history) is to be saved over the
        record as it is now: its version is the live one."""
        record = self.guarded()
        if record is self.instance and getattr(self.instance, "_history", None) is not None:
            return self.live_versions().first()  # None: the record was deleted (see clean)
        return record.version

    def live_versions(self):
        record = self.guarded()
        return type(record)._default_manager.filter(pk=record.pk).values_list("version", flat=True)

    def opened_at(self):
        try:
            return parse_datetime(self.cleaned_data.get("seen_at") or "")
        except ValueError:  # well-formed but impossible: as if absent
            return None

    def clean(self):
        cleaned = super().clean()
        self.refuse_letter_case_twin(cleaned)
        if self.instance._state.adding or self.instance.pk is None:
            return cleaned
        seen = cleaned.get("seen_version")
        reverting = getattr(self.instance, "_history", None) is not None
        if reverting and seen is None and not self.live_versions().exists():
            return cleaned  # a deleted record restored from its history: nothing to overwrite
        if seen is None:
            raise forms.ValidationError(
                _("This form does not say which version of the record it was opened at, so saving "
                  "it could undo someone else's changes. Nothing was saved: open the record again "
                  "and make your changes there."), code="no_version")
        # The admin saves inside a transaction: the row stays locked until it commits
        # (PostgreSQL), and SQLite's immediate transactions serialise writers anyway. Inline
        # rows written elsewhere lock it too, before they are written (InlineRow).
        current = self.live_versions().select_for_update().first()
        if current is None:
            raise forms.ValidationError(
                _("Someone else deleted this record after you opened it. Nothing was saved."),
                code="deleted")
        if current != seen:
            changes = written_since(self.guarded(), version=seen, opened=self.opened_at())
            raise forms.ValidationError([
                _("Someone else saved this record after you opened it (your version %(seen)s, "
                  "now %(current)s). Nothing was saved: open the record again to see their "
                  "changes, then make yours.") % {"seen": seen, "current": current},
                *changes,
            ], code="stale")
        self.guarded().version = current  # saved as current + 1 (a revert too: see opened_version)
        return cleaned


def recorded_links(entry):
    """The many-to-many links a history ``entry`` recorded (its history's ``m2m_fields``), by
    field name, as a form's initial values; links the history does not track are left out, and
    the form shows them as they are now."""
    links = {}
    for field in getattr(entry, "_history_m2m_fields", ()):  # simple-history's name for them
        copies = getattr(entry, field.name)  # this entry's copies of the through table's rows
        target = copies.model._meta.get_field(get_m2m_reverse_field_name(field))
        links[field.name] = list(copies.values_list(target.attname, flat=True))
    return links


def field_name(model, path):
    """The names, as forms give them, of the fields along ``path`` (position__title_ja: "title
    at the time: title (Japanese)"); None where a step is no model field."""
    names = []
    for step in path.split("__"):
        try:
            field = model._meta.get_field(step)
        except FieldDoesNotExist:
            return None
        names.append(str(field.verbose_name))
        model = field.related_model
    return ": ".join(names)


class ColumnsExportForm(SelectableFieldsExportForm):
    """import-export's export form, keeping a ticked column named like one of its own fields:
    it reads a meeting's "format" column back as the file format, and drops the column.
    Each column is labelled as the file names it, with its field's name in the editor's
    language beside it (the library's label is the English name title-cased)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        for resource in resources:
            fields, model = resource().fields, resource._meta.model
            labels = getattr(resource, "column_labels", {})  # columns with no model field
            for name in resource().get_export_order():
                column = fields[name].column_name
                named = labels.get(name) or field_name(model, fields[name].attribute or name)
                label = _("%(column)s (%(name)s)") % {"column": column, "name": named} if named else column
                self.fields[self.create_boolean_field_name(resource, name)].label = label

    def get_selected_resource_export_fields(self):
        order = self.get_selected_resource()().get_export_order()
        return [name for name in order if name in self._selected_resource_fields]

    def _validate_any_field_selected(self, resource):
        # The columns checked for are the ones exported (above): the library looks for a
        # ticked one among the cleaned values by name, where a meeting's "format" column is
        # the file's format ("0", never empty), and a meeting export with no column ticked
        # went out with every column. Its words, as the library gives them.
        if not self.get_selected_resource_export_fields():
            raise forms.ValidationError(_('Select at least 1 field for "%(resource_name)s" to export'),
                                        code="invalid", params={"resource_name": resource.get_display_name()})


class InlineRowsFormSet(BaseInlineFormSet):
    """An inline's rows, whose duplicates are named by their fields' names as the form shows
    them ("kind と date の重複…" named the database's columns), and whose autocomplete fields
    draw the records the rows were read with (defrel.admin_input.labelled_from_instance)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        labelled_from_instance(form)

    def get_unique_error_message(self, unique_check):
        shown = [str(self.model._meta.get_field(name).verbose_name) for name in unique_check
                 if name != self.fk.name]
        return BaseModelFormSet.get_unique_error_message(self, shown)


def without_saved_rows(data, prefix, pk_name="id"):
    """An inline's posted ``data`` (a formset's own copy) without the rows of saved records,
    those that post their id, the others numbered again from 0; and the ids left out. "Save
    as new" posts the original's rows with their ids, and would copy each to the new record."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        return data, []  # the formset refuses its management form itself
    rows, start = defaultdict(dict), f"{prefix}-"
    for key in list(data):
        index, dash, name = key.removeprefix(start).partition("-")
        if key.startswith(start) and dash and index.isdecimal():
            rows[int(index)][name] = data.pop(key)
    rows = [rows[i] for i in sorted(rows) if i < total]  # Django reads no row past the total
    saved, kept = [], []
    for row in rows:
        pk = next(filter(None, row.get(pk_name, [])), None)
        if pk:
            saved.append(pk)
        else:
            kept.append(row)
    for index, row in enumerate(kept):
        for name, values in row.items():
            data.setlist(f"{start}{index}-{name}", values)
    data[f"{prefix}-TOTAL_FORMS"], data[f"{prefix}-INITIAL_FORMS"] = str(len(kept)), "0"
    return data, saved

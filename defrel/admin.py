"""The base of every editorial admin: import/export with a preview, history, capped uploads."""
import logging
import os

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.base import ContentFile
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import TempFolderStorage
from simple_history.admin import SimpleHistoryAdmin

from defrel.models import Source
from defrel.resources import SourceResource
from defrel.uploads import CheckedCSV, CheckedJSON, CheckedXLSX, FileRefused, decode_text, not_text

logger = logging.getLogger(__name__)


def too_large(size):
    return _("The file is %(size)s; imports are limited to %(cap)s. Split it into smaller files.") % {
        "size": filesizeformat(size), "cap": filesizeformat(settings.DEFREL_IMPORT_MAX_BYTES)}


class CappedImportForm(ImportForm):
    """Refuses an oversized file before anything parses it (an XLSX is a zip that can expand)."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.DEFREL_IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_large(upload.size))
        return upload


class CappedTempStorage(TempFolderStorage):
    """The confirm step reads the file back by a name the browser posts: cap that read too."""

    def read(self):
        size = os.path.getsize(self.get_full_path())
        if size > settings.DEFREL_IMPORT_MAX_BYTES:
            raise FileRefused(too_large(size))
        return super().read()


class VersionCheckedForm(forms.ModelForm):
    """Carries the version the editor opened; saving over a newer one is refused."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None:
            # The admin saves inside a transaction: the row stays locked until it commits
            # (PostgreSQL), and SQLite's immediate transactions serialise writers anyway.
            current = (
                type(self.instance)._default_manager.select_for_update()
                .filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )
            if current is not None and current != seen:
                raise forms.ValidationError(
                    _("Someone else saved this record after you opened it (your version %(seen)s, "
                      "now %(current)s). Nothing was saved: open the record again to see their "
                      "changes, then make yours.") % {"seen": seen, "current": current},
                    code="stale",
                )
        return cleaned


class ColumnsExportForm(SelectableFieldsExportForm):
    """import-export's export form, keeping a ticked column named like one of its own fields:
    it reads a meeting's "format" column back as the file format, and drops the column."""

    def get_selected_resource_export_fields(self):
        order = self.get_selected_resource()().get_export_order()
        return [name for name in order if name in self._selected_resource_fields]


class EditorialAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import (preview first, then all or nothing), export, change history and protection
    against lost updates."""

    form = VersionCheckedForm

    import_form_class = CappedImportForm
    export_form_class = ColumnsExportForm
    formats = [CSV, XLSX, JSON]
    # Same choices, read defensively (encodings, delimiters, zip bombs, XML entities, formulas).
    import_formats = [CheckedCSV, CheckedXLSX, CheckedJSON]
    tmp_storage_class = CappedTempStorage
    # Counts and the first rows, not every row's diff (defrel.imports.preview).
    import_template_name = "admin/import_export/import_preview.html"
    show_full_result_count = False
    list_per_page = 50

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not issubclass(self.form, VersionCheckedForm):
            return fieldsets
        listed = {f for _, opts in fieldsets for row in opts["fields"]
                  for f in (row if isinstance(row, (list, tuple)) else [row])}
        if "seen_version" not in listed:
            fieldsets = [*fieldsets, (None, {"fields": ["seen_version"], "classes": ["hidden"]})]
        return fieldsets

    def write_to_tmp_storage(self, import_file, input_format):
        """Store text as UTF-8 whatever it came in (Japanese Excel writes Shift_JIS), so both
        steps read it alike; undecodable bytes are stored as they are and refused on reading."""
        if not input_format.is_binary():
            try:
                text, import_file.detected_encoding = decode_text(b"".join(import_file.chunks()))
            except FileRefused:
                pass
            else:
                return super().write_to_tmp_storage(ContentFile(text.encode("utf-8")), input_format)
        return super().write_to_tmp_storage(import_file, input_format)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        upload = getattr(form, "cleaned_data", {}).get("import_file")
        if getattr(upload, "detected_encoding", None) == "cp932":
            messages.warning(request, _("The file was read as Shift_JIS (Japanese Excel’s “CSV”). "
                                        "Check the Japanese text in the preview before confirming."))
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", self.read_failure(e))

    @staticmethod
    def read_failure(error):
        """What the editor is told when the file itself cannot be read."""
        if isinstance(error, FileRefused):
            return error.message
        if isinstance(error, UnicodeDecodeError):
            return not_text()
        if isinstance(error, FileNotFoundError):
            return _("The uploaded file is kept only between the preview and the confirmation, "
                     "and it is gone. Upload it again.")
        logger.warning("import file unreadable", exc_info=error)
        return _("The file could not be read (%(error)s). Check that the format chosen matches "
                 "the file.") % {"error": type(error).__name__}

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        # The confirm step reads the stored file again; a file gone, changed or unreadable is a
        # message and a way back, never a server error.
        try:
            return super().process_import(request, **kwargs)
        except Exception as error:  # noqa: BLE001 - the import ran in a rolled-back transaction
            if getattr(request, "import_finished", False):
                raise  # the rows were written: a failure after that is not "nothing imported"
            messages.error(request, self.read_failure(error))
            messages.error(request, _("Nothing was imported."))
            return HttpResponseRedirect(self.import_url())

    def import_url(self):
        return reverse("admin:%s_%s_import" % self.get_model_info(), current_app=self.admin_site.name)

    def process_result(self, result, request):
        # The confirm step re-runs the import; if the data changed since the preview and a
        # row now fails, everything was rolled back and the editor must hear so.
        if result.has_errors() or result.has_validation_errors():
            for message in self.describe_errors(result):
                messages.error(request, message)
            messages.error(request, _("Nothing was imported."))
            return HttpResponseRedirect(self.import_url())
        request.import_finished = True
        return super().process_result(result, request)

    @staticmethod
    def describe_errors(result):
        for error in result.base_errors:
            yield str(error.error)
        for number, errors in result.row_errors():
            for error in errors:
                yield _("Row %(line)s: %(error)s") % {"line": number, "error": error.error}
        for row in result.invalid_rows:
            for field, problems in row.field_specific_errors.items():
                yield _("Row %(line)s, column %(column)s: %(error)s") % {
                    "line": row.number, "column": field, "error": "; ".join(map(str, problems))}
            for problem in row.non_field_specific_errors:
                yield _("Row %(line)s: %(error)s") % {"line": row.number, "error": problem}


@admin.register(Source)
class SourceAdmin(EditorialAdmin):
    resource_classes = [SourceResource]
    list_display = ["key", "title_ja", "title_en", "date", "publisher_ja"]
    search_fields = ["key", "title_ja", "title_en"]

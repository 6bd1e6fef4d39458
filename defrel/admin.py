"""The base of every editorial admin: import/export with a preview, history, capped uploads."""
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from defrel.models import Source
from defrel.resources import SourceResource


class CappedImportForm(ImportForm):
    """Refuses an oversized file before anything parses it (an XLSX is a zip that can expand)."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > settings.DEFREL_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; imports are limited to %(cap)s. Split it into smaller files.")
                % {"size": filesizeformat(upload.size),
                   "cap": filesizeformat(settings.DEFREL_IMPORT_MAX_BYTES)}
            )
        return upload


class EditorialAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import (preview first, then all or nothing), export and change history."""

    import_form_class = CappedImportForm
    formats = [CSV, XLSX, JSON]  # XLSX is parsed with defusedxml installed
    show_full_result_count = False
    list_per_page = 50

    def process_result(self, result, request):
        # The confirm step re-runs the import; if the data changed since the preview and a
        # row now fails, everything was rolled back and the editor must hear so.
        if result.has_errors() or result.has_validation_errors():
            for line, error in self.describe_errors(result):
                messages.error(request, _("Row %(line)s: %(error)s") % {"line": line, "error": error})
            messages.error(request, _("Nothing was imported."))
            return HttpResponseRedirect(request.path.replace("process_import/", "import/"))
        return super().process_result(result, request)

    @staticmethod
    def describe_errors(result):
        for error in result.base_errors:
            yield "-", error.error
        for number, errors in result.row_errors():
            for error in errors:
                yield number, error.error
        for row in result.invalid_rows:
            for field, problems in row.field_specific_errors.items():
                yield row.number, f"{field}: {'; '.join(map(str, problems))}"
            for problem in row.non_field_specific_errors:
                yield row.number, problem


@admin.register(Source)
class SourceAdmin(EditorialAdmin):
    resource_classes = [SourceResource]
    list_display = ["key", "title_ja", "title_en", "date", "publisher_ja"]
    search_fields = ["key", "title_ja", "title_en"]

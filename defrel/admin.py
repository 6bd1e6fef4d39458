"""The base of every editorial admin: import/export with a preview, history, capped uploads."""
import logging
from contextlib import contextmanager

from csp.decorators import csp_update
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.files.base import ContentFile
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import router, transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.results import RowResult
from import_export.signals import post_import
from simple_history.admin import SimpleHistoryAdmin

from defrel.admin_forms import CappedImportForm, ColumnsExportForm, VersionCheckedForm
from defrel.admin_deleted import DeletedRecords
from defrel.admin_effects import SaveEffectsTold, told
from defrel.admin_deletes import VersionCheckedDeletes
from defrel.admin_history import InlineRowsInHistory, RevertsTold, VersionsReadOnly, field_names
from defrel.admin_input import CheckedInputAdmin
from defrel.exports import ExcelCSV
from defrel.imports import background, sealed, versions
from defrel.imports.forms import SealedConfirmForm
from defrel.imports.history import has_history, write_history
from defrel.models import Localised, Source, listed, localised, named_record
from defrel.resources import SourceResource
from defrel.restores import brought_back_with
from defrel.search_index import deferred
from defrel.uploads import (
    CheckedCSV, CheckedJSON, CheckedXLSX, FileRefused, decode_text, not_text,
)

logger = logging.getLogger(__name__)


# django-import-export's export page has an inline handler for its "select all" box,
# onchange="onSelectToggleChange(event)", and two inline styles. Those three (by their hashes)
# may run on that page; nothing else inline does ('unsafe-hashes' admits listed hashes only).
EXPORT_PAGE_CSP = csp_update({
    "script-src": ["'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
    "style-src": ["'unsafe-hashes'", "'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA='",  # padding: 0;
                  "'sha256-+YWRMZ88jMyO7jVlBA52tZADiPobPIUA8LAWee68Fvs='"],  # font-weight: bold;
})


# The import preview's diffs (diff-match-patch, through import-export) colour what a row adds
# and removes with two inline styles; those two may apply on the import pages, nothing else.
IMPORT_PAGE_CSP = csp_update({
    "style-src": ["'unsafe-hashes'", "'sha256-AFyijjilwBx8kC+SMDLzasw2VV9MWz1VYVQ8xIgdMlA='",  # background:#e6ffe6;
                  "'sha256-S0qL3AVCJ6EdYX2E0yOmH+5YvauOwNAxIl4pJ/0IUUg='"],  # background:#ffe6e6;
})


# The fields of a VersionCheckedForm that check a save against newer versions.
SEEN = ("seen_version", "seen_at")


def without_fields(fieldsets, names):
    """``fieldsets`` without the fields ``names``, and without a fieldset left empty."""
    kept = []
    for title, options in fieldsets:
        lines = [[name for name in line if name not in names] if isinstance(line, (list, tuple)) else line
                 for line in options["fields"] if line not in names]
        lines = [line for line in lines if line]
        if lines:
            kept.append((title, {**options, "fields": lines}))
    return kept


class EditorialAdmin(VersionCheckedDeletes, DeletedRecords, InlineRowsInHistory, RevertsTold, VersionsReadOnly,
                     SaveEffectsTold, CheckedInputAdmin, background.BackgroundImportMixin, ImportExportModelAdmin,
                     SimpleHistoryAdmin):
    """Import (preview first, then all or nothing; large files off the request), export, change
    history with the records deleted and what each save wrote to their inline rows, what a
    save changed in other records, and protection against lost updates."""

    form = VersionCheckedForm

    import_form_class = CappedImportForm
    confirm_form_class = SealedConfirmForm
    export_form_class = ColumnsExportForm
    formats = [CSV, XLSX, JSON]
    export_formats = [ExcelCSV, XLSX, JSON]
    # Same choices, read defensively (encodings, delimiters, zip bombs, XML entities, formulas).
    import_formats = [CheckedCSV, CheckedXLSX, CheckedJSON]
    tmp_storage_class = sealed.PendingImportStorage
    object_history_list_template = "admin/defrel/object_history_list.html"
    object_history_form_template = "admin/defrel/object_history_form.html"
    show_full_result_count = False
    list_per_page = 50

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not issubclass(self.form, VersionCheckedForm):
            return fieldsets
        if obj is not None and not self.has_change_permission(request, obj):
            # A reader's page has nothing to save: the version it was opened at checks a save.
            return without_fields(fieldsets, SEEN)
        listed = set(field_names(fieldsets))
        unlisted = [name for name in SEEN if name not in listed]
        if unlisted:
            fieldsets = [*fieldsets, (None, {"fields": unlisted, "classes": ["hidden"]})]
        return fieldsets

    @method_decorator(EXPORT_PAGE_CSP)
    def export_action(self, request):
        try:
            return super().export_action(request)
        except IncorrectLookupParameters as error:
            # The export reads the list's filters as the list does; the list sends a bad one
            # back to ?e=1, the export has no page to go back to.
            raise BadRequest(_("The export's filters cannot be read.")) from error

    @contextmanager
    def writing(self, request):
        """A posted form's writes in one transaction, and at its end, inside it, what is written
        once for all of them: each search document they change (a meeting added with ten
        participants is saved, given its partners and each participant: its document was
        written twelve times) and each saved record's history entry (see save_model)."""
        if request.method != "POST":
            yield
            return
        using = router.db_for_write(self.model)
        with transaction.atomic(using=using), deferred():
            request.history_held = []  # see save_model
            try:
                yield
                for record, kind in request.history_held:
                    del record.skip_history_when_saving
                    write_history(type(record), [record], kind, timezone.now(), using)
            finally:
                del request.history_held

    def save_model(self, request, obj, form, change):
        # The record's history entry is written once its links and inline rows are (at the
        # end of writing()): simple-history writes one at the save, before them (a meeting
        # without partners, a state that never was), then one more for each link field set.
        if hasattr(request, "history_held") and has_history(type(obj)):
            obj.skip_history_when_saving = True
            request.history_held.append((obj, "~" if change else "+"))
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with self.writing(request):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with self.writing(request):
            return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        with self.writing(request):  # its actions (delete the selected records)
            return super().changelist_view(request, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history hides the revert button from a reader who may only view, but saves
        # whatever is posted to the page: a revert is a change, and bringing a deleted record
        # back an addition, each refused without its permission.
        current = None
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if self.revert_disabled(request, current) or (current is None and not self.has_add_permission(request)):
                raise PermissionDenied
        # Reverting saves like the change form does, and its version check locks the row
        # until the save commits: in one transaction, as changeform_view is.
        with self.writing(request):
            response = super().history_form_view(request, object_id, version_id, extra_context)
            if request.method == "POST" and current is None and response.status_code == 302:
                self.bring_back_rows(request, self.get_object(request, unquote(object_id)))
            return response

    def bring_back_rows(self, request, record):
        """A deleted record brought back: the rows its delete took with it too (defrel.restores),
        named to the editor."""
        if record is None:
            return
        rows = brought_back_with(record, router.db_for_write(self.model))
        if rows:
            messages.info(request, _("Brought back with it, as they were before the delete: %(rows)s.") % {
                "rows": listed(named_record(row) for row in rows)})

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

    # --- stale rows (defrel.imports.versions): the preview flags rows whose records changed
    # since the export; the confirm step writes them only if the editor ticks the choice. The
    # template extends import_preview.html: counts and the first rows (defrel.imports.preview).
    import_template_name = "admin/import_export/import_versions.html"

    def get_confirm_form_class(self, request):
        return versions.with_overwrite_choice(super().get_confirm_form_class(request))

    def get_import_data_kwargs(self, **kwargs):
        stale_rows = versions.stale_policy_for(kwargs.get("form"))
        return {**super().get_import_data_kwargs(**kwargs), "stale_rows": stale_rows}
    # --- end of stale rows

    @method_decorator(IMPORT_PAGE_CSP)
    def import_status_view(self, request, pk):
        return super().import_status_view(request, pk)

    @method_decorator(IMPORT_PAGE_CSP)
    def import_action(self, request, **kwargs):
        if request.method == "POST" and background.wanted(request.FILES.get("import_file")):
            if not self.has_import_permission(request):
                raise PermissionDenied
            form = self.create_import_form(request)
            if form.is_valid():
                return self.check_in_background(request, form)
            # else import-export's page shows the form's errors, as for any file
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        versions.offer_overwrite(context)
        # From the request: a form that refused the file has dropped it from cleaned_data.
        stored = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if stored and "confirm_form" not in context:  # refused: nothing to keep it for
            self.get_tmp_storage_class()(name=stored).remove()
        self.warn_about_encoding(request, getattr(context.get("form"), "cleaned_data", {}).get("import_file"))
        return response

    @staticmethod
    def warn_about_encoding(request, upload):
        if getattr(upload, "detected_encoding", None) == "cp932":
            messages.warning(request, _("The file was read as Shift_JIS (Japanese Excel’s “CSV”). "
                                        "Check the Japanese text in the preview before confirming."))

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form),
                "user": request.user, "target": self.model._meta.label}

    def get_confirm_form_initial(self, request, import_form):
        """The preview passed: the form carries the stored upload's seal, not its name."""
        if import_form is None:
            return {}
        upload = import_form.cleaned_data["import_file"]
        return {"import_file_name": sealed.seal(
            upload.tmp_storage_name, request.user, target=self.model._meta.label,
            original_name=upload.name, file_format=import_form.cleaned_data["format"],
            resource=import_form.cleaned_data.get("resource", ""))}

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
            return sealed.gone()
        logger.warning("import file unreadable", exc_info=error)
        return _("The file could not be read (%(error)s). Check that the format chosen matches "
                 "the file.") % {"error": type(error).__name__}

    def process_import(self, request, **kwargs):
        # Before anything else: a viewer is refused whatever the method, and never reaches the
        # handler below that turns failures into messages.
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        confirm_form = self.create_confirm_form(request)
        if confirm_form.is_valid() and confirm_form.pending.state:  # checked off the request
            return self.import_in_background(request, confirm_form)
        # The confirm step reads the stored file again; a seal refused, a file gone, changed or
        # unreadable is a message and a way back, never a server error.
        try:
            response = super().process_import(request, **kwargs)
        except Exception as error:  # noqa: BLE001 - the import ran in a rolled-back transaction
            if getattr(request, "import_finished", False):
                raise  # the rows were written: a failure after that is not "nothing imported"
            messages.error(request, self.read_failure(error))
            return self.nothing_imported(request)
        finally:
            # Confirmed, failed or refused, the editor's upload is used up.
            sealed.discard(request.POST.get("import_file_name"), request.user)
        if isinstance(response, TemplateResponse):  # import-export's page for a refused form
            for errors in response.context_data["confirm_form"].errors.values():
                for error in errors:
                    messages.error(request, error)
            return self.nothing_imported(request)
        return response

    def nothing_imported(self, request):
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
            return self.nothing_imported(request)
        request.import_finished = True
        return super().process_result(result, request)

    def generate_log_entries(self, result, request):
        self.log_import(result, request.user)

    def add_success_message(self, result, request):
        messages.success(request, self.finished_message(result))
        for effect in self.effects_told(result):
            messages.info(request, effect)

    @staticmethod
    def effects_told(result):
        """What a written import changed elsewhere (the titles at the time its tenures give),
        each as a save's message tells it (defrel.admin_effects), in or off the request."""
        return [told(effect) for effect in getattr(result, "effects", ())]

    def after_import(self, result, user):
        """What follows a written import off the request, as process_result does after one
        in the request (its admin log, the signal), minus the redirect."""
        self.log_import(result, user)
        post_import.send(sender=None, model=self.model)

    def log_import(self, result, user):
        """One admin log entry per record the import added, changed or deleted, as
        import-export writes them (one query per kind of change)."""
        if self.get_skip_admin_log():
            return
        for kind, flag in ((RowResult.IMPORT_TYPE_NEW, ADDITION),
                           (RowResult.IMPORT_TYPE_UPDATE, CHANGE),
                           (RowResult.IMPORT_TYPE_DELETE, DELETION)):
            rows = [row.instance for row in result if row.import_type == kind]
            if rows:
                LogEntry.objects.log_actions(
                    user.pk, rows, flag, change_message=_("%s through import_export") % kind,
                    single_object=len(rows) == 1)

    def finished_message(self, result):
        """What the editor reads after an import (import-export's words and catalogue)."""
        return _("Import finished: {} new, {} updated, {} deleted and {} skipped {}.").format(
            *(result.totals[kind] for kind in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE,
                                               RowResult.IMPORT_TYPE_DELETE, RowResult.IMPORT_TYPE_SKIP)),
            self.model._meta.verbose_name_plural)

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


def date_column(ordering="date_lower"):
    """A changelist's column of a record's partial date as the public pages write it, in the
    editor's language (2024年5月～6月, May–June 2024), not its EDTF text (2024-05/2024-06);
    sorted by ``ordering``, its earliest day where the record stores one."""
    @admin.display(description=gettext_lazy("date"), ordering=ordering)
    def date_display(self, record):
        return record.date_display
    return date_display


@admin.register(Source)
class SourceAdmin(EditorialAdmin):
    resource_classes = [SourceResource]
    list_display = ["key", "title_ja", "title_en", "date_display", "publisher"]
    # No bounds stored: the EDTF text sorts as its days do (2024 < 2024-05 < 2025).
    date_display = date_column(ordering="date")
    search_fields = ["key", "title_ja", "title_en"]

    @admin.display(description=gettext_lazy("publisher"), ordering=Localised("publisher"))
    def publisher(self, source):
        return localised(source, "publisher")

"""Large imports, checked and written off the request.

A file of 20,000 rows takes about 20 s of processor time to check and as long again to import:
more than a web worker may hold a request (the README's gunicorn command allows 90 s, a proxy
often 60 s, and a busy machine stretches both). So an upload larger than
``DEFREL_IMPORT_BACKGROUND_BYTES`` (about 1,500 rows) is checked, and once confirmed imported, in
a thread of the server that received it, while the editor's page shows how long the step has run
and reloads itself until it is done. Smaller files keep import-export's own two requests.

The stored upload (``PendingImport``) carries the state, so any app server can show the page.
The thread has its own database connection; an import is one transaction, so a server that
stops mid-way writes nothing, and the page says so once a step has run longer than ``STALLED``.
The thread is not a daemon: a server shutting down gracefully lets it finish.
"""
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from defrel.imports import sealed, versions
from defrel.models import PendingImport

logger = logging.getLogger(__name__)

State = PendingImport.State
RUNNING = (State.CHECKING, State.IMPORTING)
STALLED = timedelta(minutes=10)  # 20,000 rows take well under a minute a step
REFRESH_SECONDS = 3


def wanted(upload):
    """Whether an upload is large enough to be checked and imported off the request."""
    return upload is not None and upload.size > settings.DEFREL_IMPORT_BACKGROUND_BYTES


THREAD_NAME = "defrel-import"


def wait_for_steps(timeout=None):
    """Wait for the steps this process runs off the request: what the editor's reloading page
    does, for the tests and the benchmark that follow a step to its end."""
    for thread in threading.enumerate():
        if thread.name == THREAD_NAME:
            thread.join(timeout)


def start(step, *args):
    """Run ``step(*args)`` in a thread of its own, in the language of the editor's request."""
    language = translation.get_language()

    def run():
        try:
            with translation.override(language):
                step(*args)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=run, name=THREAD_NAME)
    # Once what the request wrote (the stored upload, its state) is there for the thread to read.
    transaction.on_commit(thread.start)
    return thread


class BackgroundImportMixin:
    """The admin's import of large files off the request: the preview's check and the confirmed
    import each run in a thread (see the module's docstring); the status page follows them."""

    def get_urls(self):
        info = self.get_model_info()
        return [path("import/<int:pk>/", self.admin_site.admin_view(self.import_status_view),
                     name="%s_%s_import_status" % info), *super().get_urls()]

    def status_url(self, pending_pk):
        return reverse("admin:%s_%s_import_status" % self.get_model_info(), args=[pending_pk],
                       current_app=self.admin_site.name)

    # --- the requests ----------------------------------------------------------------------

    def check_in_background(self, request, form):
        """The upload is valid as a form: store it as the editor's and check it off the request."""
        upload = form.cleaned_data["import_file"]
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        stored = self.write_to_tmp_storage(upload, input_format).name
        sealed.seal(stored, request.user, target=self.model._meta.label, original_name=upload.name,
                    file_format=form.cleaned_data["format"],
                    resource=form.cleaned_data.get("resource", ""))
        PendingImport.objects.filter(pk=stored).update(state=State.CHECKING, started=timezone.now())
        self.warn_about_encoding(request, upload)
        start(self.run_check, int(stored), request.user)
        return HttpResponseRedirect(self.status_url(stored))

    def import_in_background(self, request, confirm_form):
        """The editor confirmed a file checked off the request: import it off the request too.
        Only a checked file can be started, once (of two confirms, one changes the state)."""
        pending = confirm_form.pending
        started = (PendingImport.objects.filter(pk=pending.pk, user=request.user, state=State.CHECKED)
                   .update(state=State.IMPORTING, started=timezone.now()))
        if not started:
            messages.error(request, sealed.gone())
            return self.nothing_imported(request)
        policy = confirm_form.stale_policy()  # the overwrite the editor chose, or none
        start(self.run_import, pending.pk, request.user, policy)
        return HttpResponseRedirect(self.status_url(pending.pk))

    def import_status_view(self, request, pk):
        if not self.has_import_permission(request):
            raise PermissionDenied
        pending = (PendingImport.objects.defer("data")
                   .filter(pk=pk, user=request.user, target=self.model._meta.label).first())
        if pending is None or not pending.state:  # used up, swept, or not this editor's
            messages.error(request, sealed.gone())
            return HttpResponseRedirect(self.import_url())
        if pending.state in RUNNING and timezone.now() - pending.started > STALLED:
            pending.delete()
            messages.error(request, _("The import stopped without finishing; nothing was written. "
                                      "Upload the file again."))
            return HttpResponseRedirect(self.import_url())
        if pending.state in (State.IMPORTED, State.FAILED):
            return self.import_finished(request, pending)
        context = {
            **self.admin_site.each_context(request), "title": _("Import"), "opts": self.model._meta,
            "pending": pending, "running": pending.state in RUNNING,
            "refresh_seconds": REFRESH_SECONDS,
            "elapsed": int((timezone.now() - pending.started).total_seconds()),
            # Rendered by run_check from defrel's own template, with autoescaping.
            "report": mark_safe(pending.report),
        }
        if pending.state == State.CHECKED:
            overwrite = pending.outcome.get("overwrite_rows", "")
            form = self.create_confirm_form(request)  # unbound: initial from the stored upload
            form.initial["import_file_name"] = sealed.token(pending.pk, request.user)
            versions.offer_overwrite_rows(form, overwrite)
            context.update(confirm_form=form, stale_count=len(versions.decode_rows(overwrite)))
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/import_export/import_status.html", context)

    def import_finished(self, request, pending):
        """The import ran: its messages join the editor's, and the page moves on, as after a
        small file's import."""
        pending.delete()
        if pending.state == State.FAILED:
            for message in pending.outcome.get("messages", []):
                messages.error(request, message)
            return self.nothing_imported(request)
        for message in pending.outcome.get("messages", []):
            messages.success(request, message)
        for effect in pending.outcome.get("effects", []):
            messages.info(request, mark_safe(effect))  # escaped by told() as the import ended
        return HttpResponseRedirect(
            reverse("admin:%s_%s_changelist" % self.get_model_info(), current_app=self.admin_site.name))

    # --- the threads -----------------------------------------------------------------------

    def run_check(self, pending_pk, user):
        pending = PendingImport.objects.filter(pk=pending_pk).first()
        if pending is None:
            return  # swept, or the editor's other tab confirmed it
        try:
            result = self.import_stored(pending, user, dry_run=True,
                                        stale_rows=versions.StalePolicy(versions.FLAG))
        except Exception as error:  # noqa: BLE001 - a refused file, the editor's to read
            errors, result = [self.read_failure(error)], None
        else:
            errors = [] if result.has_validation_errors() else list(self.describe_errors(result))
        passed = result is not None and not errors and not result.has_validation_errors()
        report = render_to_string("admin/import_export/includes/_checked.html",
                                  {"result": result, "errors": errors})
        fields = {"state": State.CHECKED if passed else State.REFUSED, "report": report,
                  "outcome": {"overwrite_rows": versions.encode_rows(result.stale_rows)} if passed else {}}
        if not passed:
            fields["data"] = b""  # refused: nothing to keep it for
        PendingImport.objects.filter(pk=pending_pk, state=State.CHECKING).update(**fields)

    def run_import(self, pending_pk, user, policy):
        pending = PendingImport.objects.filter(pk=pending_pk).first()
        if pending is None:
            return
        try:
            result = self.import_stored(pending, user, dry_run=False, stale_rows=policy)
        except Exception as error:  # noqa: BLE001 - the import's transaction was rolled back
            logger.warning("background import failed", exc_info=error)
            outcome = [self.read_failure(error)]
        else:
            if result.has_errors() or result.has_validation_errors():
                outcome = list(self.describe_errors(result))
            else:
                # Written: from here on a failure must not say "nothing was imported".
                PendingImport.objects.filter(pk=pending_pk).update(state=State.IMPORTED, data=b"", outcome={
                    "messages": [self.finished_message(result)], "effects": self.effects_told(result)})
                self.after_import(result, user)
                return
        PendingImport.objects.filter(pk=pending_pk).update(
            state=State.FAILED, data=b"", outcome={"messages": outcome})

    def import_stored(self, pending, user, *, dry_run, stale_rows):
        """Check (``dry_run``) or import the stored upload as the editor chose to read it: the
        steps of import-export's two views, minus their request."""
        input_format = self.get_import_formats()[int(pending.format)](encoding=self.from_encoding)
        data = bytes(pending.data)
        if not input_format.is_binary():
            data = data.decode("utf-8")  # stored as UTF-8 whatever it came in (write_to_tmp_storage)
        dataset = input_format.create_dataset(data)
        resource = self.get_import_resource_classes(None)[int(pending.resource or 0)]()
        return resource.import_data(dataset, dry_run=dry_run, raise_errors=False,
                                    file_name=pending.original_name, user=user,
                                    retain_instance_in_row_result=not dry_run, stale_rows=stale_rows)

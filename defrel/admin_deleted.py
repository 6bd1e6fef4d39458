"""The records of a list that were deleted, from their history: who deleted each and when,
each linked to its history, where an editor may bring it back (defrel.restores). Without
it a deleted record's history could be reached only by typing its id into an address. A form
saved after its record was deleted says who deleted it, and leads to that history."""
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from defrel.admin_input import holds
from defrel.changes import label, named_rows

SHOWN = 100  # the latest deletes; older ones are in the history all the same


class DeletedRecords:
    """For an EditorialAdmin: ``<list>/deleted/``, linked from the list beside "add"."""

    change_list_template = "admin/defrel/change_list.html"  # import-export's extends it

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [path("deleted/", self.admin_site.admin_view(self.deleted_view), name="%s_%s_deleted" % info),
                *super().get_urls()]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django sends a form posted for a record deleted meanwhile to the admin's home page, the
        # editor's changes lost with a word that it "may have been deleted". The record's history
        # says by whom, and it can be brought back from there.
        if request.method == "POST" and object_id is not None and "_saveasnew" not in request.POST:
            deleted = self.deleted_since_opened(request, unquote(object_id))
            if deleted is not None:
                self.message_user(request, _(
                    "%(name)s “%(record)s” was deleted by %(user)s on %(date)s, after this page was "
                    "opened: your changes were not saved. Its history shows it as it was; an editor "
                    "may bring it back from there.") % {
                    "name": self.opts.verbose_name, "record": deleted.instance,
                    "user": deleted.history_user or _("someone (an import or a script; no user recorded)"),
                    "date": date_format(localtime(deleted.history_date), "DATETIME_FORMAT")}, messages.WARNING)
                return HttpResponseRedirect(reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
                    args=[quote(object_id)], current_app=self.admin_site.name))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def deleted_since_opened(self, request, object_id):
        """The history entry of the delete of the record ``object_id``, when it is gone."""
        pk = self.opts.pk
        if not holds(pk, object_id):
            return None  # not an id: Django's own page says so
        value = pk.to_python(object_id)
        if self.model._base_manager.filter(pk=value).exists():
            return None
        return (self.model.history.filter(**{pk.attname: value}, history_type="-")
                .select_related("history_user").order_by("-history_date").first())

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = self.opts.pk.attname
        deleted = list(self.model.history.filter(history_type="-")
                       .exclude(**{f"{pk}__in": self.model._base_manager.values(pk)})  # brought back since
                       .select_related("history_user").order_by("-history_date")[:SHOWN])
        # Named as the history page names them: a participant by its official and its meeting,
        # those read once for all, a meeting deleted with its participants as it last was.
        records, rows, seen = named_rows(deleted), [], set()
        for entry in deleted:
            if getattr(entry, pk) in seen:
                continue  # deleted, brought back and deleted again: the latest delete
            seen.add(getattr(entry, pk))
            rows.append({"entry": entry, "record": label(entry, records[entry]), "history": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
                args=[quote(getattr(entry, pk))], current_app=self.admin_site.name)})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "rows": rows, "shown": SHOWN,
            "title": _("Deleted %(records)s") % {"records": self.opts.verbose_name_plural},
        }
        return TemplateResponse(request, "admin/defrel/deleted_records.html", context)


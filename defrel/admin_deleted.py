"""The records of a list that were deleted, from their history: who deleted each and when,
each linked to its history, where an editor may bring it back (defrel.restores). Without
it a deleted record's history could be reached only by typing its id into an address."""
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

SHOWN = 100  # the latest deletes; older ones are in the history all the same


class DeletedRecords:
    """For an EditorialAdmin: ``<list>/deleted/``, linked from the list beside "add"."""

    change_list_template = "admin/defrel/change_list.html"  # import-export's extends it

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [path("deleted/", self.admin_site.admin_view(self.deleted_view), name="%s_%s_deleted" % info),
                *super().get_urls()]

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        pk = self.opts.pk.attname
        deleted = (self.model.history.filter(history_type="-")
                   .exclude(**{f"{pk}__in": self.model._base_manager.values(pk)})  # brought back since
                   .select_related("history_user").order_by("-history_date")[:SHOWN])
        rows, seen = [], set()
        for entry in deleted:
            if getattr(entry, pk) in seen:
                continue  # deleted, brought back and deleted again: the latest delete
            seen.add(getattr(entry, pk))
            rows.append({"entry": entry, "record": str(entry.instance), "history": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
                args=[quote(getattr(entry, pk))], current_app=self.admin_site.name)})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "rows": rows, "shown": SHOWN,
            "title": _("Deleted %(records)s") % {"records": self.opts.verbose_name_plural},
        }
        return TemplateResponse(request, "admin/defrel/deleted_records.html", context)

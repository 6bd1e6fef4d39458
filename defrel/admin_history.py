"""A record's history page shows, beside each of its entries, what was written to its inline
rows (participants, milestones, tenures) since the entry before. A save that changes only those
rows writes the record an entry all the same, its version moved (which refuses a page opened
before), and nothing of its own changed: the page read "nothing changed". The rows' own entries
say who changed which row and how, in the words of a refused save (defrel.changes). After a
revert, the editor is told which version came back."""
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from defrel.changes import beside


class InlineRowsInHistory:
    """For an EditorialAdmin: each entry of its history page carries ``inline_changes``, the
    lines the history list's template shows under its own changes."""

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for entry, lines in beside(list(historical_records)).items():
            entry.inline_changes = lines


class RevertsTold:
    """For an EditorialAdmin: after a revert, the editor reads which version came back (Django's
    words were those of any save, "changed successfully"), and that a deleted record was
    brought back."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            request.reverting_deleted = self.get_object(request, unquote(object_id)) is None
        return super().history_form_view(request, object_id, version_id, extra_context)

    def response_change(self, request, obj):
        entry = getattr(obj, "_history", None)  # the entry simple-history rebuilt obj from
        if entry is None or not hasattr(request, "reverting_deleted"):
            return super().response_change(request, obj)
        said = {"name": obj._meta.verbose_name, "record": obj,
                "date": date_format(localtime(entry.history_date), "DATETIME_FORMAT")}
        if request.reverting_deleted:
            message = _("The deleted %(name)s “%(record)s” was brought back as it was on %(date)s.")
        else:
            message = _("The %(name)s “%(record)s” was reverted to its version of %(date)s (saved as a new "
                        "version).")
        self.message_user(request, message % said, messages.SUCCESS)
        return self.response_post_save_change(request, obj)

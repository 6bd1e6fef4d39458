"""A record's history page shows, beside each of its entries, what was written to its inline
rows (participants, milestones, tenures) since the entry before. A save that changes only those
rows writes the record an entry all the same, its version moved (which refuses a page opened
before), and nothing of its own changed: the page read "nothing changed". The rows' own entries
say who changed which row and how, in the words of a refused save (defrel.changes). After a
revert, the editor is told which version came back."""
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from defrel.changes import beside
from defrel.models import listed


class InlineRowsInHistory:
    """For an EditorialAdmin: each entry of its history page carries ``inline_changes``, the
    lines the history list's template shows under its own changes."""

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for entry, lines in beside(list(historical_records)).items():
            entry.inline_changes = lines


def field_names(fieldsets):
    """The names of the fields ``fieldsets`` show, in their order."""
    return [name for _title, options in fieldsets for line in options["fields"]
            for name in (line if isinstance(line, (list, tuple)) else [line])]


class VersionsReadOnly:
    """For an EditorialAdmin: a reader who may not revert (simple-history hides the button
    from whoever may view the record but not change it) reads a past version as the change
    page shows a record to a viewer: its values, not fields to edit. The version's links are
    the ones its entry recorded (the rebuilt record would read today's)."""

    def render_history_view(self, request, template, context, **kwargs):
        shown = context.get("adminform")
        if shown is not None and context.get("revert_disabled"):
            fieldsets = values_only(shown.form, shown.fieldsets)
            context["adminform"] = helpers.AdminForm(
                shown.form, fieldsets, {}, readonly_fields=field_names(fieldsets), model_admin=self)
        return super().render_history_view(request, template, context, **kwargs)


def values_only(form, fieldsets):
    """``fieldsets`` to show a version's values: the form's hidden ones left out, and each link
    field the entry recorded shown as its recorded records (form.initial, see recorded_links)."""
    shown = {}
    for field in form.instance._meta.many_to_many:
        if field.name in form.initial and field.name in form.fields:
            records = field.related_model._default_manager.filter(pk__in=form.initial[field.name])
            shown[field.name] = recorded(field, records)
    return [(title, {**options, "fields": [
        tuple(shown.get(name, name) for name in line) if isinstance(line, (list, tuple)) else shown.get(line, line)
        for line in options["fields"]]})
        for title, options in fieldsets if "hidden" not in options.get("classes", ())]


def recorded(field, records):
    def links(_record):
        return listed(str(record) for record in records)
    links.short_description = field.verbose_name
    links.__name__ = field.name  # the row's class, field-<name>, as on the change page
    return links


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

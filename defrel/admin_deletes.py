"""Deleting from the admin never discards what another editor saved meanwhile. The delete
page and the list's "delete selected" page carry the version of each record they show, and
the confirmed delete is refused when one has changed since, as a save is
(defrel.admin_forms.VersionCheckedForm): the editor is told who changed what, and deletes again
from a page that shows it. Both pages also say what the delete would change in the records it
leaves (defrel.delete_effects)."""
from django.contrib import admin, messages
from django.contrib.admin import actions
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defrel import delete_effects
from defrel.admin_input import holds
from defrel.changes import written_since
from defrel.models import Versioned

SEEN = "seen_version"


def posted_version(request, model, name):
    """The version posted as ``name``, or None when it is missing or not one a record can have
    (holds(): the check of every forged admin input)."""
    value = request.POST.get(name, "")
    return int(value) if holds(model._meta.get_field("version"), value) else None


def changed_since(model, seen):
    """[(record, version seen, version now)] of those records among ``seen`` ({pk: version
    the page showed, or None}) that were saved since; locked until the delete commits. A
    record deleted meanwhile has nothing left to lose."""
    records = model._default_manager.select_for_update().filter(pk__in=list(seen))
    return [(record, seen[record.pk], record.version) for record in records
            if seen[record.pk] != record.version]


def refusal(changed):
    """The message refusing a delete, naming each record changed and how."""
    lines = []
    for record, seen, current in changed:
        if seen is None:
            lines.append(_("This page does not say which version of “%(record)s” it showed, so "
                           "deleting it could discard someone else's changes.") % {"record": record})
            continue
        lines.append(_("Someone else saved “%(record)s” after this page was opened (your version "
                       "%(seen)s, now %(current)s).") % {"record": record, "seen": seen, "current": current})
        lines += written_since(record, version=seen)
    return " ".join([*lines, _("Nothing was deleted: look at the record as it is now before deleting it.")])


class VersionCheckedDeletes:
    """For EditorialAdmin: its delete views run inside its writing() transaction, so the
    versions checked stay locked until the records are deleted."""

    delete_confirmation_template = "admin/defrel/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/defrel/delete_selected_confirmation.html"
    # Named here, the list's delete action is this class's method, not the site's.
    actions = ["delete_selected"]

    def delete_view(self, request, object_id, extra_context=None):
        # Any POST: Django deletes on one whatever it holds.
        if request.method == "POST" and issubclass(self.model, Versioned):
            record = self.get_object(request, unquote(object_id))
            # Only for an editor who may delete it (Django refuses the others).
            changed = (record and self.has_delete_permission(request, record)
                       and changed_since(self.model, {record.pk: posted_version(request, self.model, SEEN)}))
            if changed:
                self.message_user(request, refusal(changed), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().delete_view(request, object_id, extra_context)

    def render_delete_form(self, request, context):
        if context.get("object") is not None and deletable(context):
            context["delete_effects"] = delete_effects.of_deleting(
                self.model._default_manager.filter(pk=context["object"].pk))
        return super().render_delete_form(request, context)

    @admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request, queryset):
        if request.POST.get("post") and issubclass(self.model, Versioned):
            seen = {pk: posted_version(request, self.model, f"{SEEN}-{pk}") for pk in queryset.values_list("pk", flat=True)}
            if changed := changed_since(self.model, seen):
                self.message_user(request, refusal(changed), messages.ERROR)
                return None  # the list again, nothing deleted
        response = actions.delete_selected(self, request, queryset)
        if isinstance(response, TemplateResponse) and deletable(response.context_data):
            response.context_data["delete_effects"] = delete_effects.of_deleting(queryset)
        return response


def deletable(context):
    """Whether a delete page's ``context`` offers the delete (nothing protected, nothing the
    editor may not delete): only then does it say what the delete would change."""
    return not (context.get("protected") or context.get("perms_lacking"))

"""Deleting from the admin never discards what another editor saved meanwhile. The delete
page and the list's "delete selected" page carry the version of each record they show, and
the confirmed delete is refused when one has changed since, as a save is
(defrel.admin_forms.VersionCheckedForm): the editor is told who changed what, and deletes again
from a page that shows it. Both pages also say what the delete would change in the records it
leaves (defrel.delete_effects)."""
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import actions
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from defrel import delete_effects
from defrel.admin_input import holds
from defrel.changes import written_since
from defrel.models import LINKING, OUTLIVING, Versioned

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
            records = self.model._default_manager.filter(pk=context["object"].pk)
            context["delete_effects"] = effects_of_deleting(records)
        return super().render_delete_form(request, context)

    def get_deleted_objects(self, objs, request):
        # Django lists the rows of the link tables a delete removes with the records, in its
        # own English names ("Meeting-country の関連: Meeting_countries object (106)"): a
        # record's links are part of it, and its history keeps them.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        tables = [m._meta for m in apps.get_models(include_auto_created=True) if m._meta.auto_created]
        names = tuple(f"{capfirst(meta.verbose_name)}: " for meta in tables)
        plural = {str(capfirst(meta.verbose_name_plural)) for meta in tables}
        return (without_rows(deleted, names), {k: n for k, n in counts.items() if str(capfirst(k)) not in plural},
                perms_needed, protected)

    @admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request, queryset):
        if request.POST.get("post") and issubclass(self.model, Versioned):
            seen = {pk: posted_version(request, self.model, f"{SEEN}-{pk}") for pk in queryset.values_list("pk", flat=True)}
            if changed := changed_since(self.model, seen):
                self.message_user(request, refusal(changed), messages.ERROR)
                return None  # the list again, nothing deleted
        response = actions.delete_selected(self, request, queryset)
        if isinstance(response, TemplateResponse) and deletable(response.context_data):
            response.context_data["delete_effects"] = effects_of_deleting(queryset)
        return response


def without_rows(listed, names):
    """Django's nested list of what a delete removes, without the rows it lists as ``names``."""
    kept = []
    for item in listed:
        if isinstance(item, list):
            kept.append(without_rows(item, names))
        elif not str(item).startswith(names):
            kept.append(item)
    return [item for item in kept if item != []]


def effects_of_deleting(records):
    """What the delete of ``records`` changes in the records it leaves: those the apps register
    (defrel.delete_effects), and the records that lose their link to them."""
    return [*delete_effects.of_deleting(records), *filter(None, [links_lost(records)])]


def links_lost(records):
    """The records that link to ``records`` (a queryset) and lose the link at their delete, as
    an editor would take it off (defrel.models: OUTLIVING, LINKING): a milestone reached at a
    meeting, a meeting at which an exercise was observed, an engagement naming an official."""
    shown, count = [], 0
    for model, name in [*OUTLIVING.get(records.model, ()), *LINKING.get(records.model, ())]:
        rows, n = delete_effects.first_and_count(
            model._default_manager.filter(**{f"{name}__in": records.values("pk")}).distinct().order_by("pk"))
        count += n
        meta = model._meta
        shown += [(f"{capfirst(meta.verbose_name)}: {row}",
                   reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk]))
                  for row in rows[:delete_effects.SHOWN - len(shown)]]
    if not count:
        return None
    name = records.model._meta.verbose_name
    return delete_effects.Effect(
        heading=_("Records that lose their link to what is deleted"),
        lead=_("Deleting the %(name)s takes the link to that %(name)s off the following records, as an "
               "editor would; each keeps everything else, and its history records the change.") % {"name": name},
        shown=shown, count=count)


def deletable(context):
    """Whether a delete page's ``context`` offers the delete (nothing protected, nothing the
    editor may not delete): only then does it say what the delete would change."""
    return not (context.get("protected") or context.get("perms_lacking"))

"""After a save in the admin, the editor is told what it changed in records the page did not
show (defrel.save_effects): a record's own save, its inline rows' (added, changed or deleted)
and a revert from its history each write records some other record derives a value from."""
from contextlib import contextmanager

from django.contrib import messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from defrel import save_effects


class SaveEffectsTold:
    """For an EditorialAdmin: round the save of its record and of each inline's rows."""

    def save_model(self, request, obj, form, change):
        with self.telling(request, type(obj), [obj]):
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # The rows the editor changed, added or marked for deletion: the others are not written.
        rows = [row.instance for row in formset.forms if row.has_changed()]
        with self.telling(request, formset.model, rows):
            super().save_formset(request, form, formset, change)

    @contextmanager
    def telling(self, request, model, records):
        with save_effects.watched(model, records) as effects:
            yield
        for effect in effects:
            messages.info(request, told(effect))


def told(effect):
    """An Effect as one message: its lead, the records it names, each linked, and how many more."""
    more = ngettext("and %(n)s more", "and %(n)s more", effect.more) % {"n": effect.more} if effect.more else ""
    return format_html("{} {}{}", effect.lead,
                       format_html_join("; ", '<a href="{}">{}</a>', ((url, text) for text, url in effect.shown)),
                       f" {more}" if more else "")

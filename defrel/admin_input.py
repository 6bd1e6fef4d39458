"""What the admin does with input that none of its own pages send (a mistyped link, a forged
form): a page or a message, never a server error. NUL is refused before any of this, by
defrel.middleware.RefuseNulMiddleware."""
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.utils.text import smart_split
from django.utils.translation import gettext as _

# Each word of an admin search adds a LIKE per search field: thousands of words made SQLite
# refuse the query ("Expression tree is too large") and kept PostgreSQL busy for a minute.
MAX_SEARCH_WORDS = 10


def holds(field, value):
    """Whether the text ``value`` is one that model ``field`` can hold: for an id, a whole
    number within the column's range (a larger one overflows SQLite's integers)."""
    try:
        field.run_validators(field.to_python(value))
    except (ValidationError, TypeError, ValueError, OverflowError):
        return False
    return True


class KnownValuesOnly:
    """An autocomplete widget that draws only the values its related field can hold: Django's
    looks every submitted value up as it is, and a letter where an id belongs is a ValueError
    (the add page's ?countries=abc, a forged form). A value whose label the form already knows
    (``known``, see labelled_from_instance) is drawn without looking it up."""

    known = {}  # {value: label}

    def optgroups(self, name, value, attr=None):
        related = self.field.remote_field.model._meta
        target = related.get_field(getattr(self.field.remote_field, "field_name", related.pk.attname))
        value = [v for v in value if holds(target, v)]
        if not value or not all(str(v) in self.known for v in value):
            return super().optgroups(name, value, attr)
        # What Django's AutocompleteSelect draws: a blank choice unless one is required, then
        # the chosen values (the others are fetched as the editor types).
        blank = not self.is_required and not self.allow_multiple_selected
        options = [self.create_option(name, "", "", False, 0)] if blank else []
        for v in value:
            options.append(self.create_option(name, str(v), self.known[str(v)], True, len(options)))
        return [(None, options, 0)]


class CheckedAutocompleteSelect(KnownValuesOnly, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(KnownValuesOnly, AutocompleteSelectMultiple):
    pass


def labelled_from_instance(form):
    """Gives each autocomplete select of ``form`` the label of the record its instance points
    to, read with it (an inline's rows are read with their related records: ParticipationInline's
    officials), so that drawing the row looks nothing up. Each row's widget otherwise looked its
    one value up, a query a row: a meeting's page ran one more query for each participant."""
    for name, field in form.fields.items():
        widget = getattr(field.widget, "widget", field.widget)  # inside the admin's wrapper
        if not isinstance(widget, CheckedAutocompleteSelect):
            continue
        model_field = form.instance._meta.get_field(name)
        value = getattr(form.instance, model_field.attname)
        if value is not None:
            widget.known = {str(value): field.label_from_instance(getattr(form.instance, name))}


class CheckedAutocompleteFields:
    """For a ModelAdmin or an inline: its autocomplete_fields with the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CheckedInputAdmin(CheckedAutocompleteFields):
    """For a ModelAdmin (with django-simple-history's history pages and import-export's
    export): searches of a bounded number of words, action forms, export selections and history
    addresses with ids that can exist."""

    def get_search_results(self, request, queryset, search_term):
        words = list(smart_split(search_term))
        if len(words) > MAX_SEARCH_WORDS:
            search_term = " ".join(words[:MAX_SEARCH_WORDS])
            match = request.resolver_match
            if not (match and match.url_name == "autocomplete"):  # a JSON answer shows no message
                messages.warning(request, _("Only the first %(count)d words were searched for.")
                                 % {"count": MAX_SEARCH_WORDS})
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request, queryset):
        chosen = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(holds(self.model._meta.pk, pk) for pk in chosen):
            raise BadRequest("selected ids that no record can have")
        return super().response_action(request, queryset)

    def get_valid_export_item_pks(self, request):
        # The records an export may name (``export_items``, as import-export's page posts a
        # list's selection): those posted that the list's own queryset holds. import-export's
        # default (deprecated, still called) made every key of the table a choice and checked
        # each posted key against them all: 50 meetings of 100,000 took 670 ms to export
        # (bench/NOTES.md, "Selected records exported").
        posted = [key for key in request.POST.getlist("export_items") if holds(self.model._meta.pk, key)]
        return self.get_export_queryset(request).filter(pk__in=posted).values_list("pk", flat=True)

    def history_view(self, request, object_id, extra_context=None):
        self.existing_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.existing_id(object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        if not holds(history._meta.pk, version_id):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def existing_id(self, object_id):
        """django-simple-history looks the id of the address up as it is: a ValueError for
        letters where a number belongs. No record has such an id: 404."""
        if not holds(self.model._meta.pk, unquote(object_id)):
            raise Http404


from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from defrel.admin import EditorialAdmin, date_column
from defrel.admin_filters import YearFilter
from defrel.admin_forms import InlineRowsFormSet
from defrel.admin_input import CheckedAutocompleteFields
from defrel.models import listed, noted
from partners.models import Country, Official, Position, Tenure
from partners.readings import name_order
from partners.resources import CountryResource, OfficialResource, PositionResource, TenureResource


class InNameOrder:
    """A changelist in the order of the public lists: by reading in Japanese, by English
    name in English (the admin's language is the editor's choice)."""

    def get_ordering(self, request):
        return [*name_order(), "pk"]


@admin.register(Country)
class CountryAdmin(InNameOrder, EditorialAdmin):
    resource_classes = [CountryResource]
    list_display = ["code", "name_ja", "reading", "name_en", "kind", "region", "relationship_ja"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name_ja", "name_en", "formal_ja", "short_ja", "reading"]
    fieldsets = [
        (None, {"fields": ["code", "kind", ("name_ja", "name_en"), "formal_ja", ("reading", "reading_from"),
                           "short_ja", "region"]}),
        (_("Relationship"), {"fields": [("relationship_ja", "relationship_en"),
                                         "significance_ja", "significance_en"]}),
    ]


@admin.register(Position)
class PositionAdmin(EditorialAdmin):
    resource_classes = [PositionResource]
    list_display = ["key", "title_ja", "title_en", "country", "level"]
    list_filter = ["level", "country__region"]
    list_select_related = ["country"]
    search_fields = ["key", "title_ja", "title_en"]
    autocomplete_fields = ["country"]


class TenureRowsFormSet(InlineRowsFormSet):
    """An official's tenures, each compared with the others as the page posts them: compared
    with those stored, two new rows for the same office and days would both pass."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.instance.same_office = ()  # not read by each row: clean() below compares them

    def clean(self):
        super().clean()
        rows = [form for form in self.forms if form.is_valid() and not self._should_delete_form(form)]
        for form in rows:
            try:
                form.instance.refuse_overlap([other.instance for other in rows if other is not form])
            except ValidationError as error:
                form.add_error(None, error)


class TenureInline(CheckedAutocompleteFields, admin.TabularInline):
    model = Tenure
    formset = TenureRowsFormSet
    extra = 1
    autocomplete_fields = ["position"]
    fields = ["position", "date", "date_lower", "date_upper"]
    readonly_fields = ["date_lower", "date_upper"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("official", "position")  # what each row shows


@admin.register(Official)
class OfficialAdmin(InNameOrder, EditorialAdmin):
    resource_classes = [OfficialResource]
    list_display = ["name_ja", "reading", "name_en", "slug", "country", "current_titles"]
    list_filter = ["country__region", "country", "reading_from"]
    list_select_related = ["country"]
    search_fields = ["slug", "name_ja", "name_en", "reading"]
    fields = ["slug", ("name_ja", "name_en"), ("reading", "reading_from"), "country"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [TenureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tenures__position")

    @admin.display(description=_("offices"))
    def current_titles(self, official):
        # Each office by its title in the page's language, as the other columns name things.
        return listed(f"{t.position}{noted(t.date_display)}" for t in official.tenures.all())


@admin.register(Tenure)
class TenureAdmin(EditorialAdmin):
    resource_classes = [TenureResource]
    list_display = ["official", "position", "date_display", "date_lower", "date_upper"]
    date_display = date_column()
    list_filter = [YearFilter, "position__level", "position__country"]
    list_select_related = ["official", "position"]
    search_fields = ["official__name_ja", "official__name_en", "position__title_ja", "position__title_en"]
    autocomplete_fields = ["official", "position"]
    readonly_fields = ["date_lower", "date_upper"]

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from defrel.admin import EditorialAdmin
from defrel.admin_filters import YearFilter
from defrel.admin_input import CheckedAutocompleteFields
from partners.models import Country, Official, Position, Tenure
from partners.resources import CountryResource, OfficialResource, PositionResource, TenureResource


@admin.register(Country)
class CountryAdmin(EditorialAdmin):
    resource_classes = [CountryResource]
    list_display = ["code", "name_ja", "name_en", "kind", "region", "relationship_ja"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name_ja", "name_en", "short_ja"]
    fieldsets = [
        (None, {"fields": ["code", "kind", ("name_ja", "name_en"), "short_ja", "region"]}),
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


class TenureInline(CheckedAutocompleteFields, admin.TabularInline):
    model = Tenure
    extra = 1
    autocomplete_fields = ["position"]
    fields = ["position", "date", "date_lower", "date_upper"]
    readonly_fields = ["date_lower", "date_upper"]


@admin.register(Official)
class OfficialAdmin(EditorialAdmin):
    resource_classes = [OfficialResource]
    list_display = ["name_ja", "name_en", "slug", "country", "current_titles"]
    list_filter = ["country__region", "country"]
    list_select_related = ["country"]
    search_fields = ["slug", "name_ja", "name_en"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [TenureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tenures__position")

    @admin.display(description=_("offices"))
    def current_titles(self, official):
        return ", ".join(f"{t.position.title_ja} ({t.date_display})" for t in official.tenures.all())


@admin.register(Tenure)
class TenureAdmin(EditorialAdmin):
    resource_classes = [TenureResource]
    list_display = ["official", "position", "date", "date_lower", "date_upper"]
    list_filter = [YearFilter, "position__level", "position__country"]
    list_select_related = ["official", "position"]
    search_fields = ["official__name_ja", "official__name_en", "position__title_ja", "position__title_en"]
    autocomplete_fields = ["official", "position"]
    readonly_fields = ["date_lower", "date_upper"]

"""CSV, XLSX and JSON columns of countries, officials, positions and tenures."""
from import_export import fields

from defrel.resources import CuratedResource, KeyWidget
from partners.models import Country, Official, Position, Tenure


class CountryResource(CuratedResource):
    optional_columns = ("reading", "reading_from", "formal_ja")  # newer than some editors' files

    class Meta(CuratedResource.Meta):
        model = Country
        import_id_fields = ["code"]
        fields = ["code", "kind", "name_ja", "name_en", "formal_ja", "reading", "reading_from", "short_ja",
                  "region", "relationship_ja", "relationship_en", "significance_ja", "significance_en",
                  "version"]
        export_order = fields


class PositionResource(CuratedResource):
    country = fields.Field("country", "country", KeyWidget(Country, "code"))

    class Meta(CuratedResource.Meta):
        model = Position
        import_id_fields = ["key"]
        fields = ["key", "country", "title_ja", "title_en", "level", "seats", "version"]
        export_order = fields

    def get_queryset(self):
        return Position.objects.select_related("country")


class OfficialResource(CuratedResource):
    country = fields.Field("country", "country", KeyWidget(Country, "code"))
    optional_columns = ("reading", "reading_from")  # newer than some editors' files

    class Meta(CuratedResource.Meta):
        model = Official
        import_id_fields = ["slug"]
        fields = ["slug", "name_ja", "name_en", "reading", "reading_from", "country", "version"]
        export_order = fields

    def get_queryset(self):
        return Official.objects.select_related("country")


class TenureResource(CuratedResource):
    official = fields.Field("official", "official", KeyWidget(Official, "slug"))
    position = fields.Field("position", "position", KeyWidget(Position, "key"))
    date_lower = fields.Field("date_lower", "date_lower", readonly=True)
    date_upper = fields.Field("date_upper", "date_upper", readonly=True)

    class Meta(CuratedResource.Meta):
        model = Tenure
        import_id_fields = ["official", "position", "date"]
        fields = ["official", "position", "date", "date_lower", "date_upper", "version"]
        export_order = fields

    def get_queryset(self):
        return Tenure.objects.select_related("official", "position")

"""CSV, XLSX and JSON columns of countries, officials, positions and tenures."""
from collections import defaultdict

from import_export import fields

from defrel.imports.readahead import chunked
from defrel.queries import among
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

    # The running import's tenures of the officials its file names, by (official, position):
    # those on record, then its rows as they are written. Read once for the file, so that
    # refusing a second tenure of one office for the same days asks nothing a row.
    same_office = {}

    def get_queryset(self):
        return Tenure.objects.select_related("official", "position")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)  # the officials named read ahead
        self.same_office = defaultdict(list)
        for chunk in chunked(self.read_ahead_state.fetched[Official]):
            for tenure in Tenure.objects.filter(among(chunk, "official")).select_related("official", "position"):
                self.same_office[(tenure.official_id, tenure.position_id)].append(tenure)

    def written_records(self):
        # A tenure's key holds its official, and a row may add one: the rows change the titles
        # of the officials the file names, each stood for by a tenure of theirs not yet saved.
        return [Tenure(official_id=pk) for pk in self.read_ahead_state.fetched[Official]]

    def full_clean(self, instance, exclude, validate_unique=True):
        instance.same_office = self.same_office.get((instance.official_id, instance.position_id), [])
        super().full_clean(instance, exclude, validate_unique)

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        held = self.same_office.setdefault((instance.official_id, instance.position_id), [])
        held[:] = [*(t for t in held if t.pk != instance.pk), instance]  # a later row compares with it

"""The API's lists and records: each the twin of a public page, with its FilterSet, its
facets and its CSV's columns (the import-export resource's)."""
from django.db.models import DateField, Value
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from defrel.kept import cached
from defrel.links import moved_to_twin
from meetings.api import facets
from meetings.api.paging import KeysetPagination, ListFilterBackend, refuse_unknown
from meetings.api.rows import row_serializer, shared
from meetings.filters import AgreementFilter, EngagementFilter, ExerciseFilter, MeetingFilter
from meetings.forms import PARTNER_HELP, OfficialFilterForm
from meetings.models import Agreement
from meetings.resources import (
    AgreementEventResource, AgreementResource, EngagementResource, ExerciseResource, MeetingResource,
)
from meetings.views.profiles import JAPAN, chosen_officials, recased
from partners.models import Country, Official, in_region_order
from partners.resources import CountryResource, OfficialResource, TenureResource


def without_cursor(params):
    params = params.copy()
    params.pop("cursor", None)
    return params


# A participant of a meeting, with the title held that day: the stored column, never worked
# out again here. (No docstring: the OpenAPI description would show it, untranslated.)
class ParticipationSerializer(serializers.Serializer):

    official = serializers.CharField(source="official.slug")
    name_ja = serializers.CharField(source="official.name_ja")
    name_en = serializers.CharField(source="official.name_en")
    title_ja = serializers.SerializerMethodField()
    title_en = serializers.SerializerMethodField()
    role = serializers.CharField()
    known_from = serializers.CharField()

    def get_title_ja(self, participation) -> str:
        return participation.position.title_ja if participation.position_id else ""

    def get_title_en(self, participation) -> str:
        return participation.position.title_en if participation.position_id else ""


MeetingRow = row_serializer(MeetingResource)
AgreementRow = row_serializer(AgreementResource)
AgreementEventRow = row_serializer(AgreementEventResource)


class MeetingRecord(MeetingRow):
    participations = ParticipationSerializer(many=True, read_only=True)
    nested = {"participations": lambda meeting: meeting.participations.all()}


class AgreementRecord(AgreementRow):
    events = AgreementEventRow(many=True, read_only=True)
    nested = {"events": lambda agreement: agreement.events.all()}


OfficialRow = row_serializer(OfficialResource)
TenureRow = row_serializer(TenureResource)


# An official with the offices they held (the tenures table's rows), in the order each office
# passed, as their page lists them.
class OfficialRecord(OfficialRow):
    tenures = TenureRow(many=True, read_only=True)
    nested = {"tenures": lambda official: official.tenures.select_related("official", "position").in_succession()}


class TwinViewSet(viewsets.ReadOnlyModelViewSet):
    """A public list and its records: the rows the resource exports, filtered by the list's
    FilterSet, with the list's facets and count beside them."""

    resource_class = None
    record_serializer = None
    filter_backends = [ListFilterBackend]
    pagination_class = KeysetPagination
    filterset = None

    @property
    def page_fields(self):
        """What the list reads of its page's records: with a resource that writes its rows
        itself (meetings.api.rows.RowListSerializer), their key alone (and the order's
        fields), so that neither the filters' DISTINCT nor the sort carries whole rows."""
        resource = shared(self.resource_class)
        return resource.get_import_id_fields()[:1] if hasattr(resource, "export_rows") else None

    def get_queryset(self):
        resource = shared(self.resource_class)
        if self.action == "list" and self.page_fields is not None:
            return resource.get_queryset().model.objects.all()  # nothing prefetched: see page_fields
        return resource.get_queryset()

    def get_serializer_class(self):
        if self.action == "retrieve" and self.record_serializer:
            return self.record_serializer
        return self.serializer_class

    def get_object(self):
        """The record of the address's key; else a 404 that says, in the client's language,
        what was looked for (Django's own message is English and names the class)."""
        try:
            return super().get_object()
        except Http404:
            raise NotFound(_("No %(record)s has the key “%(key)s”.") % {
                "record": self.get_queryset().model._meta.verbose_name,
                "key": self.kwargs[self.lookup_url_kwarg or self.lookup_field]}) from None

    def retrieve(self, request, *args, **kwargs):
        """A record's key typed in another letter case leads to its one address, as the
        record's page does (defrel.links.key_in_any_case); a key no record has stays a 404."""
        try:
            return super().retrieve(request, *args, **kwargs)
        except NotFound:
            typed = kwargs[self.lookup_url_kwarg or self.lookup_field]
            response = moved_to_twin(request, self.get_queryset().model, self.lookup_field, typed)
            if response is None:
                raise
            return response

    def filter_queryset(self, queryset):
        # A record's page is found by its key alone, whatever else the address carries.
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)

    def page_extra(self):
        if self.filterset is None:
            return {}
        params = without_cursor(self.request.query_params)
        return {"count": self.filterset.count(params, self.filterset.data_stamp),
                "facets": facets.linked(facets.of_filterset(self.filterset, params), self.request)}


# Every operation says what it answers in the client's language: without a description,
# drf-spectacular would show the view's docstring, written for developers, in English.
RECORD_DOC = _("The record with this key; its fields are the CSV export's columns.")
LIST_DOC = _("The records the HTML list at the same query string shows, in its order, a page at a "
             "time (follow “next”); the fields are the CSV export's columns, and “facets” counts "
             "the records per value of each filter, as the list does.")


@extend_schema_view(list=extend_schema(description=LIST_DOC, summary=_("Meetings")),
                    retrieve=extend_schema(description=RECORD_DOC, summary=_("A meeting, with its participants and their titles at the time")))
class MeetingViewSet(TwinViewSet):
    resource_class = MeetingResource
    serializer_class = MeetingRow
    record_serializer = MeetingRecord
    filterset_class = MeetingFilter
    lookup_field = "key"


@extend_schema_view(list=extend_schema(description=LIST_DOC, summary=_("Exercises")),
                    retrieve=extend_schema(description=RECORD_DOC, summary=_("An exercise")))
class ExerciseViewSet(TwinViewSet):
    resource_class = ExerciseResource
    serializer_class = row_serializer(ExerciseResource)
    filterset_class = ExerciseFilter
    lookup_field = "key"


@extend_schema_view(list=extend_schema(description=LIST_DOC, summary=_("Engagements")),
                    retrieve=extend_schema(description=RECORD_DOC, summary=_("An engagement")))
class EngagementViewSet(TwinViewSet):
    resource_class = EngagementResource
    serializer_class = row_serializer(EngagementResource)
    filterset_class = EngagementFilter
    lookup_field = "key"


class AgreementFilterBackend(ListFilterBackend):
    """Statuses are computed from the milestones (AgreementFilter.rows), so the filterset
    selects the agreements itself and the page reads those. A filter backend (rather than the
    view's own filter_queryset) so that the OpenAPI description lists AgreementFilter's
    parameters as it lists every other list's (meetings.api.schema)."""

    def filter_queryset(self, request, queryset, view):
        params = without_cursor(request.query_params)
        filterset = AgreementFilter(params, queryset=Agreement.objects.all())
        refuse_unknown(request.query_params, filterset.filters)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        with translation.override("ja"):  # the facets' labels: the Japanese ones first
            rows, japanese = filterset.rows(params)
        view.found_count = len(rows)

        def build():  # English labels need the statuses and names again, in English
            return japanese if translation.get_language() == "ja" else filterset.rows(params)[1]

        # Kept until the data changes, for the day the statuses are taken on.
        key = filterset.counts_key(params, f"api-facets:{filterset.as_of_day.isoformat()}")
        view.found_facets = cached(key, lambda: facets.bilingual(build), filterset.data_stamp)
        return queryset.filter(pk__in=[a.pk for a in rows]).annotate(
            as_of_day=Value(filterset.as_of_day, DateField()))  # status_as_of: the list's day


@extend_schema_view(list=extend_schema(description=LIST_DOC, summary=_("Agreements")),
                    retrieve=extend_schema(description=RECORD_DOC, summary=_("An agreement, with its milestones")))
class AgreementViewSet(TwinViewSet):
    resource_class = AgreementResource
    serializer_class = AgreementRow
    record_serializer = AgreementRecord
    filterset_class = AgreementFilter
    filter_backends = [AgreementFilterBackend]
    lookup_field = "key"

    def page_extra(self):
        return {"count": self.found_count, "facets": facets.linked(self.found_facets, self.request)}


@extend_schema_view(list=extend_schema(summary=_("Partner countries and organisations"), description=_(
    "Every partner country and organisation, in the list page's order of regions, a page at a "
    "time (follow “next”); the fields are the CSV export's columns.")),
                    retrieve=extend_schema(description=RECORD_DOC, summary=_("A partner country or organisation")))
class CountryViewSet(TwinViewSet):
    resource_class = CountryResource
    serializer_class = row_serializer(CountryResource)
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        countries = Country.objects.all()
        if self.action == "retrieve":
            return countries
        # The list page's order of regions, under a name the keyset can carry; one order of
        # names in every language, the English page's (as the officials').
        return (countries.exclude(code=JAPAN).annotate(region_rank=in_region_order())
                .order_by("region_rank", "name_en", "pk"))

    def retrieve(self, request, *args, **kwargs):
        # /api/countries/au/, as the lists take ?country=au: the partner's one address, as
        # its page does (an unknown code stays this API's own 404)
        code = kwargs[self.lookup_field]
        if code != code.upper() and Country.objects.filter(code=code.upper()).exists():
            return recased(request, code, "api:country-detail")
        return super().retrieve(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        if self.action == "list":  # the page takes no filter: nothing is silently ignored
            refuse_unknown(self.request.query_params, ())
        return queryset

    def page_extra(self):
        return {"count": Country.objects.exclude(code=JAPAN).count()}


# The officials' filters are a form (the HTML list's), which drf-spectacular cannot read as
# it reads a FilterSet: their parameters are described here, in the form's own words, and a
# test holds them to its fields.
OFFICIAL_FILTERS = OfficialFilterForm.base_fields
OFFICIAL_PARAMETERS = [
    OpenApiParameter("country", str, description=format_lazy(
        "{}\n\n{}", OFFICIAL_FILTERS["country"].label, PARTNER_HELP)),
    OpenApiParameter("q", str, description=OFFICIAL_FILTERS["q"].label),
]


@extend_schema_view(list=extend_schema(summary=_("Officials"), parameters=OFFICIAL_PARAMETERS, description=_(
    "The officials the HTML list at the same query string shows, in the English page's order of "
    "names, a page at a time (follow “next”); the fields are the CSV export's columns.")),
                    retrieve=extend_schema(description=RECORD_DOC, summary=_("An official, with the offices they held")))
class OfficialViewSet(TwinViewSet):
    """The officials' list filters by a form of its own (by name and by country)."""

    resource_class = OfficialResource
    serializer_class = OfficialRow
    record_serializer = OfficialRecord
    filter_backends = []
    lookup_field = "slug"

    def get_queryset(self):
        # One order in every language (the pages list by reading in Japanese): a client that
        # pages through in one language and then the other sees the same sequence.
        return Official.objects.select_related("country").order_by("name_en", "slug")

    def filter_queryset(self, queryset):
        if self.action == "retrieve":
            return queryset
        form = OfficialFilterForm(self.request.query_params)
        refuse_unknown(self.request.query_params, form.fields)
        if form.is_bound and not form.is_valid():
            raise ValidationError(form.errors)
        self.selected = chosen_officials(form, queryset)
        return self.selected

    def page_extra(self):
        return {"count": self.selected.count()}


@extend_schema(exclude=True)  # the description itself is one of the addresses it gives
class ApiRoot(APIView):
    """/api/: the address of every list, of the OpenAPI description and of its documentation,
    where a client that starts at the root would otherwise find nothing."""

    ADDRESSES = {"meetings": "api:meeting-list", "agreements": "api:agreement-list",
                 "exercises": "api:exercise-list", "engagements": "api:engagement-list",
                 "countries": "api:country-list", "officials": "api:official-list",
                 "schema": "api:schema", "docs": "api:docs"}

    def get(self, request):
        refuse_unknown(request.query_params, ())
        return Response({name: request.build_absolute_uri(reverse(url_name))
                         for name, url_name in self.ADDRESSES.items()})

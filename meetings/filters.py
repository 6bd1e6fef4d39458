"""Filters of the public lists, each list's filter set (on meetings.faceted's) drawing its
facets (meetings.facets).

Many-to-many filters (partner countries, officials, parties) repeat and narrow (AND), so their
facets' counts are taken within the current rows; single-valued filters replace their value,
so theirs are taken with that one filter left out.
"""
import datetime
from collections import Counter

import django_filters
from django.db.models import F, Sum
from django.utils.translation import gettext_lazy as _

from meetings.filter_fields import DayFilter, MonthFilter, YearFilter, YearMonthForm, keys_filter
from meetings.faceted import FacetedFilterSet
from meetings.facets import Choice, Facet, FieldFacet, ServiceFacet, YearFacet, toggled
from meetings.models import Agreement, Engagement, Exercise, Meeting, Occasion, Status
from meetings.models.services import SERVICES
from meetings.models.venues import Venue
from partners.models import Country, Official
from partners.readings import name_sort_key


def search(queryset, name, value):
    return queryset.search(value.strip()) if value.strip() else queryset


# --- meetings ---------------------------------------------------------------------------------

SORTS = [("date", _("oldest first"))]  # the empty choice: newest first


class MeetingFilter(FacetedFilterSet):
    q = django_filters.CharFilter(method=search, label=_("Search"))
    country = keys_filter("countries", Country.objects.all(), "code", _("Partner"))
    official = keys_filter("participants", Official.objects.all(), "slug", _("Official"))
    year = YearFilter(method="filter_period", label=_("Year"))
    month = MonthFilter(method="filter_nothing", label=_("Month"))
    level = django_filters.ChoiceFilter(choices=Meeting.Level.choices, label=_("Level"))
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices, label=_("Kind"))
    format = django_filters.ChoiceFilter(choices=Meeting.Format.choices, label=_("Format"))
    venue = django_filters.ChoiceFilter(choices=Venue.choices, label=_("Where"))
    occasion = django_filters.ModelChoiceFilter(
        queryset=Occasion.objects.all(), to_field_name="key", label=_("Occasion")
    )
    sort = django_filters.ChoiceFilter(choices=SORTS, method="sort_by", label=_("Order"),
                                       empty_label=_("newest first"))

    # The encounters the rows stand for (a record the source aggregates stands for its count),
    # summed with the blocks' counts when nothing is filtered (meetings.unfiltered).
    block_sums = {"encounters": Sum("count")}
    facet_specs = (
        FieldFacet("country", _("Partner"), "countries__code", names="countries__", multiple=True,
                   readings=True),
        FieldFacet("official", _("Official"), "participants__slug", names="participants__",
                   multiple=True, readings=True),
        FieldFacet("level", _("Level"), "level", choices=Meeting.Level),
        FieldFacet("kind", _("Kind"), "kind", choices=Meeting.Kind),
        FieldFacet("format", _("Format"), "format", choices=Meeting.Format),
        FieldFacet("venue", _("Where"), "venue", choices=Venue),
        YearFacet(),
        FieldFacet("occasion", _("Occasion"), "occasion__key", names="occasion__"),
    )

    class Meta:
        model = Meeting
        fields = []
        form = YearMonthForm

    def filter_period(self, queryset, name, year):
        return queryset.in_period(int(year), self.form.cleaned_data.get("month"))

    def filter_nothing(self, queryset, name, value):
        return queryset  # the month is applied with the year

    def sort_by(self, queryset, name, value):
        return queryset.order_by("date_lower", "key")  # only called for ?sort=date


# --- exercises --------------------------------------------------------------------------------

class ExerciseFilter(FacetedFilterSet):
    q = django_filters.CharFilter(method=search, label=_("Search"))
    country = keys_filter("countries", Country.objects.all(), "code", _("Partner"))
    year = YearFilter(method="filter_period", label=_("Year"))
    role = django_filters.ChoiceFilter(field_name="japan_role", choices=Exercise.Role.choices,
                                       label=_("Japan's role"))

    facet_specs = (
        FieldFacet("country", _("Partner"), "countries__code", names="countries__", multiple=True,
                   readings=True),
        YearFacet(),
        FieldFacet("role", _("Japan's role"), "japan_role", choices=Exercise.Role),
    )

    class Meta:
        model = Exercise
        fields = []

    def filter_period(self, queryset, name, year):
        return queryset.in_period(int(year))


# --- engagements ------------------------------------------------------------------------------

class EngagementFilter(FacetedFilterSet):
    q = django_filters.CharFilter(method=search, label=_("Search"))
    country = keys_filter("countries", Country.objects.all(), "code", _("Partner"))
    year = YearFilter(method="filter_period", label=_("Year"))
    kind = django_filters.ChoiceFilter(choices=Engagement.Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=Engagement.Status.choices, label=_("Status"))
    service = django_filters.ChoiceFilter(choices=list(SERVICES.items()), method="filter_service",
                                          label=_("Service"))
    sort = django_filters.ChoiceFilter(choices=SORTS, method="sort_by", label=_("Order"),
                                       empty_label=_("newest first"))

    facet_specs = (
        FieldFacet("country", _("Partner"), "countries__code", names="countries__", multiple=True,
                   readings=True),
        FieldFacet("kind", _("Kind"), "kind", choices=Engagement.Kind),
        FieldFacet("status", _("Status"), "status", choices=Engagement.Status),
        YearFacet(),
        ServiceFacet(),
    )

    class Meta:
        model = Engagement
        fields = []

    def filter_period(self, queryset, name, year):
        return queryset.in_period(int(year))

    def filter_service(self, queryset, name, code):
        return queryset.with_service(code)

    def sort_by(self, queryset, name, value):
        # Oldest first, and still the undated last: they have no place in either order.
        return queryset.order_by(F("date_lower").asc(nulls_last=True), "key")


# --- agreements -------------------------------------------------------------------------------

STATUS_PARAMS = [(status.value or "none", status.label) for status in Status]


def status_param(status):
    return status.value or "none"


class AgreementFilter(FacetedFilterSet):
    """Status depends on the milestones, so it is computed for the rows the other filters
    select (prefetched, a constant number of queries) and its facets are counted from them."""

    q = django_filters.CharFilter(method=search, label=_("Search"))
    party = keys_filter("parties", Country.objects.all(), "code", _("Party"))
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=STATUS_PARAMS, method="filter_nothing",
                                         label=_("Status"))
    as_of = DayFilter(method="filter_nothing", label=_("As of"))

    class Meta:
        model = Agreement
        fields = []

    def filter_nothing(self, queryset, name, value):
        return queryset  # applied to the computed statuses in rows()

    @property
    def as_of_day(self):
        self.errors  # noqa: B018
        return self.form.cleaned_data.get("as_of") or datetime.date.today()

    def rows(self, params):
        """(agreements shown, facets): each agreement carries ``status_as_of``."""
        day = self.as_of_day
        params = self.good_params(params)
        base = list(self.without("kind", "status").with_lifecycle())
        for agreement in base:
            agreement.status_as_of = agreement.status_on(day)
        kind = self.form.cleaned_data.get("kind")
        status = self.form.cleaned_data.get("status")
        kind_ok = [a for a in base if not kind or a.kind == kind]
        status_ok = [a for a in base if not status or status_param(a.status_as_of) == status]
        rows = [a for a in kind_ok if not status or status_param(a.status_as_of) == status]
        parties = Counter(p for a in rows for p in a.parties.all())
        kinds = Counter(a.kind for a in status_ok)
        statuses = Counter(status_param(a.status_as_of) for a in kind_ok)
        facets = [
            self._facet(params, "party", _("Party"), [
                (party.code, party.name, n) for party, n in sorted(
                    parties.items(), key=lambda item: (-item[1], name_sort_key(item[0])))
            ], multiple=True),
            self._facet(params, "kind", _("Kind"), [
                (value, str(label), kinds[value]) for value, label in Agreement.Kind.choices if kinds[value]
            ]),
            self._facet(params, "status", _("Status"), [
                (value, str(label), statuses[value]) for value, label in STATUS_PARAMS if statuses[value]
            ]),
        ]
        return rows, facets

    def _facet(self, params, param, title, counts, multiple=False):
        selected = set(params.getlist(param))
        return Facet(param, title, [
            Choice(value, label, n, value in selected, toggled(params, param, value, multiple=multiple))
            for value, label, n in counts
        ])

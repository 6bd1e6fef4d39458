"""Lists with filters and facets, detail pages, their CSV exports and the data dictionary."""
from django.core.paginator import Paginator
from django.db.models import DateField, QuerySet, Value
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject

from defrel import dates
from defrel.exports import applied, refused, stream_csv
from defrel.kept import cached
from defrel.links import key_in_any_case, untracked
from meetings import dictionary, tables
from meetings.filters import AgreementFilter, ExerciseFilter, MeetingFilter
from meetings.forms import suggestions
from meetings.models import Agreement, Exercise, Meeting, Participation, Release
from meetings.resources import AgreementResource, ExerciseResource, MeetingResource

PER_PAGE = 50
SEARCH_FIELDS = ("q", "as_of", "year", "month", "sort")  # drawn in the search form itself
# Repeatable filters drawn as one box each (meetings.forms.NameInput), holding the last value.
NAME_FIELDS = ("country", "party", "official")


def carried(params):
    """The other current filters, as hidden inputs of the search form, so searching keeps them
    (a name box's earlier values too: the box shows the last)."""
    return [(name, value) for name in params if name not in SEARCH_FIELDS and name != "page"
            for value in params.getlist(name)[:-1 if name in NAME_FIELDS else None]]


class CountedPaginator(Paginator):
    """A paginator told its count (cached with the facets) instead of counting every time,
    whose deep pages cost about what the first does."""

    def __init__(self, object_list, per_page, count=None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.count = count  # shadows the cached_property

    def page(self, number):
        """A queryset's page is found by its ids first and then read: the database skips the
        rows before it in the sorting index alone, instead of reading every row it skips."""
        page = super().page(number)
        if isinstance(page.object_list, QuerySet):
            ids = list(page.object_list.values_list("pk", flat=True))
            page.object_list = self.object_list.filter(pk__in=ids)
        return page


class FoundPaginator(Paginator):
    """The pages of a text search's rows, whose ids were found in the list's order
    (FacetedFilterSet.found_ids): a page is a slice of them, its rows read by those ids alone."""

    def __init__(self, ids, rows, per_page):
        super().__init__(ids, per_page)
        self.rows = rows

    def page(self, number):
        page = super().page(number)
        page.object_list = self.rows.filter(pk__in=page.object_list)
        return page


def paginator(filterset, count):
    """The pages of the rows ``filterset`` selects, each row with what the list shows (its
    queryset's ``for_list()``)."""
    ids = filterset.found_ids(filterset.qs)
    if ids is None:
        return CountedPaginator(filterset.qs.for_list(), PER_PAGE, count)
    return FoundPaginator(ids, filterset.queryset.order_by(*filterset.ordering).for_list(), PER_PAGE)


def with_keys(filterset, params):
    """``params`` as the list's links write them: the names typed into name boxes as the keys
    they stand for (meetings.forms.NamedChoiceField), so that the facets mark the records
    chosen and their links take them away, and no tracking parameter (?utm_source=)."""
    params = untracked(params)
    filterset.is_valid()
    for name in NAME_FIELDS:
        keys = getattr(filterset.form.fields.get(name), "keys", None)
        if keys is not None:
            params.setlist(name, keys)
    return params


def list_context(request, filterset, rows=None, facets=None):
    """The context of a filtered list: without ``rows``, the filterset's own (see paginator())
    and its facets, counted (with the total) once per change of the data."""
    params = with_keys(filterset, request.GET)
    if rows is None:
        data = filterset.data_stamp
        facets = filterset.facets(params, data)
        pages = paginator(filterset, filterset.count(params, data))
    else:
        pages = CountedPaginator(rows, PER_PAGE)
    return {
        "filter": filterset,
        "list_form": filterset.form,  # what the canonical address keeps (defrel_i18n.canonical_query)
        "fields": [filterset.form[name] for name in SEARCH_FIELDS[:1] + NAME_FIELDS + SEARCH_FIELDS[1:]
                   if name in filterset.form.fields],
        "suggestions": SimpleLazyObject(suggestions),
        "page_obj": pages.get_page(request.GET.get("page")),
        "facets": facets,
        "errors": filterset.error_messages(),
        "carried": carried(params),
    }


def export_queryset(resource, filterset):
    """The resource's own query shape, limited to the rows the filters select, in their order."""
    rows = filterset.qs
    ordering = rows.query.order_by or rows.model._meta.ordering
    return resource.get_queryset().filter(pk__in=rows.order_by().values("pk")).order_by(*ordering)


# --- meetings ---------------------------------------------------------------------------------

def meeting_list(request):
    filterset = MeetingFilter(request.GET, queryset=Meeting.objects.all())
    context = list_context(request, filterset)
    context["encounters"] = encounters(filterset, request.GET)
    return render(request, "meetings/meeting_list.html", context)


def encounters(filterset, params):
    """How many encounters the selected records stand for (a record the source aggregates,
    "6回にわたる会談", stands for its count): what the charts count, so that the list can say
    both. Remembered like the list's count."""
    key = filterset.counts_key(filterset.good_params(params), "encounters")
    return cached(key, lambda: filterset.total("encounters"), filterset.data_stamp)


@key_in_any_case(Meeting)
def meeting_detail(request, key):
    meeting = get_object_or_404(Meeting.objects.for_page(), key=key)
    participations = meeting.titled_participations()
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting,
        "participations": participations,
        "public_record_count": sum(p.known_from == Participation.KnownFrom.PUBLIC_RECORD for p in participations),
    })


def meeting_export(request):
    filterset = MeetingFilter(request.GET, queryset=Meeting.objects.all())
    if not filterset.is_valid():
        return refused(filterset.errors)
    resource = MeetingResource()
    return stream_csv(resource, export_queryset(resource, filterset), "defrel-meetings.csv",
                      applied(request.GET, filterset.filters))


# --- agreements -------------------------------------------------------------------------------

def agreement_list(request):
    filterset = AgreementFilter(request.GET, queryset=Agreement.objects.all())
    rows, facets = filterset.rows(with_keys(filterset, request.GET))
    context = list_context(request, filterset, rows, facets)
    context["as_of_display"] = dates.day_display(filterset.as_of_day)
    return render(request, "meetings/agreement_list.html", context)


@key_in_any_case(Agreement)
def agreement_detail(request, key):
    agreement = get_object_or_404(Agreement.objects.with_lifecycle(), key=key)
    return render(request, "meetings/agreement_detail.html", {
        "agreement": agreement,
        "status": agreement.status_on(),
        "events": list(agreement.events.all()),
    })


def agreement_export(request):
    filterset = AgreementFilter(request.GET, queryset=Agreement.objects.all())
    if not filterset.is_valid():
        return refused(filterset.errors)
    rows, _facets = filterset.rows(request.GET)
    resource = AgreementResource()
    queryset = resource.get_queryset().filter(pk__in=[a.pk for a in rows]).annotate(
        as_of_day=Value(filterset.as_of_day, DateField()))  # status_as_of: the list's day
    return stream_csv(resource, queryset, "defrel-agreements.csv",
                      applied(request.GET, filterset.filters))


# --- exercises --------------------------------------------------------------------------------

def exercise_list(request):
    filterset = ExerciseFilter(request.GET, queryset=Exercise.objects.all())
    context = list_context(request, filterset)
    return render(request, "meetings/exercise_list.html", context)


@key_in_any_case(Exercise)
def exercise_detail(request, key):
    exercise = get_object_or_404(
        Exercise.objects.select_related("host_country", "source").prefetch_related(
            "countries", "meetings"
        ),
        key=key,
    )
    return render(request, "meetings/exercise_detail.html", {"exercise": exercise})


def exercise_export(request):
    filterset = ExerciseFilter(request.GET, queryset=Exercise.objects.all())
    if not filterset.is_valid():
        return refused(filterset.errors)
    resource = ExerciseResource()
    return stream_csv(resource, export_queryset(resource, filterset), "defrel-exercises.csv",
                      applied(request.GET, filterset.filters))


# --- data dictionary --------------------------------------------------------------------------

def data_dictionary(request):
    exports = dictionary.exports()
    if request.GET.get("format") == "csv":
        response = HttpResponse(dictionary.as_csv(exports), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{dictionary.csv_name()}"'
        return response
    counts = tables.row_counts()
    return render(request, "meetings/data_dictionary.html", {
        "exports": exports,
        "listed": [(export, counts[export.slug]) for export in exports],
        "release": Release.objects.order_by("-created_at").first(),
    })

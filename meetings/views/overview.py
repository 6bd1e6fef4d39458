"""The overview pages: home, the merged timeline and the agreements matrix."""
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Prefetch, Q
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from defrel import dates

from defrel.timeline import by_year_and_month, merge
from meetings.models import Agreement, AgreementEvent, Exercise, Meeting, Status
from partners.forms import GlobalTimelineForm
from partners.models import Country, Official, Region
from partners.views import CHRONOLOGICAL, JAPAN, by_region, encounters_by_level

LATEST = 10
TIMELINE_PAGE = 200
TIMELINE_DEPTH = 2000


def streams(*, country=None, official=None, kinds=("meeting", "milestone", "exercise")):
    """The chosen dated streams, oldest first, shaped for the timeline templates."""
    meetings = Meeting.objects.prefetch_related("countries")
    milestones = AgreementEvent.objects.select_related("agreement").prefetch_related("agreement__parties")
    exercises = Exercise.objects.prefetch_related("countries")
    if country:
        meetings = meetings.with_country(country.code)
        milestones = milestones.filter(agreement__parties=country)
        exercises = exercises.filter(countries=country)
    if official:
        meetings = meetings.with_official(official.slug)
    chosen = {"meeting": meetings, "milestone": milestones, "exercise": exercises}
    return {kind: qs.order_by(*CHRONOLOGICAL) for kind, qs in chosen.items() if kind in kinds}


def extent(selected, span):
    """(first year, last year, records within ``span``) over the streams, one aggregate
    query each: min and max come off the date_lower index, no per-row year extraction."""
    first, last, total = None, None, 0
    for qs in selected.values():
        row = qs.order_by().aggregate(
            first=Min("date_lower"), last=Max("date_lower"), n=Count("pk", filter=Q(**span)),
        )
        if row["first"]:
            first = min(first or row["first"], row["first"])
            last = max(last or row["last"], row["last"])
            total += row["n"]
    return (range(last.year, first.year - 1, -1) if first else []), total


def newest(selected, page):
    """The entries of one page, newest first: only the newest ``page.end_index()`` rows of
    each stream can be on it, so deep history is never fetched for the first pages."""
    upto = page.end_index()
    tops = [(kind, list(qs.reverse()[:upto])[::-1]) for kind, qs in selected.items()]
    return merge(*tops, reverse=True)[page.start_index() - 1:upto]


def home(request):
    latest = newest(streams(), Paginator(range(LATEST), LATEST).page(1))
    return render(request, "meetings/home.html", {
        "counts": {
            "meetings": Meeting.objects.count(),
            "countries": Country.objects.exclude(code=JAPAN).count(),
            "officials": Official.objects.count(),
            "agreements": Agreement.objects.count(),
            "exercises": Exercise.objects.count(),
        },
        "latest": latest,
        "chart": encounters_by_level(Meeting.objects.all(), Meeting.Level.choices),
        "regions": by_region(Country.objects.exclude(code=JAPAN)),
    })


def timeline(request):
    form = GlobalTimelineForm(request.GET)
    chosen = form.valid()
    kinds = form.kinds() & {"meeting"} if chosen.get("official") else form.kinds()  # officials attend meetings
    selected = streams(country=chosen.get("country"), official=chosen.get("official"), kinds=kinds)
    year = chosen.get("year")
    span = year_span(year) if year else {}
    years, total = extent(selected, span)
    selected = {kind: qs.filter(**span) for kind, qs in selected.items()}
    # Without a year, paging stops at a depth that stays fast; the years lead further back.
    depth = total if year else min(total, TIMELINE_DEPTH)
    page = Paginator(range(depth), TIMELINE_PAGE).get_page(request.GET.get("page"))
    chosen_key = [getattr(chosen.get("country"), "code", ""), getattr(chosen.get("official"), "slug", ""),
                  "|".join(sorted(kinds)), year or "", page.number]
    return render(request, "meetings/timeline.html", {
        "form": form, "chosen": chosen, "entry_count": total,
        "years": years, "page_obj": page, "truncated": not year and total > TIMELINE_DEPTH,
        # A page's records (hundreds, with their partners) change only with the data: the
        # template keeps them drawn under the data stamp, per language, selection and page.
        "selection": ":".join(map(str, chosen_key)),
        "groups": SimpleLazyObject(lambda: by_year_and_month(newest(selected, page), newest_first=True)),
    })


def year_span(year):
    """A range, not __year: the date_lower indexes serve it (SQLite extracts years row by row)."""
    return {"date_lower__gte": datetime.date(year, 1, 1), "date_lower__lt": datetime.date(year + 1, 1, 1)}


def as_of_day(request):
    """?as_of=YYYY-MM-DD, or today with a message when it is not a day."""
    text = request.GET.get("as_of", "").strip()
    if text:
        try:
            return dates.parse_day(text), text
        except ValidationError as error:
            messages.error(request, error.messages[0])
    return datetime.date.today(), ""


def matrix(request):
    day, as_of_text = as_of_day(request)
    return render(request, "meetings/agreement_matrix.html", {
        "day": day, "as_of": as_of_text, "statuses": [s for s in Status if s != Status.UNKNOWN],
        # Thousands of cells take a second or more to build and render, and change only with
        # the data: the template keeps the table under the data stamp, and builds it only
        # when it has none for this day and language.
        "matrix": SimpleLazyObject(lambda: agreements_matrix(day)),
    })


def agreements_matrix(day):
    """{"columns": [(kind, label)], "rows": [(partner, [cells])]}: each partner's agreements
    of each kind that had begun by ``day``, with their status then."""
    # Only the columns a cell shows: at thousands of agreements, building the objects is the cost.
    agreements = Agreement.objects.select_related("source").only(
        "key", "short_name", "title_ja", "title_en", "kind", "stated_status", "source__date")
    agreements = agreements.prefetch_related(
        Prefetch("parties", queryset=Country.objects.exclude(code=JAPAN).only("code", "name_ja", "name_en", "region")),
        Prefetch("events", queryset=AgreementEvent.objects.only("agreement", "kind", "date_lower")),
    ).order_by("short_name", "title_en")
    cells, kinds = {}, set()
    for agreement in agreements:
        status = agreement.status_on(day)
        if status == Status.UNKNOWN:
            continue  # nothing had happened to it yet on that day
        kinds.add(agreement.kind)
        for party in agreement.parties.all():
            cells.setdefault(party, {}).setdefault(agreement.kind, []).append((agreement, status))
    columns = [(k, label) for k, label in Agreement.Kind.choices if k in kinds]
    partners = sorted(cells, key=lambda c: (Region.values.index(c.region), c.name_en))
    return {"columns": columns, "rows": [(c, [cells[c].get(k, []) for k, _ in columns]) for c in partners]}

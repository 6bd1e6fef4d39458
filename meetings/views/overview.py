"""The overview pages: home, the merged timeline and the agreements matrix."""
import datetime
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from defrel import dates
from defrel.models import Source
from defrel.stamp import cached, curated_models, token
from defrel.timeline import by_year_and_month, entries
from meetings.forms import GlobalTimelineForm, suggestions
from meetings.models import Agreement, AgreementEvent, Engagement, Exercise, Meeting, Participation, Status
from meetings.views.profiles import JAPAN, by_region, encounters_by_level
from partners.models import Country, Official, Region
from partners.readings import name_sort_key

LATEST = 10
TIMELINE_PAGE = 200
TIMELINE_DEPTH = 2000


def home(request):
    return render(request, "meetings/home.html", {
        "counts": {
            "meetings": Meeting.objects.count(),
            "countries": Country.objects.exclude(code=JAPAN).count(),
            "officials": Official.objects.count(),
            "agreements": Agreement.objects.count(),
            "exercises": Exercise.objects.count(),
            "engagements": Engagement.objects.count(),
        },
        "latest": entries()[:LATEST],
        "chart": encounters_by_level(Meeting.objects.all()),
        "regions": by_region(Country.objects.exclude(code=JAPAN)),
    })


def timeline(request):
    form = GlobalTimelineForm(request.GET)
    chosen = form.valid()
    year = chosen.get("year")
    found = entries(country=chosen.get("country"), official=chosen.get("official"),
                    kinds=form.kinds(), year=year)
    chosen_key = [getattr(chosen.get("country"), "code", ""), getattr(chosen.get("official"), "slug", ""),
                  "|".join(form.kinds() or ["all"]), year or ""]
    # The years and the count read every row of each kind (0.1 s at 100,000 meetings) and
    # change only with the data: kept under the data stamp, like the page's records.
    country = chosen.get("country")
    stamp = SimpleLazyObject(lambda: token(*curated_models(), partner_pk=getattr(country, "pk", None)))
    found.extent = cached(f"timeline:extent:{':'.join(map(str, chosen_key))}", lambda: found.extent, stamp)
    total = found.count()
    # Without a year, paging stops at a depth that stays fast; the years lead further back.
    depth = total if year else min(total, TIMELINE_DEPTH)
    page = Paginator(range(depth), TIMELINE_PAGE).get_page(request.GET.get("page"))
    return render(request, "meetings/timeline.html", {
        "form": form, "chosen": chosen, "entry_count": total,
        "years": found.years, "page_obj": page, "truncated": not year and total > TIMELINE_DEPTH,
        # A page's records (hundreds, with their partners) change only with the data: the
        # template keeps them drawn under the data stamp, per language, selection and page.
        "selection": ":".join(map(str, [*chosen_key, page.number])), "data_stamp": stamp,
        "groups": SimpleLazyObject(lambda: by_year_and_month(
            found[max(page.start_index() - 1, 0):page.end_index()], newest_first=True)),
        "suggestions": SimpleLazyObject(suggestions),
    })



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
        "data_stamp": SimpleLazyObject(lambda: token(Agreement, AgreementEvent, Country, Source)),
    })


def agreements_matrix(day):
    """{"columns": [(kind, label)], "rows": [(partner, [cells])]}: each partner's agreements
    of each kind that had begun by ``day``, with their status then."""
    # Only the columns a cell shows: at thousands of agreements, building the objects is the
    # cost. Their partners and milestones are read in a query each and handed to each
    # agreement, rather than by prefetch_related(), which makes a manager and a queryset for
    # every agreement: 790 → 252 ms for 5,000 agreements (bench/NOTES.md, "The agreements
    # matrix built again").
    agreements = Agreement.objects.select_related("source").only(
        "key", "short_name", "title_ja", "title_en", "kind", "stated_status", "source__date",
    ).order_by("short_name", "title_en")
    countries = Country.objects.exclude(code=JAPAN).only("code", "name_ja", "name_en", "reading", "region").in_bulk()
    parties, events = defaultdict(list), defaultdict(list)
    for agreement_id, country_id in Agreement.parties.through.objects.values_list("agreement_id", "country_id"):
        if country_id in countries:  # Japan, a party to every agreement, has no row
            parties[agreement_id].append(countries[country_id])
    for event in AgreementEvent.objects.only("agreement", "kind", "date_lower"):
        events[event.agreement_id].append(event)
    cells, kinds = {}, set()
    for agreement in agreements:
        status = agreement.status_on(day, events[agreement.pk])
        if status == Status.UNKNOWN:
            continue  # nothing had happened to it yet on that day
        kinds.add(agreement.kind)
        for party in parties[agreement.pk]:
            cells.setdefault(party, {}).setdefault(agreement.kind, []).append((agreement, status))
    columns = [(k, label) for k, label in Agreement.Kind.choices if k in kinds]
    partners = sorted(cells, key=lambda c: (Region.values.index(c.region), name_sort_key(c)))
    return {"columns": columns, "rows": [(c, [cells[c].get(k, []) for k, _ in columns]) for c in partners]}

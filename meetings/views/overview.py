"""The overview pages: home and the merged timeline (the agreements matrix: meetings.views.matrix)."""
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from defrel.kept import cached
from defrel.stamp import counts, curated_models, token
from defrel.timeline import by_year_and_month, entries
from meetings.forms import GlobalTimelineForm, suggestions
from meetings.models import Agreement, Engagement, Exercise, Meeting
from meetings.views.profiles import JAPAN, by_region, encounters_by_level
from partners.models import Country, Official

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
    # They read dates only, so a corrected summary or title leaves them kept (defrel.stamp).
    partner_pk = getattr(chosen.get("country"), "pk", None)
    stamp = SimpleLazyObject(lambda: token(*curated_models(), partner_pk=partner_pk))
    found.extent = cached(f"timeline:extent:{':'.join(map(str, chosen_key))}", lambda: found.extent,
                          counts(partner_pk))
    total = found.count()
    # Without a year, paging stops at a depth that stays fast; the years lead further back.
    depth = total if year else min(total, TIMELINE_DEPTH)
    page = Paginator(range(depth), TIMELINE_PAGE).get_page(request.GET.get("page"))
    return render(request, "meetings/timeline.html", {
        "form": form, "list_form": form, "chosen": chosen, "entry_count": total,
        "years": found.years, "page_obj": page, "truncated": not year and total > TIMELINE_DEPTH,
        # A page's records (hundreds, with their partners) change only with the data: the
        # template keeps them drawn under the data stamp, per language, selection and page.
        "selection": ":".join(map(str, [*chosen_key, page.number])), "data_stamp": stamp,
        "groups": SimpleLazyObject(lambda: by_year_and_month(
            found[max(page.start_index() - 1, 0):page.end_index()], newest_first=True)),
        "suggestions": SimpleLazyObject(suggestions),
    })

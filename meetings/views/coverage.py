"""What the data covers: its sources, the period each gives records for, and the records per
year, every number counted from the database as the page is drawn (never written down)."""
from collections import defaultdict

from django.db.models import Count, F, Max, Min, Sum
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from defrel import dates
from defrel.models import Source
from meetings.models import Agreement, AgreementEvent, Engagement, Exercise, Meeting
from partners.models import localised

WHITE_PAPER = "wp2025"  # the one long source: the key its records cite (sources/README.md)
ALLY = "US"

# (key, model, heading, what one record counts for): meetings count their encounters, as the
# charts do (meetings.views.profiles.encounters_by_level).
KINDS = [
    ("meetings", Meeting, _("Meetings"), Sum("count")),
    ("milestones", AgreementEvent, _("Agreement milestones"), Count("pk")),
    ("exercises", Exercise, _("Exercises"), Count("pk")),
    ("engagements", Engagement, _("Engagements"), Count("pk")),
]


def month(day):
    return dates.parse(f"{day:%Y-%m}").display() if day else ""


def by_source():
    """Per source: its records of each kind and the months of the earliest and the latest,
    one grouped query per kind."""
    sources = {s.pk: {"source": s, "title": localised(s, "title"), "publisher": localised(s, "publisher"),
                      "counts": {}, "first": None, "last": None} for s in Source.objects.all()}
    unsourced = {}
    for key, model, _heading, _measure in KINDS:
        rows = model.objects.order_by().values("source").annotate(
            n=Count("pk"), first=Min("date_lower"), last=Max("date_lower"))
        for row in rows:
            if row["source"] is None:
                unsourced[key] = row["n"]
                continue
            entry = sources[row["source"]]
            entry["counts"][key] = row["n"]
            for bound, pick in (("first", min), ("last", max)):
                known = [d for d in (entry[bound], row[bound]) if d]
                entry[bound] = pick(known) if known else None
    for entry in sources.values():
        entry["counts"] = [entry["counts"].get(key, 0) for key, *_rest in KINDS]
        entry["period"] = (month(entry["first"]), month(entry["last"]))
        entry["published"] = dates.parse(entry["source"].date).display() if entry["source"].date else ""
    # The long source first, then the others as they were published.
    ordered = sorted(sources.values(), key=lambda e: (e["source"].key != WHITE_PAPER, e["source"].date))
    return ordered, unsourced


def per_year():
    """[{"year", "counts": [per kind], "white_paper": meetings from it}], by the charts' rule
    (DatedQuerySet.per_year: a record counts in every year its dates overlap)."""
    table = defaultdict(lambda: [0] * len(KINDS))
    white_paper = defaultdict(int)
    for i, (_key, model, _heading, measure) in enumerate(KINDS):
        for row in model.objects.per_year(measure, source_key=F("source__key")):
            table[row["year"]][i] += row["n"]
            if i == 0 and row["source_key"] == WHITE_PAPER:
                white_paper[row["year"]] += row["n"]
    return [{"year": year, "counts": counts, "white_paper": white_paper[year]}
            for year, counts in sorted(table.items())]


def coverage(request):
    sources, unsourced = by_source()
    years = per_year()
    meetings_total = sum(row["counts"][0] for row in years)
    busiest = max(years, key=lambda row: row["counts"][0], default=None)
    white_paper = next((s for s in sources if s["source"].key == WHITE_PAPER), None)
    return render(request, "meetings/coverage.html", {
        "kinds": [heading for _key, _model, heading, _measure in KINDS],
        "sources": sources,
        "unsourced": sum(unsourced.values()),
        "years": years,
        "busiest": busiest,
        "meetings_total": meetings_total,
        "busiest_share": round(100 * busiest["counts"][0] / meetings_total) if busiest and meetings_total else 0,
        "white_paper": white_paper,
        "white_paper_published": white_paper["published"] if white_paper else "",
        "white_paper_meetings": sum(row["white_paper"] for row in years),
        "undated": {"exercises": Exercise.objects.undated().count(),
                    "engagements": Engagement.objects.undated().count()},
        "ally_only_meetings": Meeting.objects.annotate(partners=Count("countries"))
                                     .filter(partners=1, countries__code=ALLY).count(),
        "ally_agreements": Agreement.objects.filter(parties__code=ALLY).prefetch_related("parties"),
    })

"""What the data covers: its sources, the period each gives records for, and the records per
year, every number counted from the database (never written down), anew after every change."""
from collections import defaultdict

from django.db.models import Count, F, Max, Min, Sum
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from defrel import dates
from defrel.dated import drawn_newest_source_year, ongoing_until
from defrel.models import Source
from defrel.kept import cached
from defrel.stamp import token
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


def source_counts():
    """({source id: {"counts": [per kind], "first", "last"}}, records naming no source): the
    records of each source and the earliest and latest of their dates, a grouped query a kind."""
    sources, unsourced = defaultdict(lambda: {"counts": [0] * len(KINDS), "first": None, "last": None}), 0
    for i, (_key, model, _heading, _measure) in enumerate(KINDS):
        rows = model.objects.order_by().values("source").annotate(
            n=Count("pk"), first=Min("date_lower"), last=Max("date_lower"))
        for row in rows:
            if row["source"] is None:
                unsourced += row["n"]
                continue
            entry = sources[row["source"]]
            entry["counts"][i] = row["n"]
            for bound, pick in (("first", min), ("last", max)):
                known = [d for d in (entry[bound], row[bound]) if d]
                entry[bound] = pick(known) if known else None
    return dict(sources), unsourced


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


def numbers():
    """Everything the page counts: every record read (1.7 s at 100,000 meetings), so kept
    until the data changes (defrel.stamp)."""
    sources, unsourced = source_counts()
    return {
        "sources": sources, "unsourced": unsourced, "years": per_year(),
        "undated": {"exercises": Exercise.objects.undated().count(),
                    "engagements": Engagement.objects.undated().count()},
        "ally_only_meetings": Meeting.objects.annotate(partners=Count("countries"))
                                     .filter(partners=1, countries__code=ALLY).count(),
        # The last year an open end counts in, when a dated source sets it (defrel.dated).
        "open_ends_until": ongoing_until() if drawn_newest_source_year() else None,
    }


def by_source(counted):
    """The sources as the table shows them: the long one first, then by their dates (the day a
    document was published, or the day it reports on, as a press conference's)."""
    entries = []
    for source in sorted(Source.objects.all(), key=lambda s: (s.key != WHITE_PAPER, s.date)):
        found = counted.get(source.pk, {"counts": [0] * len(KINDS), "first": None, "last": None})
        entries.append({
            "source": source, "title": localised(source, "title"), "publisher": localised(source, "publisher"),
            "dated": dates.parse(source.date).display() if source.date else "",
            "counts": found["counts"], "period": (month(found["first"]), month(found["last"])),
        })
    return entries


def coverage(request):
    counted = cached("coverage", numbers, token())
    sources, years = by_source(counted["sources"]), counted["years"]
    meetings_total = sum(row["counts"][0] for row in years)
    busiest = max(years, key=lambda row: row["counts"][0], default=None)
    white_paper = next((s for s in sources if s["source"].key == WHITE_PAPER), None)
    return render(request, "meetings/coverage.html", {
        "kinds": [heading for _key, _model, heading, _measure in KINDS],
        "sources": sources,
        "unsourced": counted["unsourced"],
        "years": years,
        "busiest": busiest,
        "meetings_total": meetings_total,
        "busiest_share": round(100 * busiest["counts"][0] / meetings_total) if busiest and meetings_total else 0,
        "white_paper": white_paper,
        "white_paper_published": white_paper["dated"] if white_paper else "",
        "white_paper_meetings": sum(row["white_paper"] for row in years),
        "undated": counted["undated"],
        "open_ends_until": counted.get("open_ends_until"),  # not in what an older release kept
        "ally_only_meetings": counted["ally_only_meetings"],
        "ally_agreements": Agreement.objects.filter(parties__code=ALLY).prefetch_related("parties"),
    })

"""Encounters over the years, as pictures: by level, by the partners' region and by where
they took place. Drawn on the server (defrel.charts: SVG, no script), each with its numbers
as a table for screen readers, and kept until the data changes."""
from django.db.models import Exists, F, OuterRef, Sum, Value
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from defrel import charts
from defrel.kept import cached
from defrel.stamp import token
from meetings.models import Meeting
from meetings.models.venues import Venue
from meetings.views.profiles import JAPAN, encounters_by_level
from partners.models import Region


def encounters_by_region(meetings):
    """Meetings per year stacked by their partners' region: a meeting with partners in two
    regions counts in each, once in each (one query a region, not a join that would count a
    meeting once per partner)."""
    links = Meeting.countries.through.objects.exclude(country__code=JAPAN)
    rows = []
    for region in Region.values:
        of_region = meetings.filter(Exists(links.filter(meeting=OuterRef("pk"), country__region=region)))
        rows += of_region.per_year(Sum("count"), series=Value(region))
    return charts.stacked_by_year(rows, Region.choices)


def encounters_by_venue(meetings):
    """Meetings per year stacked by where they took place (Meeting.venue)."""
    return charts.stacked_by_year(meetings.per_year(Sum("count"), series=F("venue")), Venue.choices)


def encounter_charts(request):
    stamp = SimpleLazyObject(token)
    meetings = Meeting.objects.all()

    def kept(name, draw):
        return SimpleLazyObject(lambda: cached(f"charts:{name}:{get_language()}", lambda: draw(meetings), stamp))

    return render(request, "meetings/charts.html", {
        "by_level": kept("level", encounters_by_level),
        "by_region": kept("region", encounters_by_region),
        "by_venue": kept("venue", encounters_by_venue),
    })

"""Offices over time: each position with its holders as far as the record knows, who came
before and after each, and the counterparts each holder met in that office (read from the
title stored with each participation, never worked out again here)."""
from collections import defaultdict

from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from defrel.kept import cached
from defrel.links import key_in_any_case
from defrel.stamp import counts
from meetings import tables
from meetings.models import Participation
from meetings.models.titles import with_tenure
from partners.models import Official, Position, Region, Tenure, in_region_order, successions
from partners.readings import name_order

JAPAN = "JP"
COUNTERPARTS_SHOWN = 10  # a holder's most frequent counterparts on the office's page


def level_rank():
    """Positions in the order of Position.Level (leaders first, "other" last)."""
    return Case(*(When(level=value, then=Value(i)) for i, value in enumerate(Position.Level.values)),
                output_field=IntegerField())


def office_list(request):
    """Japan's offices, then the partners' under their regions, in the order and with the
    headings of the partners' list (the white paper's order of regions)."""
    positions = (Position.objects.select_related("country")
                 .annotate(n_holders=Count("tenures__official", distinct=True), rank=level_rank())
                 .order_by(Case(When(country__code=JAPAN, then=0), default=1), in_region_order("country__"),
                           *name_order("country__"), "country_id", "rank", "title_en"))
    sections = defaultdict(lambda: defaultdict(list))  # heading -> country -> positions
    for position in positions:
        country = position.country
        heading = country.name if country.code == JAPAN else Region(country.region).label
        sections[heading][country].append(position)
    return render(request, "partners/office_list.html", {
        "sections": [(heading, list(countries.items())) for heading, countries in sections.items()],
        "tables": [tables.table("positions"), tables.table("tenures")]})  # what the list shows, whole


def counterparts(position):
    """{tenure id: [(official, meetings together)]}: the officials of other countries met by
    each holder of ``position`` in meetings attended in that office, the most frequent first.
    (Two holders of an office of several seats at one meeting: it counts for one of them.)"""
    mine = with_tenure(Participation.objects.filter(position=position))
    pairs = (Participation.objects.filter(meeting__in=mine.values("meeting"))
             .exclude(official__country_id=position.country_id)
             .annotate(holder=Subquery(mine.filter(meeting=OuterRef("meeting")).values("tenure")[:1]))
             .values("holder", "official").annotate(n=Count("meeting", distinct=True))
             .order_by("holder", "-n", "official"))
    found = defaultdict(list)
    for pair in pairs:
        found[pair["holder"]].append((pair["official"], pair["n"]))
    shown = {holder: met[:COUNTERPARTS_SHOWN] for holder, met in found.items()}
    officials = Official.objects.select_related("country").in_bulk(
        {official for met in shown.values() for official, _ in met})
    return {holder: [(officials[official], n) for official, n in met] for holder, met in shown.items()}


def meetings_per_tenure(participations):
    """{tenure id: meetings} of ``participations`` (a queryset), each counted in the tenure
    its stored title was held in."""
    return dict(with_tenure(participations.exclude(position=None)).order_by().values("tenure")
                .annotate(n=Count("meeting", distinct=True)).values_list("tenure", "n"))


@key_in_any_case(Position)
def office_detail(request, key):
    position = get_object_or_404(Position.objects.select_related("country"), key=key)
    tenures = list(position.tenures.select_related("official__country", "position").in_succession())
    around = successions(tenures)
    meetings = meetings_per_tenure(Participation.objects.filter(position=position))
    met = counterparts(position)
    holders = []
    for tenure in tenures:
        previous = around.get(tenure, (None, None))[0]
        holders.append({"tenure": tenure, "gap": previous is not None and tenure.gap_after(previous),
                        "meetings": meetings.get(tenure.pk, 0), "counterparts": met.get(tenure.pk, [])})
    return render(request, "partners/office_detail.html", {
        "position": position, "holders": holders, "single_seat": position.seats == 1,
    })


def offices_held(official):
    """An official's tenures in succession order, each with the holders before and after it
    in that office (with whether the record shows a gap) and the meetings attended in it."""
    tenures = list(official.tenures.select_related("position__country").in_succession())
    around = successions(Tenure.objects.filter(position__in={t.position_id for t in tenures})
                         .select_related("official", "position").in_succession())
    # The counts read every meeting of the official (thousands for the busiest: 40–90 ms at
    # 100,000 meetings), and change only with a count: kept while editors correct texts.
    meetings = cached(f"official:{official.pk}:meetings-per-tenure",
                      lambda: meetings_per_tenure(official.participations.all()), counts())
    held = []
    for tenure in tenures:
        previous, following = around.get(tenure, (None, None))  # tenures are equal by key
        held.append({
            "tenure": tenure, "previous": previous, "next": following,
            "gap_before": bool(previous) and tenure.gap_after(previous),
            "gap_after": bool(following) and following.gap_after(tenure),
            "meetings": meetings.get(tenure.pk, 0),
        })
    return held


def described(official, held):
    """What a shared link to an official's page says of them (its description and Open Graph
    card): who they are and the offices ``held`` (offices_held()) with their dates."""
    return " · ".join([_("%(name)s (%(country)s)") % {"name": official.name, "country": official.country.name},
                       *(_("%(office)s (%(dates)s)") % {"office": o["tenure"].position.title,
                                                        "dates": o["tenure"].date_display} for o in held)])

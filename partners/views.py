"""Country and official profiles. Their meetings, agreements and exercises come through
reverse relations (country.meetings, country.agreements, country.exercises,
official.participations) so that partners never imports meetings."""
import datetime
from itertools import groupby

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.generic import ListView

from defrel import charts, timeline
from defrel.models import Year
from partners.forms import OfficialFilterForm, TimelineForm
from partners.models import Country, Official, Region, Tenure

JAPAN = "JP"
CHRONOLOGICAL = ("date_lower", "date_upper", "pk")  # the order defrel.timeline.merge expects
PROFILE_DEPTH = 300  # records on a country profile without a year


def partner_count(relation):
    """How many records of a many-to-many ``relation`` name the country: a correlated
    subquery on the join table, so several counts in one query do not multiply each other."""
    through = getattr(Country, relation).rel.through
    counted = (through.objects.filter(country=OuterRef("pk")).order_by()
               .values("country").annotate(n=Count("*")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def participation_count():
    """An official's meetings as a correlated subquery: evaluated for the page's rows only,
    where a join and GROUP BY would count every official's meetings first."""
    participation = Official._meta.get_field("participations").related_model
    counted = (participation.objects.filter(official=OuterRef("pk")).order_by()
               .values("official").annotate(n=Count("*")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def by_region(countries):
    """[(region label, [countries])] in the order the white paper takes the regions."""
    grouped = {region: list(items) for region, items in groupby(countries, key=lambda c: c.region)}
    return [(Region(r).label, grouped[r]) for r in Region.values if r in grouped]


def encounters_by_level(meetings, series):
    """Meetings per year stacked by level, from one aggregate query; a record that stands
    for several encounters ("6回にわたる会談") counts as many."""
    rows = (meetings.order_by().values(year=Year("date_lower"), series=F("level"))
            .annotate(n=Sum("count")))
    return charts.stacked_by_year(rows, series)


def country_list(request):
    countries = Country.objects.exclude(code=JAPAN).annotate(
        n_meetings=partner_count("meetings"),
        n_agreements=partner_count("agreements"),
        n_exercises=partner_count("exercises"),
    )
    return render(request, "partners/country_list.html", {"regions": by_region(countries)})


def country_detail(request, code):
    country = get_object_or_404(Country, code=code)
    form = TimelineForm(request.GET)
    kinds, year = form.kinds(), form.valid().get("year")
    day = datetime.date.today()
    agreements = SimpleLazyObject(lambda: list(
        country.agreements.select_related("source").prefetch_related("parties", "events")))
    Level = country.meetings.model.Level
    # The busiest partners have hundreds of agreements and thousands of records, and their
    # profile changes only with the data: the template keeps its agreements and chart (per
    # language and day, for today's statuses) and its timeline (per language and selection)
    # under the data stamp, and builds each only when nothing is kept for it.
    return render(request, "partners/country_detail.html", {
        "country": country,
        "form": form,
        "day": day,
        "selection": f"{year or 'all'}:{'|'.join(sorted(kinds))}",
        "agreements": SimpleLazyObject(lambda: [(a, a.status_on(day)) for a in agreements]),
        "chart": SimpleLazyObject(lambda: encounters_by_level(country.meetings.all(), Level.choices)),
        "timeline": SimpleLazyObject(lambda: country_timeline(country, agreements, kinds, year)),
    })


def country_timeline(country, agreements, kinds, year):
    """{"groups", "entry_count", "shown_count"}: the partner's records of ``kinds`` (in
    ``year``, or its newest PROFILE_DEPTH), its agreements' milestones among them."""
    # Milestones come with their agreements (fetched for the statuses too).
    milestones = sorted(
        (e for a in agreements for e in a.events.all() if year in (None, e.date_lower.year)),
        key=lambda e: (e.date_lower, e.date_upper or e.date_lower, e.pk),
    )
    dated = {"date_lower__year": year} if year else {}
    meetings = country.meetings.filter(**dated).prefetch_related("countries").order_by(*CHRONOLOGICAL)
    exercises = country.exercises.filter(**dated).prefetch_related("countries").order_by(*CHRONOLOGICAL)
    streams = [("meeting", meetings), ("milestone", milestones), ("exercise", exercises)]
    total = sum(len(m) if k == "milestone" else m.count() for k, m in streams if k in kinds)
    # A partner with thousands of records shows its newest ones; a year shows all of that year.
    newest = [(kind, list(records.reverse()[:PROFILE_DEPTH])[::-1] if kind != "milestone"
               else records[-PROFILE_DEPTH:])
              for kind, records in streams]
    entries = timeline.merge(*newest, kinds=kinds)[-PROFILE_DEPTH:]
    return {"groups": timeline.by_year_and_month(entries, newest_first=True),
            "entry_count": total, "shown_count": len(entries)}


class OfficialList(ListView):
    model = Official
    paginate_by = 50
    template_name = "partners/official_list.html"

    def get_queryset(self):
        self.form = OfficialFilterForm(self.request.GET)
        chosen = self.form.valid()
        officials = Official.objects.select_related("country").prefetch_related(
            Prefetch("tenures", queryset=Tenure.objects.select_related("position"))
        ).annotate(n_meetings=participation_count()).order_by("name_en", "pk")
        if "country" in chosen:
            officials = officials.filter(country=chosen["country"])
        if "q" in chosen:
            q = chosen["q"]
            officials = officials.filter(Q(name_ja__icontains=q) | Q(name_en__icontains=q))
        return officials

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(form=self.form, query=query.urlencode(), **kwargs)


def official_detail(request, slug):
    official = get_object_or_404(
        Official.objects.select_related("country").prefetch_related(
            Prefetch("tenures", queryset=Tenure.objects.select_related("position__country"))
        ),
        slug=slug,
    )
    participations = (official.participations.select_related("meeting", "position")
                      .prefetch_related("meeting__countries")
                      .order_by("meeting__date_lower", "meeting__date_upper", "meeting__key"))
    return render(request, "partners/official_detail.html", {
        "official": official,
        "tenures": official.tenures.all(),
        "participations": participations,
    })

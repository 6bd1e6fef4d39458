"""Country and official profiles, and the lists that lead to them: pages about partners
that read meetings, agreements and exercises too, so they live here, above both data apps."""
import datetime

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.generic import ListView

from defrel import charts
from defrel.exports import applied, refused, stream_csv
from defrel.links import key_in_any_case, moved
from defrel.search import matching
from defrel.stamp import counts, curated_models, token
from defrel.timeline import by_year_and_month, entries
from meetings.forms import OfficialFilterForm, TimelineForm, YearForm
from meetings.models import AGREEMENT_TABLE_READS, Engagement, Meeting, Participation
from meetings.network import who_met_whom
from meetings.views.offices import described, offices_held
from partners.models import Country, Official, Region, Tenure, in_region_order
from partners.readings import name_order
from partners.resources import CountryResource, OfficialResource

JAPAN = "JP"
PROFILE_DEPTH = 300  # records on a profile's timeline without a year


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
    counted = (Participation.objects.filter(official=OuterRef("pk")).order_by()
               .values("official").annotate(n=Count("*")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def by_region(countries):
    """[(region label, [countries])] in the order the white paper takes the regions, each
    region's countries in name order (partners.readings.name_order)."""
    grouped = {}
    for country in countries.in_name_order():
        grouped.setdefault(country.region, []).append(country)
    return [(Region(r).label, grouped[r]) for r in Region.values if r in grouped]


def encounters_by_level(meetings):
    """Meetings per year stacked by level, from one aggregate query; a record that stands
    for several encounters ("6回にわたる会談") counts as many."""
    return charts.stacked_by_year(meetings.per_year(Sum("count"), series=F("level")), Meeting.Level.choices)


def engagements_by_kind(engagements):
    """Engagements per year stacked by kind, counted by the same period rule (per_year);
    the undated count in no year."""
    return charts.stacked_by_year(engagements.per_year(series=F("kind")), Engagement.Kind.choices)


def undated(engagements, kinds=None, year=None):
    """The undated of ``engagements`` beside a timeline showing ``kinds`` in ``year``: none when
    the timeline is narrowed to a year or to other kinds, which they cannot belong to."""
    if year or (kinds is not None and "engagement" not in kinds):
        return []
    return list(engagements.undated().for_list())  # drawn as timeline entries


def newest(found, *, everything):
    """{"groups", "entry_count", "shown_count"} of a profile's timeline: every record
    ``found``, or its newest PROFILE_DEPTH (a partner may have thousands)."""
    shown = found[:None if everything else PROFILE_DEPTH]
    return {"groups": by_year_and_month(shown, newest_first=True),
            "entry_count": found.count(), "shown_count": len(shown)}


def partners():
    """The countries and organisations the partners list shows: all but Japan."""
    return Country.objects.exclude(code=JAPAN)


def country_list(request):
    countries = partners().annotate(
        n_meetings=partner_count("meetings"),
        n_agreements=partner_count("agreements"),
        n_exercises=partner_count("exercises"),
        n_engagements=partner_count("engagements"),
    )
    return render(request, "partners/country_list.html", {"regions": by_region(countries)})


def recased(request, code, viewname):
    """A partner's address typed with its code in another case (/partners/countries/au/, as a
    reader may type it): a permanent redirect to ``viewname``'s one address for the code, the
    query kept; None for the code as stored (upper case), or a 404 for no such partner."""
    if code == code.upper():
        return None
    country = get_object_or_404(Country, code=code.upper())
    return moved(request, viewname, country.code)


def country_detail(request, code):
    if (moved := recased(request, code, "partners:country-detail")) is not None:
        return moved
    country = get_object_or_404(Country, code=code)
    form = TimelineForm(request.GET)
    kinds, year = form.kinds(), form.valid().get("year")
    day = datetime.date.today()
    agreements = SimpleLazyObject(lambda: list(
        country.agreements.select_related("source").prefetch_related("parties", "events")))
    # The busiest partners have hundreds of agreements and thousands of records, and their
    # profile changes only with the data: the template keeps its agreements (per language and
    # day, for today's statuses), its charts and its timeline (per language and selection)
    # under the stamps of what each reads, and builds each only when nothing is kept for it.
    return render(request, "partners/country_detail.html", {
        "country": country,
        # Kept until a record of this partner's, or a table with no partners (names of
        # officials, countries, sources), changes: not when another partner's records do.
        "data_stamp": SimpleLazyObject(lambda: token(*curated_models(), partner_pk=country.pk)),
        # Its charts and who met whom, which count and name no text of its records: kept while
        # editors correct a summary or a title (defrel.stamp, stamp_unsummarised).
        "counts_stamp": SimpleLazyObject(lambda: counts(country.pk)),
        # Its agreements, until one of them or a milestone changes (or a name or a source):
        # not when one of its meetings does (bench/NOTES.md, "A partner's stamps, its
        # agreements apart").
        "agreements_stamp": SimpleLazyObject(lambda: token(*AGREEMENT_TABLE_READS, partner_pk=country.pk)),
        "form": form,
        "day": day,
        "selection": f"{year or 'all'}:{'|'.join(kinds or ['all'])}",
        "agreements": SimpleLazyObject(lambda: [(a, a.status_on(day)) for a in agreements]),
        "chart": SimpleLazyObject(lambda: encounters_by_level(Meeting.objects.filter(countries=country))),
        "network": SimpleLazyObject(lambda: who_met_whom(country=country)),
        "engagement_chart": SimpleLazyObject(
            lambda: engagements_by_kind(Engagement.objects.filter(countries=country))),
        "timeline": SimpleLazyObject(lambda: newest(
            entries(country=country, kinds=kinds, year=year), everything=bool(year))),
        "undated": SimpleLazyObject(lambda: undated(country.engagements.all(), kinds, year)),
    })


def chosen_officials(form, officials):
    """``officials`` narrowed by the officials list's filters: the page, its CSV and its JSON
    twin (each in its own order). A name refused (too long) finds no one, rather than every
    official under the error."""
    chosen = form.valid()
    if "q" in form.errors:
        return officials.none()
    if "country" in chosen:
        officials = officials.filter(country=chosen["country"])
    if "q" in chosen:
        officials = officials.filter(matching(Official, chosen["q"]))  # the site's one search
    return officials


def country_export(request):
    resource = CountryResource()
    rows = (resource.get_queryset().filter(pk__in=partners().values("pk"))
            .order_by(in_region_order(), *name_order(), "pk"))  # by_region's order
    return stream_csv(resource, rows, "defrel-countries.csv")


def official_export(request):
    resource = OfficialResource()
    form = OfficialFilterForm(request.GET)
    if not form.is_valid():
        return refused(form.errors)
    officials = chosen_officials(form, resource.get_queryset())
    return stream_csv(resource, officials.in_name_order(), "defrel-officials.csv",
                      applied(request.GET, form.fields))


class OfficialList(ListView):
    model = Official
    paginate_by = 50
    template_name = "partners/official_list.html"

    def get_queryset(self):
        self.form = OfficialFilterForm(self.request.GET)
        return chosen_officials(self.form, Official.objects.select_related("country").prefetch_related(
            Prefetch("tenures", queryset=Tenure.objects.select_related("position"))
        ).annotate(n_meetings=participation_count()).in_name_order())

    def paginate_queryset(self, queryset, page_size):
        """As on every other list, a page past the end is the last and one that is no number
        the first, rather than a 404: an address kept from when more officials matched (a
        bookmark, a link shared before a filter narrowed) still leads to them."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, list_form=self.form, **kwargs)


@key_in_any_case(Official)
def official_detail(request, slug):
    official = get_object_or_404(Official.objects.select_related("country"), slug=slug)
    form = YearForm(request.GET)
    year = form.valid().get("year")
    offices = offices_held(official)
    # An official's meetings span partners, so no partner's stamp covers them: who met whom is
    # kept until any count changes (not while editors correct texts), the timeline, which
    # shows titles, until any record does (the page's data_stamp, defrel.stamp.context).
    return render(request, "partners/official_detail.html", {
        "official": official,
        "offices": offices,
        "description": described(official, offices),
        "counts_stamp": SimpleLazyObject(counts),
        "network": SimpleLazyObject(lambda: who_met_whom(official=official)),
        "form": form,
        "selection": year or "all",
        "timeline": SimpleLazyObject(lambda: newest(entries(official=official, year=year), everything=bool(year))),
        "undated": SimpleLazyObject(lambda: undated(official.engagements.all(), year=year)),
    })

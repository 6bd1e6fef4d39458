"""Every public page and admin changelist runs no more queries with 100 rows a page than with
10, and on a synthetic database ten times larger (a proxy for 100,000 meetings) than on a small
one: no query per row, per facet value or per month."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import ExtractYear
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.synth import synth
from meetings.models import Agreement, AgreementEvent, Engagement, Exercise, Meeting
from meetings.views import lists
from meetings.views import profiles as partner_views
from partners.models import Country, Official
from tests.built import built_at_once

SIZES = (60, 600)  # meetings; the larger has ten times the rows of every kind
PER_PAGE = (10, 100)
ADMIN_APPS = {"defrel", "partners", "meetings"}

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def year_with_rows(*querysets):
    """The year in which every one of ``querysets`` has rows (by date_lower), the one whose
    scarcest kind has the most, the latest on a tie: a page filtered to that year shows rows
    of every kind at any size, so Django never skips a prefetch for want of rows."""
    counts = [dict(qs.order_by().values_list(ExtractYear("date_lower")).annotate(n=Count("pk")))
              for qs in querysets]
    years = set.intersection(*(set(c) for c in counts))
    assert years, "no year has rows of every kind"
    return max(years, key=lambda y: (min(c[y] for c in counts), y))


def public_pages():
    """(name, url) of every public page, for records that exist at any size: a country with
    meetings, agreements, exercises and engagements, and a year with rows of every kind, for the country's
    pages as for the whole timeline."""
    # Exists(), not joins: four many-to-many joins multiply into millions of rows at 600.
    having = [Exists(model.objects.filter(**{field: OuterRef("pk")}))
              for model, field in ((Agreement, "parties"), (Exercise, "countries"), (Engagement, "countries"))]
    country = (Country.objects.exclude(code="JP").filter(*having)
               .annotate(n=Count("meetings", distinct=True)).order_by("-n", "code").first())
    year = year_with_rows(country.meetings.all(), country.exercises.all(),
                          AgreementEvent.objects.filter(agreement__parties=country),
                          Meeting.objects.all(), AgreementEvent.objects.all(), Exercise.objects.all(),
                          Engagement.objects.all())
    official = Official.objects.annotate(n=Count("participations")).order_by("-n", "slug").first()
    meeting = Meeting.objects.annotate(n=Count("participations")).order_by("-n", "key").first()
    # The country's engagements that year (synth removes it with its own at the next size),
    # announced at the meeting measured, whose page then shows its engagements at either size.
    dated = Engagement.objects.create(key="syn-in-year", kind="port_call", date=str(year),
                                      title_ja="寄港", title_en="Port call", meeting=meeting)
    dated.countries.set([country])
    dated.officials.set([official])
    agreement = Agreement.objects.annotate(n=Count("events")).order_by("-n", "key").first()
    exercise = Exercise.objects.annotate(n=Count("countries")).order_by("-n", "key").first()
    meetings = reverse("meetings:meeting-list")
    return [
        ("home", reverse("meetings:home")),
        ("timeline", reverse("meetings:timeline")),
        ("timeline, one year", reverse("meetings:timeline") + f"?year={year}"),
        ("agreements matrix", reverse("meetings:agreement-matrix")),
        ("meeting list", meetings),
        ("meeting list, page 2", meetings + "?page=2"),
        ("meeting list, country and year", f"{meetings}?country={country.code}&year={year}"),
        ("meeting list, official", f"{meetings}?official={official.slug}"),
        ("meeting list, search", f"{meetings}?q={country.name_en}"),
        ("meeting detail", meeting.get_absolute_url()),
        ("agreement list", reverse("meetings:agreement-list")),
        ("agreement list, party", reverse("meetings:agreement-list") + f"?party={country.code}"),
        ("agreement detail", agreement.get_absolute_url()),
        ("exercise list", reverse("meetings:exercise-list")),
        ("exercise detail", exercise.get_absolute_url()),
        ("country list", reverse("partners:country-list")),
        ("country profile", country.get_absolute_url()),
        ("country profile, one year", country.get_absolute_url() + f"?year={year}"),
        ("official list", reverse("partners:official-list")),
        ("official detail", official.get_absolute_url()),
        ("what the data covers", reverse("meetings:coverage")),
        ("feed", reverse("meetings:feed")),
        ("country feed", reverse("partners:country-feed", args=[country.code])),
        ("official feed", reverse("partners:official-feed", args=[official.slug])),
        ("sitemap, meetings", reverse("sitemap-section", args=["meetings"])),
        ("sitemap, offices", reverse("sitemap-section", args=["offices"])),
        ("sitemap, sources", reverse("sitemap-section", args=["sources"])),
    ]


def admin_changelists():
    return [
        (f"admin {model._meta.label_lower}",
         reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        for model in admin.site._registry if model._meta.app_label in ADMIN_APPS
    ]


def count_queries(client, url):
    """(queries with nothing cached, queries of the same request again, counts cached)."""
    cache.clear()
    counted = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, (url, response.status_code)
        counted.append(len(queries))
    return tuple(counted)


def measure(client, pages):
    """{page name: {(meetings, per page): queries}} for ``pages()`` at every size and page size."""
    counts = {}
    registry = admin.site._registry.values()
    for size in SIZES:
        # Enough agreements, exercises and engagements that the busiest partner has some at either size
        # (an empty prefetch skips its query, which is not what is being compared).
        synth(meetings=size, agreements=size // 3, exercises=size // 3, engagements=size, seed=3)
        urls = pages()
        for per_page in PER_PAGE:
            saved = (lists.PER_PAGE, partner_views.OfficialList.paginate_by,
                     [(a, a.list_per_page) for a in registry])
            lists.PER_PAGE = partner_views.OfficialList.paginate_by = per_page
            for model_admin in registry:
                model_admin.list_per_page = per_page
            try:
                for name, url in urls:
                    counts.setdefault(name, {})[(size, per_page)] = count_queries(client, url)
            finally:
                lists.PER_PAGE, partner_views.OfficialList.paginate_by, per_admin = saved
                for model_admin, value in per_admin:
                    model_admin.list_per_page = value
    return counts


def varying(counts):
    """The pages that run more queries with more rows (a larger database, a longer page) than
    with the fewest. Fewer is no query per row: a timeline reads only the kinds among the
    entries it shows (defrel.timeline.Entries.newest), and at ten times the rows the home
    page's ten newest may all be of one kind."""
    return {name: by_size for name, by_size in counts.items()
            if any(n > least for counted in by_size.values()
                   for n, least in zip(counted, by_size[min(by_size)]))}  # min: (smallest size, shortest page)


def test_public_pages_run_a_constant_number_of_queries(client):
    counts = measure(client, public_pages)
    assert varying(counts) == {}
    # The filtered lists count their facets and rows once per change of the data.
    for name in ("meeting list", "meeting list, search", "exercise list"):
        cold, warm = counts[name][(SIZES[0], PER_PAGE[0])]
        assert warm <= 4 < cold, name


def test_admin_changelists_run_a_constant_number_of_queries(admin_client):
    counts = measure(admin_client, admin_changelists)
    assert len(counts) >= 11
    assert varying(counts) == {}


def engagement_admin_pages():
    """The engagements' changelist, and the change page of an engagement linked to as many
    partners and officials as there are meetings / 20 (3 and 30), and to a meeting, an
    agreement and an exercise (synth removes it with its own, by its key, at the next size)."""
    meetings = Meeting.objects.count()
    partners = list(Country.objects.exclude(code="JP").order_by("code")[:meetings // 20])
    officials = list(Official.objects.order_by("slug")[:meetings // 20])
    engagement = Engagement.objects.create(
        key="syn-linked", kind="osa", date="2024-06", title_ja="政府安全保障能力強化支援", title_en="OSA",
        host_country=partners[0], meeting=Meeting.objects.first(), agreement=Agreement.objects.first(),
        exercise=Exercise.objects.first())
    engagement.countries.set(partners)
    engagement.officials.set(officials)
    # The change page looks its content type up once per process (Django caches it): looked
    # up here, the first size's first request is not one query more than the rest.
    ContentType.objects.get_for_model(Engagement)
    return [("admin engagements changelist", reverse("admin:meetings_engagement_changelist")),
            ("admin engagement change", reverse("admin:meetings_engagement_change", args=[engagement.pk]))]


def test_the_engagement_admin_pages_run_a_constant_number_of_queries(admin_client):
    counts = measure(admin_client, engagement_admin_pages)
    assert varying(counts) == {}
    # synth made engagements at both sizes: the changelist showed rows, not an empty list.
    assert Engagement.objects.count() == SIZES[1] + 1


@built_at_once()
def engagements_with(country, n, official):
    """``n`` engagements with ``country`` (one in four undated), each with a second partner, the
    official named and the records it links; the first grows its partners and officials with n."""
    from tests.meetings.factories import (
        AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    )
    from tests.partners.factories import CountryFactory, OfficialFactory

    start = Engagement.objects.count()
    for i in range(start, start + n):
        year, month = 2024 - i % 5, 1 + i % 12
        EngagementFactory(
            key=f"e{i}", date="" if i % 4 == 3 else f"{year}-{month:02d}", countries=[country, CountryFactory()],
            officials=[official], host_country=country, kind=Engagement.Kind.values[i % 8],
            services=["msdf", "gsdf|asdf", ""][i % 3],
            agreement=AgreementFactory(key=f"e{i}-a", parties=[country]),
            meeting=MeetingFactory(key=f"e{i}-m", countries=[country]),
            exercise=ExerciseFactory(key=f"e{i}-x", countries=[country]))
    first = Engagement.objects.get(key="e0")
    first.countries.add(*(CountryFactory() for _ in range(n // 10)))
    first.officials.add(*(OfficialFactory() for _ in range(n // 10)))


# Each engagement is built whole, with its meeting, agreement, exercise and partners, through
# every write path's receivers (0.1 s apiece): five times the rows and five times the page
# show a query per row as plainly as ten times would. The larger fills a page of the longer
# list and more.
ENGAGEMENT_SIZES = (8, 40)
ENGAGEMENT_PER_PAGE = (5, 25)


def test_engagement_pages_run_a_constant_number_of_queries(client):
    """The engagements list, an engagement, the export, and the timeline and profile pages
    with engagements (dated and undated) on them."""
    from tests.partners.factories import CountryFactory, OfficialFactory

    country = CountryFactory(code="PH", name_en="Philippines")
    official = OfficialFactory(slug="nakatani-gen", country=CountryFactory(code="JP"))
    engagements, country_page = reverse("meetings:engagement-list"), country.get_absolute_url()
    pages = [
        ("engagement list", engagements),
        ("engagement list, page 2", engagements + "?page=2"),
        ("engagement list, facets chosen", f"{engagements}?country=PH&year=2024&service=msdf&kind=port_call"),
        ("engagement list, search", f"{engagements}?q=Murasame"),
        ("engagement detail", reverse("meetings:engagement-detail", args=["e0"])),
        ("engagement export", reverse("meetings:engagement-export")),
        ("engagement export, filtered", reverse("meetings:engagement-export") + "?country=PH&status=carried_out"),
        ("home", reverse("meetings:home")),
        ("timeline", reverse("meetings:timeline")),
        ("timeline, engagements of a year", reverse("meetings:timeline") + "?kind=engagement&year=2024"),
        ("country list", reverse("partners:country-list")),
        ("country profile", country_page),
        ("country profile, engagements", country_page + "?kind=engagement"),
        ("official detail", official.get_absolute_url()),
        ("what the data covers", reverse("meetings:coverage")),
        ("feed", reverse("meetings:feed")),
        ("country feed", reverse("partners:country-feed", args=[country.code])),
        ("official feed", reverse("partners:official-feed", args=[official.slug])),
        ("sitemap, meetings", reverse("sitemap-section", args=["meetings"])),
    ]
    counts = {}
    for size in ENGAGEMENT_SIZES:
        engagements_with(country, size - Engagement.objects.count(), official)
        for per_page in ENGAGEMENT_PER_PAGE:
            saved, lists.PER_PAGE = lists.PER_PAGE, per_page
            try:
                for name, url in pages:
                    counts.setdefault(name, {})[(size, per_page)] = count_queries(client, url)
            finally:
                lists.PER_PAGE = saved
    assert varying(counts) == {}
    cold, warm = counts["engagement list"][(ENGAGEMENT_SIZES[0], ENGAGEMENT_PER_PAGE[0])]
    assert warm <= 4 < cold

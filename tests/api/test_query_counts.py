"""Every JSON list and record runs as many queries with 20 rows (or 20 participants, 20
milestones) as with 2: no query per row, per facet value or per nested record."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, MeetingFactory, ParticipationFactory, relations_with,
)
from tests.partners.factories import CountryFactory, TenureFactory

pytestmark = pytest.mark.django_db

LISTS = ["api:meeting-list", "api:agreement-list", "api:exercise-list", "api:engagement-list",
         "api:country-list", "api:official-list"]


def queries(client, url):
    """Queries of one request with nothing cached (the facets and counts are computed)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response.json(), url
    return len(captured)


def urls(country):
    filtered = [reverse(name) + f"?country={country.code}&year=2024" for name in
                ("api:meeting-list", "api:exercise-list", "api:engagement-list")]
    return [reverse(name) for name in LISTS] + filtered + [
        reverse("api:agreement-list") + f"?party={country.code}&status=in_force",
        reverse("api:official-list") + f"?country={country.code}",
        reverse("api:meeting-list") + "?sort=date", reverse("api:engagement-list") + "?sort=date",
    ]


def test_lists_run_as_many_queries_with_20_rows_as_with_2(client, django_assert_num_queries):
    au = CountryFactory(code="AU", name_en="Australia")
    japanese, partner = relations_with(au, 2)
    counted = {url: queries(client, url) for url in urls(au)}
    relations_with(CountryFactory(code="NZ"), 18, japanese=japanese)  # 20 of each kind in all
    for url, n in counted.items():
        cache.clear()
        with django_assert_num_queries(n):
            response = client.get(url)
        assert response.status_code == 200, url
    # the lists did grow (the filtered ones grow in the next test)
    assert len(client.get(reverse("api:meeting-list")).json()["results"]) == 20


def test_a_filtered_list_of_20_runs_as_many_queries_as_one_of_2(client, django_assert_num_queries):
    au, us = CountryFactory(code="AU"), CountryFactory(code="US")
    japanese, _partner = relations_with(au, 2)
    relations_with(us, 20, japanese=japanese)
    for name, param in [("api:meeting-list", "country"), ("api:exercise-list", "country"),
                        ("api:engagement-list", "country"), ("api:agreement-list", "party"),
                        ("api:official-list", "country")]:
        small, large = (queries(client, f"{reverse(name)}?{param}={c}") for c in ("AU", "US"))
        assert small == large, name
        rows = client.get(f"{reverse(name)}?{param}=US").json()["results"]
        assert len(rows) == (1 if name == "api:official-list" else 20), name


def test_records_run_as_many_queries_with_20_nested_rows_as_with_2(client):
    au = CountryFactory(code="AU")
    counts = {}
    for n in (2, 20):
        meeting = MeetingFactory(key=f"m{n}", countries=[au])
        for _ in range(n):
            ParticipationFactory(meeting=meeting, official=TenureFactory(official__country=au,
                                                                         date="2000/..").official)
        agreement = AgreementFactory(key=f"a{n}", parties=[au])
        for i in range(n):
            AgreementEventFactory(agreement=agreement, kind="signed", date=f"{2000 + i}")
        counts[n] = (queries(client, reverse("api:meeting-detail", args=[meeting.key])),
                     queries(client, reverse("api:agreement-detail", args=[agreement.key])))
        assert len(client.get(reverse("api:meeting-detail", args=[meeting.key])).json()["participations"]) == n
    assert counts[2] == counts[20]

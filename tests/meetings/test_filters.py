import re
from datetime import date as calendar_date

import pytest
from django.http import QueryDict
from django.utils import translation

from bench.synth import synth
from meetings.facets import toggled
from meetings.filters import AgreementFilter, MeetingFilter
from meetings.models import Agreement, Meeting
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, MeetingFactory
from partners.models import Country
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


def meeting_filter(query):
    return MeetingFilter(QueryDict(query), queryset=Meeting.objects.all())


def facet(filterset, param, query=""):
    [found] = [f for f in filterset.facets(QueryDict(query)) if f.param == param]
    return {c.value: c.count for c in found.choices}


def test_toggling_adds_a_repeatable_value_and_keeps_the_rest():
    params = QueryDict("country=AU&year=2024&page=3")
    assert toggled(params, "country", "US", multiple=True) == "?country=AU&country=US&year=2024"
    assert toggled(params, "country", "AU", multiple=True) == "?year=2024"


def test_removing_the_last_filter_links_to_the_list_itself():
    # "." from /en/meetings/ is /en/meetings/: the list's own address, with no bare "?" to share
    assert toggled(QueryDict("country=AU&page=2"), "country", "AU", multiple=True) == "."
    assert toggled(QueryDict("level=leaders"), "level", "leaders", multiple=False) == "."


def test_toggling_replaces_a_single_value():
    params = QueryDict("level=leaders&q=%E6%97%A5%E8%B1%AA")
    assert toggled(params, "level", "ministerial", multiple=False) == "?level=ministerial&q=%E6%97%A5%E8%B1%AA"


def test_a_period_includes_intervals_and_open_ends_that_reach_into_it():
    for key, date in [("interval", "2023-11/2024-02"), ("open", "2022-04/.."), ("before", "2023-12"),
                      ("inside", "2024-01-15"), ("after", "2024-02")]:
        MeetingFactory(key=key, date=date)
    january = Meeting.objects.in_period(2024, 1)
    assert set(january.values_list("key", flat=True)) == {"interval", "open", "inside"}


def test_year_facet_counts_an_open_end_in_every_later_year_through_the_newest_sources():
    MeetingFactory(date="2022-04/..")  # from the White Paper of 2025-07 (the factories' source)
    MeetingFactory(date="2024-05")
    MeetingFactory(date="2023")
    later = {str(year): 1 for year in range(2025, min(2025, calendar_date.today().year) + 1)}
    assert facet(meeting_filter(""), "year") == {**later, "2024": 2, "2023": 2, "2022": 1}


def test_year_facet_counts_the_years_inside_a_long_interval():
    MeetingFactory(date="2021/2024")
    assert facet(meeting_filter(""), "year") == {"2024": 1, "2023": 1, "2022": 1, "2021": 1}


def test_many_to_many_facet_counts_within_the_selection():
    au, us, kr = (CountryFactory(code=c) for c in ("AU", "US", "KR"))
    MeetingFactory(countries=[au, us])
    MeetingFactory(countries=[au, kr])
    MeetingFactory(countries=[au, us, kr])
    MeetingFactory(countries=[us])
    assert facet(meeting_filter("country=AU"), "country", "country=AU") == {"AU": 3, "US": 2, "KR": 2}
    assert facet(meeting_filter("country=AU&country=US"), "country") == {"AU": 2, "US": 2, "KR": 1}


def test_facet_links_leave_out_values_in_error():
    MeetingFactory(level="ministerial")
    filterset = meeting_filter("year=abc&level=ministerial")
    [level] = [f for f in filterset.facets(QueryDict("year=abc&level=ministerial")) if f.param == "level"]
    assert level.choices[0].href == "."
    assert "year" in filterset.errors


def test_month_without_a_year_is_an_error():
    filterset = meeting_filter("month=5")
    with translation.override("en"):
        assert filterset.error_messages() == ["Month: Choose a year to filter by month."]


def test_agreement_status_is_computed_as_of_the_day_asked():
    agreement = AgreementFactory(key="gsomia")
    AgreementEventFactory(agreement=agreement, kind="concluded", date="2016-11")
    AgreementEventFactory(agreement=agreement, kind="termination_notified", date="2019-08")
    filterset = AgreementFilter(QueryDict("as_of=2019-09-01"), queryset=Agreement.objects.all())
    rows, facets = filterset.rows(QueryDict("as_of=2019-09-01"))
    assert rows[0].status_as_of == "notice_given"
    [status] = [f for f in facets if f.param == "status"]
    assert [(c.value, c.count) for c in status.choices] == [("notice_given", 1)]


def test_a_facet_of_many_values_shows_the_most_frequent_and_the_chosen_one(client, monkeypatch):
    from django.urls import reverse

    from meetings import facets
    from tests.meetings.factories import MeetingFactory, ParticipationFactory
    from tests.partners.factories import OfficialFactory

    monkeypatch.setattr(facets, "FACET_LIMIT", 3)
    meeting = MeetingFactory()
    for n in range(6):
        ParticipationFactory(meeting=meeting, official=OfficialFactory(slug=f"official-{n}", name_ja=f"人物{n}号"))
    busy = OfficialFactory(slug="zz-busy", name_ja="多忙な人")
    for _ in range(2):
        ParticipationFactory(official=busy)
    page = client.get(reverse("meetings:meeting-list")).content.decode()
    page = re.sub(r"<datalist.*?</datalist>", "", page, flags=re.S)  # the name boxes suggest everyone
    assert "多忙な人" in page and "人物0号" in page and "人物1号" in page
    assert "人物5号" not in page  # beyond the three most frequent
    chosen = client.get(reverse("meetings:meeting-list"), {"official": "official-5"}).content.decode()
    assert "人物5号" in chosen  # shown because the reader chose it


@pytest.mark.parametrize("query", ["", "country=S001", "country=S001&country=S002", "level=ministerial",
                                   "official={official}", "q={name}", "q={name}&level=vice_ministerial"])
def test_facets_count_what_python_counts(query):
    """The partner and official facets count links in the join tables, the others rows
    without DISTINCT: the figures must be those of counting the meetings one by one."""
    from collections import Counter
    from django.http import QueryDict

    from meetings.facets import FACET_LIMIT
    from meetings.filters import MeetingFilter
    from meetings.models import Meeting, Participation
    from partners.models import Country

    synth(meetings=300, seed=11)
    official = Participation.objects.order_by("official__slug").values_list("official__slug", flat=True).first()
    params = QueryDict(query.format(official=official, name=Country.objects.get(code="S001").name_en))
    filterset = MeetingFilter(params, queryset=Meeting.objects.all())
    facets = {f.param: {c.value: c.count for c in f.choices} for f in filterset.facets(params)}
    listed = list(filterset.qs.prefetch_related("countries", "participations__official"))
    assert listed, query
    partners = Counter(c.code for m in listed for c in m.countries.all())
    officials = Counter(p.official.slug for m in listed for p in m.participations.all())
    assert facets.get("country", {}) == dict(partners)
    shown = facets.get("official", {})
    assert len(shown) == min(FACET_LIMIT, len(officials))
    assert all(officials[slug] == n for slug, n in shown.items())
    assert min(shown.values(), default=0) >= max((n for s, n in officials.items() if s not in shown), default=0)
    for param in ("level", "kind", "format"):  # single-valued: counted with their own filter left out
        others = filterset.without(param)
        assert facets.get(param, {}) == dict(Counter(getattr(m, param) for m in others)), param
    occasions = Counter(m.occasion.key for m in filterset.without("occasion").select_related("occasion")
                        if m.occasion)
    assert facets.get("occasion", {}) == dict(occasions)


def partners_alike():
    """Three partners of one meeting each: a tie the facet settles by name."""
    partners = [CountryFactory(code="US", name_ja="米国", name_en="United States"),
                CountryFactory(code="KR", name_ja="韓国", name_en="Republic of Korea"),
                CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")]
    for country in partners:
        MeetingFactory(date="2024-05", countries=[country])
        AgreementFactory(parties=[country])
    return partners


def partner_order(facets):
    [party] = [f for f in facets if f.param in ("country", "party")]
    return [c.value for c in party.choices]


def test_partners_counted_alike_are_in_gojuon_order_on_japanese_pages():
    partners_alike()
    # by code point the katakana came first and 米 before 韓: オーストラリア, 米国, 韓国
    for query in ("", "year=2024"):  # the whole table's summed counts, and a filter's
        assert partner_order(meeting_filter(query).facets(QueryDict(query))) == ["AU", "KR", "US"], query
    agreements = AgreementFilter(QueryDict(""), queryset=Agreement.objects.all())
    assert partner_order(agreements.rows(QueryDict(""))[1]) == ["AU", "KR", "US"]


def test_partners_counted_alike_are_in_english_name_order_on_english_pages():
    partners_alike()
    Country.objects.filter(code="US").update(name_en="America")
    with translation.override("en"):
        for query in ("", "year=2024"):
            assert partner_order(meeting_filter(query).facets(QueryDict(query))) == ["US", "AU", "KR"], query

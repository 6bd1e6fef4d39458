"""The site-wide search page and the lists' ?q= read one search (defrel.search), and find the
curated records as readers type them."""
import importlib
import re
from html import unescape

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from defrel.search import LONGEST_QUERY
from meetings.filters import MeetingFilter
from meetings.models import Agreement, Engagement, Exercise, Meeting
from partners.models import Country, Official
from tests.meetings.factories import AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory
from tests.partners.factories import CountryFactory, OfficialFactory
from tests.curated import load_curated

pytestmark = pytest.mark.django_db


def keys(queryset, field="key"):
    return set(queryset.values_list(field, flat=True))


def test_the_curated_data_is_found_as_readers_type_it(client):
    load_curated()
    for query in ["日韓GSOMIA", "Japan-ROK GSOMIA", "GSOMIA Korea", "日韓 秘密軍事情報保護協定"]:
        assert keys(Agreement.objects.search(query)) == {"kr-gsomia"}, query
    # the documents write 日豪「2+2」 and 日豪外務防衛閣僚協議(「2+2」); readers type 日豪2+2
    assert keys(Meeting.objects.search("日豪2+2")) == keys(Meeting.objects.search("Japan-Australia 2+2"))
    assert "2024-09-au-2plus2" in keys(Meeting.objects.search("日豪2+2"))
    assert keys(Meeting.objects.search("日豪「2+2」")) == keys(Meeting.objects.search("日豪2+2"))
    acsa = keys(Agreement.objects.search("ＡＣＳＡ"))
    assert acsa == keys(Agreement.objects.search("acsa")) and {"au-acsa", "fr-acsa"} <= acsa
    kasciunas = Official.objects.get(slug="kasciunas-laurynas")
    assert _found(Official, "Kasciunas") == _found(Official, "Kasčiūnas") == {kasciunas.pk}
    assert keys(Meeting.objects.search("Kasciunas")) == keys(kasciunas.meetings.all())
    assert keys(Meeting.objects.search("カシュウナス")) == keys(kasciunas.meetings.all())
    # one character: the short form the documents use for Australia
    assert "AU" in keys(Country.objects.filter(pk__in=_found(Country, "豪")), "code")
    assert "au-acsa" in keys(Agreement.objects.search("豪"))

    page = client.get(reverse("meetings:search"), {"q": "日韓GSOMIA"}).content.decode()
    assert "日韓秘密軍事情報保護協定" in page and reverse("meetings:agreement-detail", args=["kr-gsomia"]) in page
    listed = client.get(reverse("meetings:agreement-list"), {"q": "GSOMIA Korea"}).content.decode()
    assert "日韓秘密軍事情報保護協定" in listed and "日印秘密軍事情報保護協定" not in listed
    with translation.override("en"):
        page = client.get(reverse("meetings:search"), {"q": "Kasciunas"}).content.decode()
    assert "Laurynas Kasčiūnas" in page


def _found(model, query):
    from defrel.search import matching

    return set(model.objects.filter(matching(model, query)).values_list("pk", flat=True))


def test_a_record_is_found_by_its_date_as_the_site_writes_it(client):
    """Readers type the dates they read on the pages (2024年5月, May 2024), whatever words the
    record's texts hold; the meeting below says nothing of its date but in its own."""
    MeetingFactory(key="hawaii", date="2024-05-04", title_ja="日豪防衛相会談", title_en="Defence ministers met")
    MeetingFactory(key="autumn", date="2024-09/2024-10", title_ja="協議", title_en="Talks")
    MeetingFactory(key="june", date="2024-06", title_ja="会談", title_en="Meeting")
    ExerciseFactory(key="since", date="2024-04/..")
    EngagementFactory(key="port-call", date="2024-05")
    EngagementFactory(key="undated", date="")
    for query in ["2024年5月", "May 2024", "2024年5月4日", "4 May 2024", "2024-05"]:
        assert keys(Meeting.objects.search(query)) == {"hawaii"}, query
    assert keys(Engagement.objects.search("2024年5月")) == {"port-call"}
    assert keys(Meeting.objects.search("2024年10月")) == keys(Meeting.objects.search("October 2024")) == {"autumn"}
    assert keys(Meeting.objects.search("2024年")) == {"hawaii", "autumn", "june"}
    assert keys(Exercise.objects.search("2024年4月以降")) == keys(Exercise.objects.search("since April 2024")) == {"since"}
    assert keys(Meeting.objects.search("日豪 2024年5月")) == {"hawaii"}
    assert not Meeting.objects.search("2024年1月").exists()  # not 2024年10月's
    page = client.get(reverse("meetings:search"), {"q": "2024年5月"}).content.decode()
    assert 'href="/meetings/hawaii/"' in page and 'href="/engagements/port-call/"' in page
    assert 'href="/meetings/june/"' not in page
    assert "日付はページの表記のとおり（2024年5月、May 2024）に検索できます。" in page


def test_a_range_within_a_year_is_found_as_its_page_writes_it_and_by_each_end(client):
    """The year once (24 February – 7 March 2025, 3–5 March 2025), as the pages write it; each
    end still by itself in full (7 March 2025), as a reader may type the one day they know."""
    MeetingFactory(key="exercise-talks", date="2025-02-24/2025-03-07", title_ja="協議", title_en="Talks")
    MeetingFactory(key="three-days", date="2025-03-03/2025-03-05", title_ja="会談", title_en="Meeting")
    MeetingFactory(key="later", date="2025-04", title_ja="懇談", title_en="Talk")
    for query in ["24 February – 7 March 2025", "2025年2月24日～3月7日", "24 February 2025", "2025年3月7日"]:
        assert keys(Meeting.objects.search(query)) == {"exercise-talks"}, query
    for query in ["3–5 March 2025", "2025年3月5日"]:
        assert keys(Meeting.objects.search(query)) == {"three-days"}, query
    assert keys(Meeting.objects.search("March 2025")) == {"exercise-talks", "three-days"}


def test_documents_written_before_ranges_read_as_pages_write_them_are_written_anew_by_their_migration():
    from types import SimpleNamespace

    from django.apps import apps as django_apps

    from defrel.search import SearchDocument

    MeetingFactory(key="three-days", date="2025-03-03/2025-03-05", title_ja="会談", title_en="Meeting")
    MeetingFactory(key="one-day", date="2025-03-04", title_ja="懇談", title_en="Talk")
    documents = SearchDocument.objects.filter(kind="meetings.meeting")
    documents.filter(record_id=Meeting.objects.get(key="three-days").pk).update(text="2025年3月3日～3月5日")
    untouched = documents.get(record_id=Meeting.objects.get(key="one-day").pk)
    untouched.text = "as written before"
    untouched.save()
    assert not keys(Meeting.objects.search("2025年3月3日～5日"))

    migration = importlib.import_module("defrel.migrations.0013_search_documents_with_ranges_as_written")
    migration.rebuild_ranges(django_apps, SimpleNamespace(connection=connection))

    assert keys(Meeting.objects.search("2025年3月3日～5日")) == keys(Meeting.objects.search("3–5 March 2025")) == {"three-days"}
    assert documents.get(record_id=untouched.record_id).text == "as written before"  # a single day: left as it was


def test_an_agreement_is_found_by_the_dates_of_its_milestones(client):
    """An agreement has no date of its own: its page lists its milestones' (2016年11月 締結),
    and a reader looking for what was signed in a month finds it by them."""
    from tests.meetings.factories import AgreementEventFactory

    gsomia = AgreementFactory(key="kr-gsomia", title_ja="日韓秘密軍事情報保護協定")
    AgreementEventFactory(agreement=gsomia, kind="concluded", date="2016-11-23")
    AgreementEventFactory(agreement=AgreementFactory(key="later"), kind="signed", date="2019-08")
    assert keys(Agreement.objects.search("2016年11月")) == keys(Agreement.objects.search("November 2016")) == {"kr-gsomia"}
    assert keys(Agreement.objects.search("GSOMIA 2016年")) == {"kr-gsomia"}
    event = AgreementEventFactory(agreement=gsomia, kind="termination_notified", date="2019-08")
    assert keys(Agreement.objects.search("2019年8月")) == {"kr-gsomia", "later"}  # a new milestone: found at once
    event.delete()
    assert keys(Agreement.objects.search("2019年8月")) == {"later"}


def test_results_are_grouped_by_kind_with_counts_and_links_to_the_filtered_lists(client):
    kr = CountryFactory(code="KR", name_ja="大韓民国", name_en="Republic of Korea", short_ja="韓")
    for i in range(12):
        MeetingFactory(countries=[kr], title_ja=f"日韓防衛相会談{i}", key=f"kr-{i}")
    AgreementFactory(parties=[kr], title_ja="日韓秘密軍事情報保護協定", key="kr-gsomia")
    with translation.override("en"):
        response = client.get("/en/search/", {"q": "韓"})
    page = response.content.decode()
    assert response.status_code == 200
    headings = re.findall(r'<h2 id="found-(\w+)-heading">', page)
    assert headings == ["meeting", "agreement", "country"]
    assert page.count('href="/en/meetings/kr-') == 10  # capped, the rest on the list
    assert 'href="/en/meetings/?q=%E9%9F%93"' in page and "See all 12" in page
    assert 'href="/en/agreements/kr-gsomia/"' in page and 'href="/en/partners/countries/KR/"' in page


def test_the_output_is_escaped_and_nothing_found_is_said(client):
    MeetingFactory(title_ja="<script>alert(1)</script>会談")
    page = client.get(reverse("meetings:search"), {"q": "<script>"}).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;会談" in page
    with translation.override("en"):
        empty = client.get("/en/search/", {"q": "zzzz-nothing"}).content.decode()
    assert "Nothing found" in empty and 'value="zzzz-nothing"' in empty


def test_every_page_has_the_search_box(client):
    for url in [reverse("meetings:home"), reverse("meetings:meeting-list"), reverse("partners:country-list")]:
        page = client.get(url).content.decode()
        assert f'action="{reverse("meetings:search")}"' in page and 'name="q"' in page, url


def test_the_lists_facets_count_what_the_search_finds(client):
    kr = CountryFactory(code="KR", name_ja="大韓民国", name_en="Republic of Korea")
    au = CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")
    MeetingFactory(countries=[kr, au], title_en="Trilateral talks", key="m1")
    MeetingFactory(countries=[kr], title_en="Bilateral talks", key="m2")
    MeetingFactory(countries=[au], title_en="Other talks", key="m3")
    with translation.override("en"):
        page = client.get("/en/meetings/", {"q": "korea talks"}).content.decode()
    assert "Trilateral talks" in page and "Bilateral talks" in page and "Other talks" not in page
    params = QueryDict("q=korea+talks")
    facets = {f.param: {c.value: c.count for c in f.choices} for f in MeetingFilter(params).facets(params)}
    assert facets["country"] == {"KR": 2, "AU": 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL matter")
def test_every_column_a_search_reads_of_a_meeting_is_in_one_index():
    """The meetings a list's search finds are read from meeting_search_cover alone
    (meetings.migrations.0013): every column of the meetings table that the search reads,
    facet columns and the list's order included, must be in it, or each found meeting's row
    is visited again."""
    filterset = MeetingFilter(QueryDict("q=x"), queryset=Meeting.objects.all())
    query = Meeting.objects.search("x").order_by(*filterset.ordering).values_list("pk", *filterset.found_columns)
    read = set(re.findall(r'"meetings_meeting"\."(\w+)"', str(query.query)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'meeting_search_cover'")
        (definition,), = cursor.fetchall()
    indexed = set(re.findall(r"\w+", definition.partition("(")[2]))
    assert {"level", "venue", "date_lower", "key", "occasion_id"} <= read
    assert read <= indexed, read - indexed


def test_a_long_search_that_finds_officials_leads_to_their_list_finding_them(client):
    OfficialFactory(slug="marles", name_en="Richard Marles", name_ja="リチャード・マールズ")
    OfficialFactory(slug="other", name_en="Someone Else", name_ja="他の人")
    query = " ".join(["Richard Marles"] * 10)  # 149 characters: more than a name, within a search
    with translation.override("en"):
        page = client.get("/en/search/", {"q": query}).content.decode()
        link = unescape(re.search(r'<a href="(/en/partners/officials/\?q=[^"]+)"', page).group(1))
        officials = client.get(link).content.decode()
    assert 'href="/en/partners/officials/marles/"' in officials
    assert "other/" not in officials and "at most" not in officials


def test_a_query_longer_than_any_search_takes_is_refused_not_cut_short(client):
    OfficialFactory(slug="marles", name_en="Richard Marles", name_ja="リチャード・マールズ")
    query = "Marles " + "x" * LONGEST_QUERY  # cut to its first words it would find Marles
    with translation.override("en"):
        search = client.get("/en/search/", {"q": query}).content.decode()
        officials = client.get("/en/partners/officials/", {"q": query}).content.decode()
    limit = f"at most {LONGEST_QUERY} characters"
    assert limit in search and "officials/marles/" not in search
    assert limit in officials and "officials/marles/" not in officials and "No official matches" in officials


def test_the_search_box_on_every_page_takes_what_the_search_takes(client):
    page = client.get(reverse("meetings:home")).content.decode()
    assert re.search(r'id="site-search-q" name="q" maxlength="(\d+)"', page).group(1) == str(LONGEST_QUERY)

"""Who met whom, on the curated data: Japan's principals and their counterparts, of a partner
(its profile) and of an official (their page), drawn as SVG with the numbers as a table."""
import re

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from meetings.models import Meeting
from meetings.network import DRAWN, who_met_whom
from partners.models import Country, Official
from tests.curated import load_curated

pytestmark = pytest.mark.django_db


@pytest.fixture
def curated():
    load_curated()


def drawing(page):
    return re.search(r'<svg class="network__drawing".*?</svg>', page, re.S).group(0)


def table_rows(page):
    table = re.search(r'<figure class="network">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_a_partner_shows_who_met_whom_how_often_and_at_what_level(client, curated):
    page = client.get(reverse("partners:country-detail", args=["AU"])).content.decode()
    svg = drawing(page)
    # The chief of staff met Johnston 8 times and Campbell 6, the 6 with both at once: 8
    # encounters of his, as the meetings list counts them, though each pair's line says its own.
    assert "吉田圭秀（8）" in svg and "ジョンストン（8）" in svg and "キャンベル（6）" in svg
    yoshida = Meeting.objects.filter(countries__code="AU", participations__official__slug="yoshida-yoshihide",
                                     participations__role="principal")
    assert yoshida.aggregate(n=Sum("count"))["n"] == 8
    assert re.search(r'<line class="s-chiefs_of_defence"[^>]*stroke-width="8.0"><title>吉田圭秀 — ジョンストン', svg)
    assert "style=" not in svg and "<script" not in svg  # the CSP allows neither
    # the table scrolls sideways on a phone: a keyboard reaches it, and it is named
    assert '<div class="table-scroll" tabindex="0" role="region" aria-labelledby="network-caption">' in page
    rows = table_rows(page)
    assert rows[0][:3] == ["吉田圭秀", "ジョンストン", "8"]
    assert ["木原稔", "マールズ", "4"] == next(r[:3] for r in rows if r[:2] == ["木原稔", "マールズ"])
    assert " ".join(next(r[3:] for r in rows if r[:2] == ["木原稔", "マールズ"])) == "「2+2」 1、大臣級 3"
    with translation.override("en"):
        english = client.get(reverse("partners:country-detail", args=["AU"])).content.decode()
    kihara = next(r for r in table_rows(english) if r[:4] == ["Kihara", "Minoru", "Richard", "Marles"])
    assert " ".join(kihara[4:]) == "4 “2+2” 1, ministerial 3"  # the most senior first
    assert "Yoshida Yoshihide (8)" in drawing(english)


def test_the_drawings_heading_ends_as_a_sentence_of_the_pages_language(client, curated):
    page = client.get(reverse("partners:country-detail", args=["AU"])).content.decode()
    assert "<strong>日本の主要参加者と、会談したオーストラリアの主要参加者、およびその会談数。</strong>" in page
    with translation.override("en"):
        english = client.get(reverse("partners:country-detail", args=["AU"])).content.decode()
    assert "<strong>Japan’s principals and those of Australia who met them, with their encounters.</strong>" in english


def test_an_officials_page_draws_the_most_met_and_says_how_many_are_left_out(client, curated):
    with translation.override("en"):
        page = client.get(reverse("partners:official-detail", args=["nakatani-gen"])).content.decode()
    svg = drawing(page)
    assert svg.count("<circle") == 1 + DRAWN
    assert "Richard Marles [AU] (4)" in svg
    assert "Drawn: the 1 of 1 Japanese principals and the 12 of 26 counterparts" in page
    assert len(table_rows(page)) == 26  # every pair in the table
    # A partner's official: Japan's principals who met them.
    marles = client.get(reverse("partners:official-detail", args=["marles-richard"])).content.decode()
    assert [r[:3] for r in table_rows(marles)][:2] == [["中谷元", "マールズ", "4"], ["木原稔", "マールズ", "4"]]


def test_a_japanese_officials_encounters_are_counted_once_at_a_meeting_of_two_japanese_principals(client, curated):
    # At a “2+2” Japan's foreign and defence ministers are both principals: each pair of one of
    # them and a counterpart is one encounter, as on the partner's profile, not one for each
    # Japanese principal at the meeting.
    with translation.override("en"):
        page = client.get(reverse("partners:official-detail", args=["kihara-minoru"])).content.decode()
    marles = next(r for r in table_rows(page) if r[:4] == ["Kihara", "Minoru", "Richard", "Marles"])
    assert " ".join(marles[4:]) == "[AU] 4 “2+2” 1, ministerial 3"


def test_a_network_is_two_queries_however_many_pairs(curated, django_assert_max_num_queries):
    busiest = Official.objects.select_related("country").get(slug="nakatani-gen")  # as its page reads it
    for whose in ({"country": Country.objects.get(code="AU")}, {"official": busiest},
                  {"country": Country.objects.get(code="ES")}):
        with django_assert_max_num_queries(2):  # the pairs' rows by ids, then their names
            network = who_met_whom(**whose)
            [p.breakdown for p in network.pairs]
    assert network.pairs == []  # Spain: meetings on record, but no principal named


def test_a_partner_without_encounters_says_so(client, curated):
    with translation.override("en"):
        page = client.get(reverse("partners:country-detail", args=["ES"])).content.decode()
    assert "No encounters of principals on record." in page

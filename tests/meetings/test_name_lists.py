"""Names listed in a row of a list or of the timeline read as the page's language lists them:
オーストラリア、米国 on Japanese pages, Australia, United States on English ones."""
import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, MeetingFactory, ParticipationFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory

pytestmark = pytest.mark.django_db


def who(page):
    """The partners named beside each entry of the timeline."""
    return re.findall(r'<span class="who">([^<·]*)', page)


def test_a_meetings_partners_are_listed_with_the_pages_own_separator(client):
    au = CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")
    us = CountryFactory(code="US", name_ja="米国", name_en="United States", region="north_america")
    MeetingFactory(date="2024-05", countries=[au, us])
    japanese = client.get(reverse("meetings:meeting-list")).content.decode()
    timeline = client.get(reverse("meetings:timeline")).content.decode()
    with translation.override("en"):
        english = client.get(reverse("meetings:meeting-list")).content.decode()
        english_timeline = client.get(reverse("meetings:timeline")).content.decode()
    assert re.search(r">米国</a>、<a [^>]*>オーストラリア</a>", japanese)
    assert re.search(r">United States</a>, <a [^>]*>Australia</a>", english)
    assert who(timeline) == ["米国、オーストラリア "] and who(english_timeline) == ["United States, Australia "]


def test_an_agreements_partners_on_the_timeline_leave_japan_out_with_no_separator_left_over(client):
    japan = CountryFactory(code="JP", name_ja="日本", name_en="Japan", region="northeast_asia")
    uk = CountryFactory(code="GB", name_ja="英国", name_en="United Kingdom", region="europe")
    AgreementEventFactory(agreement=AgreementFactory(parties=[uk, japan]), date="2023-01")
    timeline = client.get(reverse("meetings:timeline")).content.decode()
    assert who(timeline) == ["英国"]


def test_an_offices_counterparts_are_listed_with_the_pages_own_separator(client):
    japan = CountryFactory(code="JP", name_ja="日本", name_en="Japan", region="northeast_asia")
    au = CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")
    position = PositionFactory(key="jp-minister", country=japan, title_ja="防衛大臣", title_en="Minister of Defense")
    minister = OfficialFactory(country=japan, slug="aoki", name_ja="青木", name_en="Aoki")
    TenureFactory(official=minister, position=position, date="2020-01-01/..")
    for slug, name in (("guest", "ゲスト"), ("other", "アザー")):
        meeting = MeetingFactory(date="2021-05", countries=[au])
        ParticipationFactory(meeting=meeting, official=minister)
        ParticipationFactory(meeting=meeting, official=OfficialFactory(country=au, slug=slug, name_ja=name))
    japanese = client.get(position.get_absolute_url()).content.decode()
    with translation.override("en"):
        english = client.get(position.get_absolute_url()).content.decode()
    assert "(オーストラリア、1件)</span>、<a" in japanese
    assert "(Australia, 1 meeting)</span>, <a" in english


def test_a_charts_bar_reads_its_parts_with_the_pages_own_separator(client):
    MeetingFactory(date="2024-05", level="leaders")
    MeetingFactory(date="2024-06", level="ministerial")
    page = client.get(reverse("meetings:charts")).content.decode()
    assert 'aria-label="首脳 1、大臣級 1"' in page


def test_an_accompanying_participants_country_and_role_read_in_the_pages_language(client):
    au = CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")
    meeting = MeetingFactory(key="au-2024", date="2024-05", countries=[au])
    ParticipationFactory(meeting=meeting, official=OfficialFactory(country=au), role="accompanying")
    japanese = client.get(meeting.get_absolute_url()).content.decode()
    with translation.override("en"):
        english = client.get(meeting.get_absolute_url()).content.decode()
    assert "（オーストラリア、随行）" in japanese and "(Australia, accompanying)" in english


def test_an_agreements_japanese_names_are_marked_japanese_on_its_english_page(client):
    agreement = AgreementFactory(key="kr-gsomia", aliases="GSOMIA\n日韓秘密軍事情報保護協定\n<情報保護協定>")
    with translation.override("en"):
        english = client.get(agreement.get_absolute_url()).content.decode()
    japanese = client.get(agreement.get_absolute_url()).content.decode()
    assert ('<dd>GSOMIA / <span lang="ja">日韓秘密軍事情報保護協定</span> / '
            '<span lang="ja">&lt;情報保護協定&gt;</span></dd>') in english
    assert "<dd>GSOMIA / 日韓秘密軍事情報保護協定 / &lt;情報保護協定&gt;</dd>" in japanese

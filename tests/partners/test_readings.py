"""Readings of names (partners.readings): how each is known, that a typed one is kept, and
the 五十音 order of Japanese pages (English pages: English names)."""
import datetime
import importlib
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from defrel.search import matching
from meetings.views.matrix import agreements_matrix
from partners.models import Country, Official
from partners.readings import from_kana, from_romanised, name_sort_key
from tests.curated import load_curated
from tests.meetings.factories import AgreementEventFactory, AgreementFactory
from tests.pages import form_fields, get, text
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db


def test_a_name_in_kana_is_its_own_reading_in_hiragana():
    assert from_kana("キハラ") == "きはら"
    assert from_kana("カマラ・ハリス") == "かまらはりす"  # the middle dot is not read
    assert from_kana("ﾏｰﾙｽﾞ") == "まーるず"  # half-width katakana
    assert from_kana("ヴァイクシュノラス") == "ゔぁいくしゅのらす"
    assert from_kana("木原稔") == from_kana("NATO") == ""


def test_a_japanese_name_is_read_from_its_romanisation_without_long_vowels():
    assert from_romanised("Kihara Minoru") == "きはら みのる"
    assert from_romanised("Kono Taro") == "この たろ"  # こうの たろう: the romanisation does not say
    assert from_romanised("Nakajima Koichiro") == "なかじま こいちろ"
    assert from_romanised("Hattori Shin'ichi") == "はっとり しんいち"
    assert from_romanised("Xi Jinping") == ""  # not Hepburn: no reading rather than a wrong one


def test_the_sort_key_leaves_out_the_long_vowel_mark_and_puts_vu_after_u():
    def order(*readings):
        records = [Country(pk=i, reading=r, name_ja=r, name_en="") for i, r in enumerate(readings)]
        return [c.reading for c in sorted(records, key=name_sort_key)]

    assert order("まわ", "まーるず") == ["まーるず", "まわ"]  # ー is not read: まるず < まわ
    assert order("え", "ゔぁ", "うん", "あ") == ["あ", "うん", "ゔぁ", "え"]  # ゔ is a voiced う
    assert order("", "か", "が") == ["か", "が", ""]  # voiced after unvoiced; none last


def test_each_official_gets_the_reading_the_name_gives_and_how_it_is_known():
    japan = CountryFactory(code="JP", name_ja="日本", name_en="Japan")
    korea = CountryFactory(code="KR", name_ja="韓国", name_en="Republic of Korea")
    kihara = OfficialFactory(country=japan, name_ja="木原稔", name_en="Kihara Minoru")
    marles = OfficialFactory(name_ja="マールズ", name_en="Richard Marles")
    kim = OfficialFactory(country=korea, name_ja="金龍顕", name_en="Kim Yong-hyun")
    assert (kihara.reading, kihara.reading_from) == ("きはら みのる", "romanised")
    assert (marles.reading, marles.reading_from) == ("まーるず", "kana")
    assert (kim.reading, kim.reading_from) == ("", "")  # a Korean name is not Hepburn
    assert (korea.reading, korea.reading_from) == ("かんこく", "dictionary")
    assert (japan.reading, japan.reading_from) == ("にほん", "dictionary")

    marles.name_ja = "マールス"
    marles.save()
    assert Official.objects.get(pk=marles.pk).reading == "まーるす"  # a derived reading follows the name


def test_a_typed_reading_is_kept_through_saves_renames_and_fixture_loads():
    call_command("load_curated", "fixtures/00_reference.json", verbosity=0)
    kono = Official.objects.get(slug="kono-taro")
    assert (kono.reading, kono.reading_from) == ("この たろ", "romanised")
    kono.reading = "コウノ タロウ"  # typed over the derived one, in katakana
    kono.save()
    kono = Official.objects.get(slug="kono-taro")
    assert (kono.reading, kono.reading_from) == ("こうの たろう", "editor")
    kono.name_ja = "河野 太郎"
    kono.save()
    call_command("load_curated", "fixtures/00_reference.json", verbosity=0)
    assert Official.objects.get(slug="kono-taro").reading == "こうの たろう"

    kono.reading = ""  # cleared: taken from the name again
    kono.save()
    assert (kono.reading, kono.reading_from) == ("この たろ", "romanised")


def test_a_reading_a_source_gives_is_kept_as_written_through_renames():
    korea = CountryFactory(code="KR", name_ja="韓国", name_en="Republic of Korea")
    park = OfficialFactory(country=korea, name_ja="朴安洙", name_en="Park An-su",
                           reading="パク アンス", reading_from="source")  # 朴安洙(パクアンス)
    assert (park.reading, park.reading_from) == ("ぱく あんす", "source")
    park.name_ja, park.name_en = "朴 安洙", "Pak An-su"
    park.save()
    park = Official.objects.get(pk=park.pk)
    assert (park.reading, park.reading_from) == ("ぱく あんす", "source")


def test_a_database_loaded_before_gets_the_readings_the_sources_give_where_it_has_none():
    """The migration sets a curated reading only on an official still without one and still
    named as in the curated record; the version moves, so a form opened before is refused."""
    from django.apps import apps

    migration = importlib.import_module("partners.migrations.0005_reading_from_source")
    korea = CountryFactory(code="KR", name_ja="韓国", name_en="Republic of Korea")
    china = CountryFactory(code="CN", name_ja="中国", name_en="China")
    park = OfficialFactory(slug="park-an-su", country=korea, name_ja="朴安洙", name_en="Park An-su")
    dong = OfficialFactory(slug="dong-jun", country=china, name_ja="董軍", name_en="Dong Jun")
    lee = OfficialFactory(slug="lee-young-su", country=korea, name_ja="李英秀", name_en="Lee Young-su",
                          reading="り えいしゅう", reading_from="editor")  # an editor's, kept
    kim = OfficialFactory(slug="kim-seon-ho", country=korea, name_ja="金善浩", name_en="Kim Seon-ho")  # renamed
    xi = OfficialFactory(slug="xi-jinping", country=china, name_ja="習近平", name_en="Xi Jinping")
    before = {o.slug: o.version for o in (park, dong, lee, kim, xi)}
    migration.read_the_curated_names(apps, None)
    after = {o.slug: (o.reading, o.reading_from, o.version - before[o.slug])
             for o in Official.objects.filter(slug__in=before)}
    assert after == {
        "park-an-su": ("ぱく あんす", "source", 1), "dong-jun": ("とう ぐん", "source", 1),
        "lee-young-su": ("り えいしゅう", "editor", 0), "kim-seon-ho": ("", "", 0),
        "xi-jinping": ("", "", 0)}


def test_an_editor_types_a_reading_in_the_admin_and_it_is_kept(editor_client):
    japan = CountryFactory(code="JP", name_ja="日本", name_en="Japan")
    kono = OfficialFactory(slug="kono-taro", country=japan, name_ja="河野太郎", name_en="Kono Taro")
    url = reverse("admin:partners_official_change", args=[kono.pk])
    posted = form_fields(editor_client.get(url))
    posted["reading"] = ["こうの たろう"]  # the form still says "the romanised name"
    editor_client.post(url, posted)
    kono.refresh_from_db()
    assert (kono.reading, kono.reading_from) == ("こうの たろう", "editor")

    posted = form_fields(editor_client.get(url))
    posted["name_en"] = ["Taro Kono"]
    editor_client.post(url, posted)
    kono.refresh_from_db()
    assert (kono.name_en, kono.reading) == ("Taro Kono", "こうの たろう")

    posted["reading"] = ["河野"]
    assert 'class="errornote"' in editor_client.post(url, posted).content.decode()  # not kana: refused
    kono.refresh_from_db()
    assert kono.reading == "こうの たろう"


def officials():
    japan = CountryFactory(code="JP", name_ja="日本", name_en="Japan")
    australia = CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")
    OfficialFactory(slug="marles-richard", country=australia, name_ja="マールズ", name_en="Richard Marles")
    OfficialFactory(slug="kihara-minoru", country=japan, name_ja="木原稔", name_en="Kihara Minoru")
    OfficialFactory(slug="johnston-david", country=australia, name_ja="ジョンストン", name_en="David Johnston")
    OfficialFactory(slug="austin-lloyd", name_ja="オースティン", name_en="Lloyd J. Austin III")
    OfficialFactory(slug="xi-jinping", name_ja="習近平", name_en="Xi Jinping")


def in_order(page, names):
    shown = text(page)
    return sorted(names, key=shown.index)


def test_the_officials_page_lists_names_in_gojuon_order_in_japanese_and_by_english_name_in_english(client):
    officials()
    names_ja = ["マールズ", "木原稔", "ジョンストン", "オースティン", "習近平"]
    # お(ア行) き(カ行) じ(サ行) ま(マ行), then the name without a reading
    assert in_order(get(client, "partners:official-list"), names_ja) == [
        "オースティン", "木原稔", "ジョンストン", "マールズ", "習近平"]
    names_en = ["Richard Marles", "Kihara Minoru", "David Johnston", "Lloyd J. Austin III", "Xi Jinping"]
    assert in_order(get(client, "partners:official-list", lang="en"), names_en) == [
        "David Johnston", "Kihara Minoru", "Lloyd J. Austin III", "Richard Marles", "Xi Jinping"]


def test_the_partners_page_lists_each_region_in_gojuon_order_in_japanese(client):
    for code, ja, en in [("GB", "英国", "United Kingdom"), ("FR", "フランス", "France"), ("DE", "ドイツ", "Germany"),
                         ("IT", "イタリア", "Italy"), ("NL", "オランダ", "Netherlands")]:
        CountryFactory(code=code, name_ja=ja, name_en=en, region="europe")
    assert in_order(get(client, "partners:country-list"), ["英国", "フランス", "ドイツ", "イタリア", "オランダ"]) == [
        "イタリア", "英国", "オランダ", "ドイツ", "フランス"]
    assert in_order(get(client, "partners:country-list", lang="en"),
                    ["United Kingdom", "France", "Germany", "Italy", "Netherlands"]) == [
        "France", "Germany", "Italy", "Netherlands", "United Kingdom"]


def test_the_agreements_matrix_lists_partners_of_a_region_in_the_pages_order():
    for code, ja, en in [("GB", "英国", "United Kingdom"), ("FR", "フランス", "France"), ("IT", "イタリア", "Italy")]:
        agreement = AgreementFactory(parties=[CountryFactory(code=code, name_ja=ja, name_en=en, region="europe")])
        AgreementEventFactory(agreement=agreement, kind="signed", date="2020-01")
    day = datetime.date(2025, 1, 1)
    assert [c.code for c, _ in agreements_matrix(day)["rows"]] == ["IT", "GB", "FR"]
    with translation.override("en"):
        assert [c.code for c, _ in agreements_matrix(day)["rows"]] == ["FR", "IT", "GB"]


def test_the_admin_lists_officials_in_reading_order(editor_client):
    officials()
    page = editor_client.get(reverse("admin:partners_official_changelist"))
    names = ["マールズ", "木原稔", "ジョンストン", "オースティン", "習近平"]
    assert in_order(page, names) == ["オースティン", "木原稔", "ジョンストン", "マールズ", "習近平"]


def test_the_data_quality_page_lists_readings_to_confirm(editor_client):
    officials()
    with translation.override("en"):
        page = text(editor_client.get(reverse("data-quality")))
    assert "木原稔（Kihara Minoru） きはら みのる" in page  # from the romanised name
    assert "習近平（Xi Jinping）" in page  # none
    assert "マールズ" not in page


def test_the_partner_is_found_by_the_name_in_use_and_by_its_formal_name(tmp_path):
    countries = [o for path in sorted(Path("fixtures").glob("*.json"))
                 for o in json.loads(path.read_text(encoding="utf-8")) if o["model"] == "partners.country"]
    (tmp_path / "countries.json").write_text(json.dumps(countries), encoding="utf-8")
    call_command("load_curated", str(tmp_path / "countries.json"), verbosity=0)

    def found(query):
        return list(Country.objects.filter(matching(Country, query)).values_list("code", flat=True))

    assert found("韓国") == found("大韓民国") == ["KR"]
    assert found("米国") == found("アメリカ合衆国") == ["US"]
    assert found("北大西洋条約機構") == ["NATO"]


def test_an_officials_file_without_readings_imports_and_each_reading_is_taken_or_kept():
    """Readings are derived: a file made before they existed (no reading columns) still
    imports, each new official gets the reading its name gives, and an editor's typed reading
    is kept when the file does not name it; a file with the column sets it."""
    import tablib

    from partners.resources import OfficialResource

    japan = CountryFactory(code="JP", name_ja="日本", name_en="Japan")
    kono = OfficialFactory(slug="kono-taro", country=japan, name_ja="河野太郎", name_en="Kono Taro")
    kono.reading = "こうの たろう"
    kono.save()
    kono.refresh_from_db()
    old_file = tablib.Dataset(
        ["kono-taro", "河野太郎", "Kono Taro", "JP", kono.version],
        ["kihara-minoru", "木原稔", "Kihara Minoru", "JP", ""],
        ["marles-richard", "マールズ", "Richard Marles", "JP", ""],
        headers=["slug", "name_ja", "name_en", "country", "version"])
    result = OfficialResource().import_data(old_file, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), result.base_errors
    readings = dict(Official.objects.values_list("slug", "reading"))
    assert readings == {"kono-taro": "こうの たろう", "kihara-minoru": "きはら みのる", "marles-richard": "まーるず"}
    assert Official.objects.get(slug="kono-taro").reading_from == "editor"

    kihara = Official.objects.get(slug="kihara-minoru")
    with_readings = tablib.Dataset(["kihara-minoru", "木原稔", "Kihara Minoru", "きはら みのる", "editor", "JP",
                                    kihara.version], headers=["slug", "name_ja", "name_en", "reading",
                                                              "reading_from", "country", "version"])
    result = OfficialResource().import_data(with_readings, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Official.objects.get(slug="kihara-minoru").reading_from == "editor"


def test_every_curated_official_and_partner_has_a_reading_to_be_listed_by():
    """Without one a name falls to the end of every Japanese list (安圭伯 after ラヴロフ)."""
    load_curated()
    assert list(Official.objects.filter(reading="").values_list("name_ja", flat=True)) == []
    assert list(Country.objects.filter(reading="").values_list("name_ja", flat=True)) == []

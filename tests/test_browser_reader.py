"""The reader's site in Chromium: the back button after filtering, a phone's list with its
results first, the agreements matrix scrolled sideways, and the offices over time."""
import re

import pytest

from tests.test_browser import (  # noqa: F401  (fixtures: the curated site and Chromium)
    async_unsafe_allowed, browser, phone, reader, shoot, site, sync_api)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_going_back_after_filtering_shows_the_filters_of_the_page_shown(reader):
    page = reader.visit("/meetings/")
    search = page.locator("aside.filters input[name=q]")
    search.fill("マールズ")
    page.locator("aside.filters button[type=submit]").click()
    sync_api.expect(page).to_have_url(re.compile(r"[?&]q="))
    sync_api.expect(page.locator("aside.filters input[name=q]")).to_have_value("マールズ")
    page.go_back()
    sync_api.expect(page).to_have_url(re.compile(r"/meetings/$"))
    sync_api.expect(page.locator("aside.filters input[name=q]")).to_have_value("")
    page.go_forward()
    sync_api.expect(page.locator("aside.filters input[name=q]")).to_have_value("マールズ")
    reader.check_clean()


def test_on_a_phone_the_results_come_before_the_filters(phone):
    page = phone.visit("/meetings/?level=ministerial")
    results = page.locator("table.results").bounding_box()
    filters = page.locator("aside.filters").bounding_box()
    assert results["y"] < filters["y"]
    assert results["y"] < 844  # on the first screen
    jump = page.locator(".jump-to-filters a")
    sync_api.expect(jump).to_be_visible()
    jump.click()
    sync_api.expect(page).to_have_url(re.compile(r"#filters-heading$"))
    shoot(page, "meeting-list-phone-results-first")
    phone.check_clean()


def test_the_agreements_matrix_keeps_the_partner_column_in_view_when_scrolled(phone):
    page = phone.visit("/agreements/matrix/")
    first = page.locator("table.matrix tbody th[scope=row]").first
    before = first.bounding_box()["x"]
    page.locator(".table-scroll").first.evaluate("box => box.scrollBy(600, 0)")
    assert page.locator(".table-scroll").first.evaluate("box => box.scrollLeft") > 0
    assert abs(first.bounding_box()["x"] - before) < 2
    phone.check_clean()


def test_an_office_lists_its_holders_and_leads_to_each(reader):
    page = reader.visit("/partners/offices/")
    page.get_by_role("link", name="防衛大臣", exact=True).click()
    sync_api.expect(page.locator("h1")).to_have_text("防衛大臣")
    holders = page.locator("ol.holders")
    sync_api.expect(holders).to_contain_text("木原稔")
    sync_api.expect(holders).to_contain_text("中谷元")
    holders.get_by_role("link", name="木原稔").click()
    sync_api.expect(page.locator("h1")).to_have_text("木原稔")
    offices = page.locator("ol.offices")
    sync_api.expect(offices).to_contain_text("後任")
    offices.get_by_role("link", name="中谷元").click()
    sync_api.expect(page.locator("h1")).to_have_text("中谷元")
    shoot(page, "official-offices")
    page.goto(reader.site + "/en/partners/offices/jp-minister-of-defense/")
    sync_api.expect(page.locator("h1")).to_have_text("Minister of Defense")
    sync_api.expect(page.locator("ol.holders")).to_contain_text("Kihara Minoru")
    reader.check_clean()


def test_people_and_partners_are_listed_in_gojuon_order_in_japanese_and_by_name_in_english(reader):
    """Japanese pages read names in 五十音 order by their readings (安倍 あべ before 石破 いしば,
    Japanese and foreign names together); English pages sort by the English name; partners are
    named as the ministry's documents name them (米国, 韓国) and found by either name."""
    page = reader.visit("/partners/officials/")
    names = page.locator("table.results tbody tr th a").all_inner_texts()
    assert names.index("アティーヤ") < names.index("安倍晋三") < names.index("アマラスーリヤ") \
        < names.index("石破茂") < names.index("ウォン") < names.index("内倉浩昭") < names.index("小野寺五典")
    shoot(page, "officials-gojuon")
    page = reader.visit("/en/partners/officials/")
    names = page.locator("table.results tbody tr th a").all_inner_texts()
    assert names[:3] == sorted(names)[:3] and names.index("Abe Shinzo") < names.index("Ishiba Shigeru")
    page = reader.visit("/partners/countries/")
    north_america = page.locator("section", has=page.locator("h2", has_text="北米")).first
    assert north_america.locator("tbody th a").all_inner_texts() == ["カナダ", "米国"]
    page = reader.visit("/search/?q=韓国")
    sync_api.expect(page.locator("main")).to_contain_text("日韓秘密軍事情報保護協定")
    page = reader.visit("/search/?q=大韓民国")  # the formal name finds the partner, and leads on
    page.locator("main a[href$='/partners/countries/KR/']").first.click()
    sync_api.expect(page.locator("h1")).to_have_text("韓国")
    reader.check_clean()

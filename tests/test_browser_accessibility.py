"""Accessibility checked, not assumed: axe-core (the copy shipped in a Python package, run in
the page by Playwright, not fetched from a CDN) on every page type in Japanese and in English,
and one walk through the site by keyboard alone."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.test_browser import (  # noqa: F401  (fixtures: the curated site and Chromium)
    async_unsafe_allowed, browser, phone, reader, site, sync_api)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGES = [  # one of each page type, with the curated data
    "/", "/timeline/?year=2024", "/meetings/", "/meetings/?country=AU&year=2024",
    "/meetings/2024-07-ph-2plus2/", "/agreements/", "/agreements/matrix/", "/exercises/",
    "/engagements/", "/partners/countries/", "/partners/countries/PH/", "/partners/officials/",
    "/partners/officials/kihara-minoru/", "/partners/offices/", "/partners/offices/jp-minister-of-defense/",
    "/data/", "/sources/", "/sources/wp2025/", "/charts/",
]
SERIOUS = ("serious", "critical")
# Colour contrast is two thirds of axe's time on a page (13.7 of 18.7 s for the Japanese
# pages). It depends on the stylesheet and the elements' classes, which both languages share,
# so it is checked on the Japanese pages; every other rule runs in both languages.
WITHOUT_CONTRAST = {"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": False}}}


def serious_violations(page, language=""):
    options = WITHOUT_CONTRAST if language else {"resultTypes": ["violations"]}
    found = Axe().run(page, options=options).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in found if v["impact"] in SERIOUS]


@pytest.mark.parametrize("language", ["", "/en"])
def test_every_page_type_has_no_serious_accessibility_violation(reader, language):
    problems = {}
    for path in PAGES:
        page = reader.visit(language + path)
        sync_api.expect(page.locator("h1")).to_be_visible()
        if found := serious_violations(page, language):
            problems[language + path] = found
    # a detail page of each kind found from its list
    for listing in ("/agreements/", "/exercises/", "/engagements/"):
        page = reader.visit(language + listing)
        page.locator("table.results tbody tr th a").first.click()
        sync_api.expect(page.locator("h1")).to_be_visible()
        if found := serious_violations(page, language):
            problems[page.url] = found
    assert problems == {}
    reader.check_clean()


def test_a_reader_finds_a_meeting_by_keyboard_alone(reader):
    """Skip link, the navigation, a filter and a result, with Tab and Enter only."""
    page = reader.visit("/")
    for _ in range(60):  # Tab on to the meetings link of the site's navigation
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('nav.site-nav') !== null "
                         "&& /\\/meetings\\/$/.test(document.activeElement.pathname || '')"):
            break
    else:
        pytest.fail("the meetings link was not reached by Tab")
    page.keyboard.press("Enter")
    reader.arrive(r"/meetings/$")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.getAttribute('href')")
    assert skip and skip.startswith("#"), "the first Tab reaches the skip link"
    page.keyboard.press("Enter")  # past the header and the navigation
    for _ in range(80):  # on to the search box of the filters
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name === 'q'"):
            break
    else:
        pytest.fail("the search box was not reached by Tab")
    page.keyboard.type("マールズ")
    page.keyboard.press("Enter")
    reader.arrive(r"[?&]q=")
    for _ in range(200):  # on to the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('table.results') !== null"):
            break
    else:
        pytest.fail("no result was reached by Tab")
    page.keyboard.press("Enter")
    reader.arrive(r"/meetings/[^/?]+/$")
    sync_api.expect(page.locator("main")).to_contain_text("マールズ")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline is not None
    reader.check_clean()

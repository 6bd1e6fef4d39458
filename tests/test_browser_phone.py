"""A walk at 390 px: each page type in Japanese and in English, on a phone's screen (390×844).
Its results come before its filters (or the filters are folded away), the page never
scrolls sideways (only the boxes made to, such as the agreements matrix). With $DEFREL_SHOTS
set, a screenshot of each is kept for a person to look at, its first screen (phone-NAME-ja.png,
phone-NAME-en.png) and its first four (phone-NAME-ja-long.png)."""
import pytest

from tests.test_browser import (  # noqa: F401  (fixtures: the curated site and Chromium)
    async_unsafe_allowed, browser, phone, shoot, site, sync_api)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SCREENS = 4  # a screenshot goes this many screens down the page at most

# (name, path, the first result, the filters above or beside the results or None)
PAGES = [
    ("home", "/", "#latest", None),
    ("meeting-list", "/meetings/", "table.results", "aside.filters"),
    ("meeting", "/meetings/2024-05-au-defmin/", "h1", None),
    ("country", "/partners/countries/AU/", "section[aria-labelledby=agreements]", "section[aria-labelledby=timeline] form"),
    ("official", "/partners/officials/nakatani-gen/", "section[aria-labelledby=tenures]", "section[aria-labelledby=timeline] form"),
    ("office", "/partners/offices/jp-minister-of-defense/", "ol.holders", None),
    ("agreement-list", "/agreements/", "table.results", "aside.filters"),
    ("agreement-matrix", "/agreements/matrix/", "table.matrix", "form.filter-bar"),
    ("exercise-list", "/exercises/", "table.results", "aside.filters"),
    ("engagement-list", "/engagements/", "table.results", "aside.filters"),
    ("timeline", "/timeline/", ".timeline-year", "form.filter-bar"),
    ("charts", "/charts/", "figure.chart", None),
    # The search box is the question the results answer, not a filter: it stays above them.
    ("search", "/search/?q=%E8%B1%AA", "#found-meetings, section[id^=found-]", None),
    ("sources", "/sources/", "main li, main table", None),
    ("coverage", "/coverage/", "#sources", None),
]

# How far the page's content reaches past the screen's right edge, and what reaches it:
# elements inside a box that scrolls sideways itself (overflow-x auto or scroll) do not count.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const sideways = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll") return true; } return false; };
  const over = [...document.body.querySelectorAll("*")].filter(
    (e) => e.getBoundingClientRect().right > width + 1 && !sideways(e) && e.getClientRects().length);
  return {scroll: document.documentElement.scrollWidth - width,
          over: over.slice(0, 5).map((e) => e.tagName + "." + e.className + " " + (e.textContent || "").trim().slice(0, 40))};
}"""


def folded(locator):
    """Whether ``locator`` is inside a closed <details>: folded away, one line to open it."""
    return locator.evaluate("e => { const d = e.closest('details'); return !!d && !d.open; }")


@pytest.mark.parametrize("language", ["", "/en"])
def test_every_page_type_reads_on_a_phone(phone, language):
    for name, path, first, filters in PAGES:
        page = phone.visit(language + path)
        result = page.locator(first).first
        sync_api.expect(result).to_be_attached()
        if filters:
            form = page.locator(filters).first
            assert folded(form) or result.bounding_box()["y"] < form.bounding_box()["y"], (name, language)
        measured = page.evaluate(OVERFLOW)
        assert measured == {"scroll": 0, "over": []}, (name, language, measured)
        stem = f"phone-{name}-{language.strip('/') or 'ja'}"
        shoot(page, stem)  # the first screen
        shoot(page, f"{stem}-long", screens=SCREENS)
    phone.check_clean()

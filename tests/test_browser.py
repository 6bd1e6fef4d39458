"""A reader in a real browser: Playwright driving Debian's Chromium over the curated data.

The curated data is loaded once for the module into the test database and served by
pytest-django's LiveServer; the tests are not transactional, so nothing flushes the data
between them, and the database is put back as it was when the module ends. Every page is
watched for console errors, uncaught exceptions, failed requests and CSP violations.
Screenshots for a person to look at go to the folder $DEFREL_SHOTS names, when it is set
(``shoot()``; they are not committed).
"""
import csv
import datetime
import io
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium not installed: apt-get install chromium fonts-noto-cjk", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed: pip install -r requirements.txt")

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.backends.base.creation import TEST_DATABASE_PREFIX  # noqa: E402
from django.utils import translation  # noqa: E402
from pytest_django.live_server_helper import LiveServer  # noqa: E402

from defrel.models import Source  # noqa: E402
from django.db.models import Sum  # noqa: E402
from meetings.models import Agreement, AgreementEvent, Engagement, Meeting, Status  # noqa: E402
from meetings.resources import EngagementResource, MeetingResource  # noqa: E402
from partners.models import Country, Official  # noqa: E402
from tests.curated import load_curated  # noqa: E402

# django_db makes pytest-django create the test database (without a test asking for it,
# ``connection`` would still be the developer's db.sqlite3); each test runs in a transaction
# rolled back at its end, which leaves the module's committed data alone.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Taken only when a person asks for them: the phone walk's sixty took 5 of the suite's processor
# seconds, into a temporary folder no one opened.
SHOTS = os.environ.get("DEFREL_SHOTS")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BOM = b"\xef\xbb\xbf"
TIMEOUT_MS = 15_000

# Every page reports the violations of its content security policy to the test as they happen
# (an init script runs outside the page's CSP, so the listener itself is never blocked).
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportCspViolation(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`);
});
"""


# --- the site and the browser -----------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def async_unsafe_allowed():
    """Playwright's sync API runs an event loop in this thread, and Django would take the ORM
    calls made here (the expected rows) for calls from async code. Set for this module only:
    other tests run ``manage.py check --deploy``, which rightly refuses the variable."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def is_test_database(conn):
    """The data below is loaded and then flushed: never into a developer's database."""
    name = str(conn.settings_dict["NAME"])
    return ((conn.vendor == "sqlite" and conn.is_in_memory_db()) or name.startswith(TEST_DATABASE_PREFIX)
            or name == conn.settings_dict["TEST"].get("NAME"))


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The curated data in the test database, served by a live server for this module only.

    pytest-django's ``live_server`` fixture would make every test transactional and flush the
    database after each one (reloading the curated data takes ~15 s), so the module starts
    pytest-django's LiveServer itself and leaves the database as it found it."""
    with django_db_blocker.unblock():
        assert is_test_database(connection), f"not a test database: {connection.settings_dict['NAME']}"
        before = connection.creation.serialize_db_to_string()  # e.g. the editor/viewer roles
        load_curated()
        # The server's threads share this settings dict: each closes its database connection
        # after every request, so none is left open when the test database is dropped.
        max_age = connection.settings_dict["CONN_MAX_AGE"]
        connection.settings_dict["CONN_MAX_AGE"] = 0
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()  # ALLOWED_HOSTS += localhost
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            connection.settings_dict["CONN_MAX_AGE"] = max_age
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(before)


@pytest.fixture(scope="module")
def browser(site):
    """Chromium, closed before the site stops (no request is left half-way)."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # While Playwright's event loop runs, Django keeps this thread's connections apart
        # (per async context): the tests' ORM calls opened one of their own. Close it here,
        # still inside the loop, or PostgreSQL cannot drop the test database at the end.
        connections.close_all()


class Reader:
    """A browser tab that remembers console errors, uncaught exceptions and CSP violations."""

    def __init__(self, browser, site, viewport):
        self.site = site
        self.context = browser.new_context(viewport=viewport, locale="ja-JP", accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.expose_function("reportCspViolation", lambda v: self.problems.append(f"CSP: {v}"))
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.problems = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        self.page.on("response", self._response)

    def _console(self, message):
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text} ({self.page.url})")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def visit(self, path):
        self.page.goto(self.site + path)
        return self.page

    def arrive(self, url_pattern):
        """Wait for a navigation that a key or a click started to reach a page and load it.

        The address changes when the new page's first bytes arrive: a key pressed then reaches
        a page whose links are not all there yet (the first Tab found no skip link in CI).
        """
        sync_api.expect(self.page).to_have_url(re.compile(url_pattern))
        self.page.wait_for_load_state()

    def check_clean(self):
        assert self.problems == []

    def close(self):
        self.context.close()


@pytest.fixture
def reader(browser, site):
    r = Reader(browser, site, DESKTOP)
    yield r
    r.close()


@pytest.fixture
def phone(browser, site):
    r = Reader(browser, site, PHONE)
    yield r
    r.close()


# --- helpers --------------------------------------------------------------------------------------

def path_of(url):
    return urlsplit(url).path


def query_of(url):
    return parse_qs(urlsplit(url).query)


def ja(text):
    """The label a Japanese reader sees for a model's translatable text."""
    with translation.override("ja"):
        return str(text)


def listed_meeting_keys(where):
    """The keys of the meetings linked from the rows of a results table (a page or some rows)."""
    rows = where.locator("table.results tbody tr") if hasattr(where, "goto") else where
    hrefs = rows.locator("th a").evaluate_all("links => links.map(a => a.pathname)")
    return [re.fullmatch(r"(?:/en)?/meetings/([^/]+)/", href).group(1) for href in hrefs]


def download_csv(page, link):
    with page.expect_download() as info:
        link.click()
    download = info.value
    data = Path(download.path()).read_bytes()
    return download.suggested_filename, data


def parse_csv(data):
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row)) for row in body]


def no_horizontal_scroll(page):
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def shoot(page, name, *, screens=None, **options):
    """A screenshot of ``page`` as $DEFREL_SHOTS/NAME.png (page.screenshot()'s ``options``);
    with ``screens``, of the whole page down to that many screens at most."""
    if not SHOTS:
        return
    if screens:
        width, height = page.viewport_size["width"], page.viewport_size["height"]
        tall = page.evaluate("document.documentElement.scrollHeight")
        options.update(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": min(tall, height * screens)})
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), **options)


# --- the tests ------------------------------------------------------------------------------------

# The first test's walk, step by step: each step starts on the page the one before reached.

def _from_home_to_partner(page, philippines):
    """The home page (in Japanese) → the Philippines, from the list of partners."""
    expect = sync_api.expect
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    partners = page.locator("section[aria-labelledby=partners]")
    partners.get_by_role("link", name=philippines.name_ja, exact=True).click()


def _from_partner_to_agreement(page, philippines, raa):
    """The Philippines' page → its RAA, from the partner's agreements."""
    expect = sync_api.expect
    expect(page).to_have_url(re.compile(r"/partners/countries/PH/$"))
    expect(page.locator("h1")).to_have_text(philippines.name_ja)
    row = page.locator("table.results tbody tr", has=page.locator("a[href$='/agreements/ph-raa/']"))
    expect(row).to_contain_text(raa.title_ja)
    row.get_by_role("link", name=raa.title_ja).click()


def _from_agreement_to_meeting(page, raa, meeting):
    """The RAA's page → the meeting where it was signed, from its lifecycle."""
    # "When did Japan and the Philippines sign their RAA, and at which meeting?"
    expect = sync_api.expect
    expect(page).to_have_url(re.compile(r"/agreements/ph-raa/$"))
    expect(page.locator("h1")).to_contain_text(raa.title_ja)
    milestone = page.locator("ol.lifecycle > li", has_text=ja(AgreementEvent.Kind.SIGNED.label))
    expect(milestone).to_have_count(1)
    expect(milestone.locator(".date").first).to_have_text("2024年7月")
    at_meeting = milestone.get_by_role("link", name=meeting.title_ja)
    expect(at_meeting).to_have_attribute("href", f"/meetings/{meeting.key}/")
    at_meeting.click()


def _read_meeting(page, meeting):
    """The meeting's page: its title, its month and a link back to the RAA; its URL."""
    expect = sync_api.expect
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.key}/$"))
    meeting_url = page.url
    expect(page.locator("h1")).to_have_text(meeting.title_ja)
    expect(page.locator("main")).to_contain_text("2024年7月")
    expect(page.locator("main a[href$='/agreements/ph-raa/']")).to_be_visible()
    shoot(page, "meeting-ja")
    return meeting_url


def _to_a_participant_and_back(page, meeting, meeting_url):
    """The meeting's first participant, whose timeline has the meeting, then back to the meeting."""
    expect = sync_api.expect
    participant = meeting.participations.select_related("official").order_by("pk").first().official
    page.locator("ul.participants").get_by_role("link", name=participant.name_ja, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/partners/officials/{participant.slug}/$"))
    expect(page.locator("h1")).to_have_text(participant.name_ja)
    expect(page.locator("section[aria-labelledby=timeline]")).to_contain_text(meeting.title_ja)

    page.go_back()
    expect(page).to_have_url(meeting_url)
    expect(page.locator("h1")).to_have_text(meeting.title_ja)


def _to_every_meeting_with_partner(page, philippines):
    """The meeting's link to every meeting with the Philippines: exactly those, each row naming
    the Philippines; the keys in the list's order."""
    expect = sync_api.expect
    page.locator("dl.record a[href$='/meetings/?country=PH']").click()
    expect(page).to_have_url(re.compile(r"/meetings/\?country=PH$"))
    expected = set(Meeting.objects.with_country("PH").values_list("key", flat=True))
    assert 1 < len(expected) <= 50  # one page of results
    expect(page.locator(".page-head .meta")).to_contain_text(str(len(expected)))
    expect(page.locator("table.results tbody tr")).to_have_count(len(expected))
    shown = listed_meeting_keys(page)
    assert set(shown) == expected
    for partners_cell in page.locator("table.results tbody tr td:nth-child(3)").all():
        expect(partners_cell).to_contain_text(philippines.name_ja)
    return shown


def _export_the_list(page, shown):
    """Export CSV from the list: a .csv with a BOM, the export's columns and exactly the rows
    shown, in their order."""
    filename, data = download_csv(page, page.locator("p.export a[href*='export.csv']"))
    assert filename.endswith(".csv")
    assert data.startswith(BOM)
    header, rows = parse_csv(data)
    assert header == MeetingResource().get_export_headers()
    assert [r["key"] for r in rows] == shown  # the filtered rows only, in the list's order
    assert all("PH" in r["countries"].split("|") for r in rows)


def test_reader_walks_from_home_to_a_meeting_an_official_and_back_to_an_export(reader):
    """Home → the Philippines → its RAA → the meeting where it was signed → a participant →
    back → every meeting with the Philippines → Export CSV of exactly those."""
    page = reader.visit("/")
    philippines = Country.objects.get(code="PH")
    raa = Agreement.objects.get(key="ph-raa")
    signed = raa.events.get(kind=AgreementEvent.Kind.SIGNED)
    meeting = signed.meeting

    _from_home_to_partner(page, philippines)
    _from_partner_to_agreement(page, philippines, raa)
    _from_agreement_to_meeting(page, raa, meeting)
    meeting_url = _read_meeting(page, meeting)
    _to_a_participant_and_back(page, meeting, meeting_url)
    shown = _to_every_meeting_with_partner(page, philippines)
    _export_the_list(page, shown)
    reader.check_clean()


def test_language_link_gives_the_same_page_in_english_and_back(reader):
    meeting = Meeting.objects.get(key="2024-07-ph-2plus2")
    page = reader.visit(f"/meetings/{meeting.key}/")
    expect = sync_api.expect
    expect(page.locator("h1")).to_have_text(meeting.title_ja)

    page.locator("p.language a").click()
    expect(page).to_have_url(re.compile(rf"/en/meetings/{meeting.key}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(meeting.title_en)
    expect(page.locator("nav.site-nav")).to_contain_text("Meetings")
    expect(page.locator("dl.record")).to_contain_text("Philippines")

    # Links stay in English.
    page.locator("nav.site-nav").get_by_role("link", name="Countries").click()
    expect(page).to_have_url(re.compile(r"/en/partners/countries/$"))
    expect(page.locator("main")).to_contain_text("Philippines")

    page.locator("p.language a").click()
    expect(page).to_have_url(re.compile(r"/partners/countries/$"))
    assert not path_of(page.url).startswith("/en/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("main")).to_contain_text("フィリピン")
    reader.check_clean()


def test_a_chart_leads_to_what_the_data_covers_in_either_language(reader):
    """Home → the chart's note → the coverage page, whose year table holds the charts' counts →
    English and back, the list's filters kept by the language link."""
    expect = sync_api.expect
    page = reader.visit("/")
    page.locator("figure.chart p.chart__coverage a").click()
    expect(page).to_have_url(re.compile(r"/coverage/#per-year$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    busiest = max(Meeting.objects.per_year(Sum("count")), key=lambda row: row["n"])
    row = page.locator("table.coverage-years tbody tr", has=page.locator("th", has_text=str(busiest["year"])))
    expect(row.locator("td").first).to_have_text(str(busiest["n"]))
    expect(page.locator("table.coverage-sources tbody tr")).to_have_count(Source.objects.count())
    expect(page.locator("#alliance a[href*='/agreements/']")).to_have_count(
        Agreement.objects.filter(parties__code="US").count())
    shoot(page, "coverage-ja", full_page=True)

    page.locator("p.language a").click()
    expect(page).to_have_url(re.compile(r"/en/coverage/$"))
    expect(page.locator("h1")).to_have_text("What the data covers")
    expect(row.locator("td").first).to_have_text(str(busiest["n"]))
    shoot(page, "coverage-en", full_page=True)

    page = reader.visit("/en/meetings/?country=PH&year=2024")
    expect(page.locator("head link[rel=canonical]")).to_have_attribute(
        "href", re.compile(r"/en/meetings/\?country=PH&year=2024$"))
    page.locator("p.language a").click()
    expect(page).to_have_url(re.compile(r"/meetings/\?country=PH&year=2024$"))
    assert not path_of(page.url).startswith("/en/")
    expect(page.locator("table.results tbody tr")).to_have_count(
        Meeting.objects.with_country("PH").in_period(2024).count())
    page.locator("footer a[href='/coverage/']").click()
    expect(page).to_have_url(re.compile(r"/coverage/$"))
    assert page.context.cookies() == []  # reading in both languages left no cookie behind
    reader.check_clean()


def test_agreements_matrix_on_a_past_day_shows_the_rok_gsomia_in_force(reader):
    """"Which agreements were in force with the Republic of Korea on 2019-12-01?\""""
    day = datetime.date(2019, 12, 1)
    page = reader.visit("/agreements/matrix/")
    expect = sync_api.expect
    page.fill("#as_of", day.isoformat())
    page.locator("form.filter-bar button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/agreements/matrix/\?as_of=2019-12-01$"))
    expect(page.locator("table.matrix caption")).to_contain_text("2019年12月1日")  # as the site's dates read
    shoot(page, "matrix-2019-12-01-ja")

    korea = page.locator("table.matrix tr#KR")
    expect(korea.locator("th")).to_have_text(Country.objects.get(code="KR").name_ja)
    in_force = korea.locator("li", has=page.locator(".badge.status-in_force"))
    keys = {href.rstrip("/").rsplit("/", 1)[1]
            for href in in_force.locator("a").evaluate_all("links => links.map(a => a.pathname)")}
    expected = {a.key for a in Agreement.objects.filter(parties__code="KR") if a.status_on(day) == Status.IN_FORCE}
    assert "kr-gsomia" in expected
    assert keys == expected
    gsomia = korea.locator("li", has=page.locator("a[href$='/agreements/kr-gsomia/']"))
    expect(gsomia.locator(".badge")).to_have_text(ja(Status.IN_FORCE.label))

    gsomia.get_by_role("link", name="GSOMIA").click()
    expect(page).to_have_url(re.compile(r"/agreements/kr-gsomia/$"))
    expect(page.locator("h1")).to_contain_text("GSOMIA")
    reader.check_clean()


def test_agreements_matrix_on_a_past_day_never_dates_an_undated_agreement(reader):
    """The Japan–Australia RAA was signed in January 2022 and the Japan–India ACSA in September
    2020; the curated data gives both only a status stated without a date: on 2019-12-01 they
    are "in force by July 2025, since an unknown date", never "in force"."""
    page = reader.visit("/agreements/matrix/?as_of=2019-12-01")
    matrix = page.locator("table.matrix")
    sync_api.expect(matrix).to_be_visible()
    for row, key in (("AU", "au-raa"), ("IN", "in-acsa")):
        cell = matrix.locator(f"tr#{row} li", has=page.locator(f"a[href$='/agreements/{key}/']"))
        assert cell.locator(".badge.status-in_force_by").count() == 1
        assert cell.locator(".badge.status-in_force").count() == 0
        assert "2025" in cell.locator(".stated-by").inner_text()


def test_who_chief_of_staff_yoshida_met_in_september_2024(reader):
    yoshida = Official.objects.get(slug="yoshida-yoshihide")
    expected = set(Meeting.objects.with_official(yoshida.slug).in_period(2024, 9).values_list("key", flat=True))
    assert "2024-09-dk-chod" in expected

    page = reader.visit("/partners/officials/")
    expect = sync_api.expect
    page.locator("form.filter-bar input[name=q]").fill("吉田")
    page.locator("form.filter-bar button[type=submit]").click()
    page.get_by_role("link", name=yoshida.name_ja, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/partners/officials/{yoshida.slug}/$"))
    expect(page.locator("h1")).to_have_text(yoshida.name_ja)
    september = page.locator("section[aria-labelledby=timeline] li.entry-meeting", has=page.locator(".date", has_text="2024年9月"))
    expect(september.first).to_be_visible()
    hrefs = september.locator(".what > a").evaluate_all("links => links.map(a => a.pathname)")
    on_profile = {re.fullmatch(r"/meetings/([^/]+)/", href).group(1) for href in hrefs}
    assert on_profile <= expected

    page.locator(f"a[href$='/meetings/?official={yoshida.slug}']").click()
    expect(page).to_have_url(re.compile(rf"/meetings/\?official={yoshida.slug}$"))
    form = page.locator("aside.filters form[role=search]")
    form.locator("input[name=year]").fill("2024")
    form.locator("input[name=month]").fill("9")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/meetings/\?"))
    chosen = query_of(page.url)
    assert (chosen["official"], chosen["year"], chosen["month"]) == ([yoshida.slug], ["2024"], ["9"])
    expect(page.locator("table.results tbody tr")).to_have_count(len(expected))
    shown = listed_meeting_keys(page)
    assert set(shown) == expected
    expect(page.locator("table.results")).to_contain_text(Country.objects.get(code="DK").name_ja)

    _, data = download_csv(page, page.locator("p.export a[href*='export.csv']"))
    assert data.startswith(BOM)
    header, rows = parse_csv(data)
    assert header == MeetingResource().get_export_headers()
    assert [r["key"] for r in rows] == shown
    assert all(yoshida.slug in r["participants"].split("|") for r in rows)
    reader.check_clean()


def test_japanese_pages_render_for_screenshots(reader):
    """Screenshots for a person to look at; the checks are that the pages draw Japanese text in
    a CJK font and that nothing overflows at desktop width."""
    for name, path in [("home-ja", "/"), ("country-ph-ja", "/partners/countries/PH/"),
                       ("meeting-list-ja", "/meetings/"), ("matrix-ja", "/agreements/matrix/")]:
        page = reader.visit(path)
        sync_api.expect(page.locator("h1")).to_be_visible()
        page.evaluate("document.fonts.ready")
        width, inner = no_horizontal_scroll(page)
        assert width <= inner, f"{path} scrolls sideways at 1280px ({width} > {inner})"
        shoot(page, name)
    shoot(reader.visit("/"), "home-ja-full", full_page=True)
    reader.check_clean()


def test_phone_sized_pages_do_not_scroll_sideways(phone):
    for path in ["/", "/meetings/", "/meetings/2024-07-ph-2plus2/", "/partners/countries/PH/",
                 "/agreements/matrix/?as_of=2019-12-01"]:
        page = phone.visit(path)
        sync_api.expect(page.locator("h1")).to_be_visible()
        width, inner = no_horizontal_scroll(page)
        assert width <= inner, f"{path} scrolls sideways on a phone ({width} > {inner})"
        if path == "/":
            shoot(page, "home-phone")
            shoot(page, "home-phone-full", full_page=True)
    shoot(phone.visit("/meetings/"), "meeting-list-phone")
    phone.check_clean()


def test_the_csp_watcher_sees_a_violation(reader):
    """The clean-page checks above would pass vacuously if violations were not seen."""
    page = reader.visit("/")
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.ran = true"; document.body.append(s); }""")
    for _ in range(50):  # the report travels back to Python asynchronously
        if any(p.startswith("CSP: ") for p in reader.problems):
            break
        page.wait_for_timeout(100)
    assert any(p.startswith("CSP: script-src") for p in reader.problems), reader.problems
    assert page.evaluate("window.ran") is None
    reader.problems.clear()


@pytest.fixture(scope="module")
def ph_engagements(site, django_db_blocker):
    """A dated and an undated engagement with the Philippines on the served database, committed
    (the served database is not the test's transaction), and removed at the end."""
    from defrel.models import Source

    with django_db_blocker.unblock():
        made = []
        for key, date, title_ja in [("browser-ph-port-call", "2024-05", "護衛艦「むらさめ」のマニラ寄港"),
                                    ("browser-ph-undated", "", "フィリピンへの装備品の移転")]:
            engagement = Engagement.objects.create(
                key=key, kind=Engagement.Kind.PORT_CALL if date else Engagement.Kind.EQUIPMENT_TRANSFER,
                date=date, title_ja=title_ja, title_en=key, japan_side_ja="護衛艦「むらさめ」",
                source=Source.objects.get(key="wp2025"), source_excerpt=f"{title_ja}を行った")
            engagement.countries.set([Country.objects.get(code="PH")])
            made.append(engagement)
    yield made
    with django_db_blocker.unblock():
        Engagement.objects.filter(pk__in=[e.pk for e in made]).delete()


def test_reader_goes_from_the_engagements_list_to_one_and_back(reader, ph_engagements):
    """Navigation → engagements → the Philippines' facet → a port call → back to the same
    list → its CSV, the same rows in the same order."""
    dated, undated = ph_engagements
    expect = sync_api.expect
    page = reader.visit("/")
    page.locator("nav.site-nav a[href='/engagements/']").click()
    expect(page).to_have_url(re.compile(r"/engagements/$"))
    page.locator("#facet-country + ul.facet a[href*='country=PH']").click()
    expect(page).to_have_url(re.compile(r"/engagements/\?country=PH$"))
    expected = list(Engagement.objects.filter(countries__code="PH").values_list("key", flat=True))
    assert 2 <= len(expected) <= 50  # one page
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(len(expected))
    hrefs = rows.locator("th a").evaluate_all("links => links.map(a => a.pathname)")
    shown = [re.fullmatch(r"/engagements/([^/]+)/", href).group(1) for href in hrefs]
    assert shown == expected  # newest first, the undated last
    dates = rows.locator("td.date").all_inner_texts()
    assert dates[shown.index(dated.key)] == "2024年5月"
    assert dates[shown.index(undated.key)] == ja(undated.date_display)
    list_url = page.url
    shoot(page, "engagement-list-ja")

    page.get_by_role("link", name=dated.title_ja, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/engagements/{dated.key}/$"))
    expect(page.locator("h1")).to_have_text(dated.title_ja)
    expect(page.locator(".page-head .meta")).to_contain_text("2024年5月")
    record = page.locator("dl.record")
    expect(record.locator("a[href='/partners/countries/PH/']")).to_have_text(Country.objects.get(code="PH").name_ja)
    expect(page.locator("blockquote.excerpt")).to_contain_text(dated.source_excerpt)
    shoot(page, "engagement-detail-ja")

    page.go_back()
    expect(page).to_have_url(list_url)
    expect(page.locator("table.results tbody tr")).to_have_count(len(expected))
    _, data = download_csv(page, page.locator("p.export a[href*='export.csv']"))
    header, exported = parse_csv(data)
    assert header == EngagementResource().get_export_headers()
    assert [r["key"] for r in exported] == shown

    # Both on the Philippines' page: the dated on its timeline, the undated in a list apart.
    page.locator("table.results tbody td a[href='/partners/countries/PH/']").first.click()
    expect(page.locator("section[aria-labelledby=timeline] .timeline-year")
           .get_by_role("link", name=dated.title_ja)).to_be_visible()
    expect(page.locator("section#undated, section[aria-labelledby=undated]")
           .get_by_role("link", name=undated.title_ja)).to_be_visible()
    shoot(page, "country-ph-engagements-ja", full_page=True)
    reader.check_clean()


@pytest.fixture(scope="module")
def chief_editor(site, django_db_blocker):
    """A session of an editor on the served database, made here and committed: a test's own
    transaction keeps SQLite's write lock, so the server could not write a login itself."""
    from django.contrib.auth.models import User
    from django.test import Client

    with django_db_blocker.unblock():
        client = Client()
        client.force_login(User.objects.create_superuser("chief", password="chief-password-for-tests-only"),
                           backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies["sessionid"].value


def log_in(reader, session_key):
    reader.context.add_cookies([{"name": "sessionid", "value": session_key, "url": reader.site}])


def test_an_editor_unticks_every_export_column_with_select_all(reader, chief_editor):
    log_in(reader, chief_editor)
    page = reader.visit("/admin/meetings/meeting/export/")
    columns = page.locator(".selectable-field-export-row input[type=checkbox]")
    assert columns.count() > 10
    assert all(columns.evaluate_all("boxes => boxes.map(b => b.checked)"))

    page.locator("input.select-toggle").uncheck()
    assert not any(columns.evaluate_all("boxes => boxes.map(b => b.checked)"))
    page.locator("input.select-toggle").check()
    assert all(columns.evaluate_all("boxes => boxes.map(b => b.checked)"))
    page.wait_for_timeout(300)  # a CSP report travels back asynchronously
    reader.check_clean()


def test_an_editor_follows_a_large_import_checked_and_written_off_the_request(
        reader, chief_editor, settings, tmp_path, django_db_blocker):
    from defrel.models import Source

    if connection.vendor == "sqlite":
        # The test run's SQLite is one in-memory database shared between threads, where a reader
        # meeting a writer's lock fails at once instead of waiting as on a database file; the
        # steps themselves are tested on SQLite in tests/defrel/test_background_imports.py.
        pytest.skip("a second writing thread needs PostgreSQL or an SQLite file")
    settings.DEFREL_IMPORT_BACKGROUND_BYTES = 0  # this small file goes the large files' way
    upload = tmp_path / "sources.csv"
    upload.write_text("key,title_ja,title_en,publisher_ja,publisher_en,date,url,filename\n"
                      "browser-background-import,ブラウザ試験,Browser test,,,2025,,\n", encoding="utf-8")
    log_in(reader, chief_editor)
    page = reader.visit("/admin/defrel/source/import/")
    page.set_input_files("input[name=import_file]", str(upload))
    page.select_option("select[name=format]", label="csv")
    page.locator("input[type=submit]").click()
    # The page of the check reloads itself (no script) until the preview is there.
    page.locator("input[name=confirm]").wait_for()
    assert re.search(r"/admin/defrel/source/import/\d+/$", page.url)
    assert "browser-background-import" in page.locator("table.import-preview").inner_text()
    page.locator("input[name=confirm]").click()
    page.wait_for_url(re.compile(r"/admin/defrel/source/$"))
    assert "インポートが完了しました：新規1件" in page.locator(".messagelist").inner_text()
    reader.check_clean()
    with django_db_blocker.unblock():
        assert Source.objects.filter(key="browser-background-import").exists()
        Source.objects.filter(key="browser-background-import").delete()
        Source.history.filter(key="browser-background-import").delete()

"""The API's documentation in a real browser (Chromium through Playwright, as in
test_browser, whose curated site and watched tabs this module reuses): Swagger UI draws every
operation under the site's CSP with no violation and no console error, runs one, and a
reader takes away a filtered list as JSON from the list's own link."""
import datetime
import json
import re

import pytest

from tests.test_browser import (  # noqa: F401 - fixtures, used by name
    async_unsafe_allowed, browser, listed_meeting_keys, reader, site, sync_api,
)

from meetings.models import Agreement, Meeting, Status  # noqa: E402
from meetings.resources import MeetingResource  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

OPERATIONS = 12  # a list and a record for each of six kinds


def test_the_api_documentation_renders_every_operation_without_a_csp_violation(reader):
    page = reader.visit("/api/docs/")
    expect = sync_api.expect
    operations = page.locator(".opblock.opblock-get")
    expect(operations).to_have_count(OPERATIONS)
    expect(page.locator(".opblock-summary-path").filter(has_text=re.compile(r"^/api/meetings/$"))).to_have_count(1)
    expect(page.locator(".opblock-summary-path[data-path='/api/meetings/{key}/']")).to_have_count(1)
    # No write operation is offered: the API only reads.
    expect(page.locator(".opblock-post, .opblock-put, .opblock-patch, .opblock-delete")).to_have_count(0)

    # Run one from the page: the meetings of one year.
    meetings = operations.filter(has=page.locator("[data-path='/api/meetings/']"))
    meetings.locator(".opblock-summary").click()
    meetings.locator("button.try-out__btn").click()
    meetings.locator("tr[data-param-name='year'] input").fill("2023")
    meetings.locator("button.execute").click()
    expect(meetings.locator(".live-responses-table tr.response .response-col_status")).to_have_text("200", timeout=30_000)
    newest = Meeting.objects.in_period(2023).values_list("key", flat=True).first()
    expect(meetings.locator(".live-responses-table .highlight-code").first).to_contain_text(newest, timeout=30_000)
    reader.check_clean()


def test_a_reader_takes_a_partners_meetings_of_one_year_away_as_json(reader):
    page = reader.visit("/meetings/?country=PH&year=2024")
    expect = sync_api.expect
    expect(page.locator("table.results tbody tr").first).to_be_visible()
    shown = listed_meeting_keys(page)
    link = page.locator("p.export a[type='application/json']")
    expect(link).to_have_attribute("href", "/api/meetings/?country=PH&year=2024")
    with page.expect_response(re.compile(r"/api/meetings/\?country=PH&year=2024$")) as answer:
        link.click()
    response = answer.value
    assert response.status == 200 and response.headers["content-type"].startswith("application/json")
    data = json.loads(response.body())
    expected = list(Meeting.objects.with_country("PH").in_period(2024).values_list("key", flat=True))
    assert 1 < len(expected) <= 50
    assert [row["key"] for row in data["results"]] == expected == shown  # the page's rows, in its order
    assert data["count"] == len(expected) and data["next"] is None
    assert list(data["results"][0]) == MeetingResource().get_export_headers()
    for row in data["results"]:
        meeting = Meeting.objects.get(key=row["key"])
        assert "PH" in row["countries"].split("|")
        assert (row["title_ja"], row["title_en"], row["date"]) == (meeting.title_ja, meeting.title_en, meeting.date)
    years = {c["value"]: c["count"] for f in data["facets"] if f["param"] == "year" for c in f["choices"]}
    assert years["2024"] == len(expected)
    reader.check_clean()


def test_a_reader_runs_the_readmes_agreements_and_a_format_of_meetings_from_the_documentation(reader):
    page = reader.visit("/api/docs/")
    expect = sync_api.expect
    agreements = page.locator(".opblock.opblock-get").filter(has=page.locator("[data-path='/api/agreements/']"))
    agreements.locator(".opblock-summary").click()
    for name in ("as_of", "kind", "party", "q", "status"):
        expect(agreements.locator(f"tr[data-param-name='{name}']")).to_have_count(1)
    agreements.locator("button.try-out__btn").click()
    party = agreements.locator("tr[data-param-name='party']")
    party.locator("button.json-schema-form-item-add").click()
    party.locator("input").first.fill("KR")
    agreements.locator("tr[data-param-name='status'] select").select_option("in_force")
    agreements.locator("button.execute").click()
    readme = re.compile(r"/api/agreements/\?party=KR&status=in_force$")  # the README's example
    expect(agreements.locator(".request-url pre")).to_have_text(readme)
    answered = agreements.locator(".live-responses-table tr.response .response-col_status")
    expect(answered).to_have_text("200", timeout=30_000)
    today = datetime.date.today()
    korean = Agreement.objects.filter(parties__code="KR")
    in_force = [a.key for a in korean if a.status_on(today) == Status.IN_FORCE]
    assert in_force
    expect(agreements.locator(".live-responses-table .highlight-code").first).to_contain_text(in_force[0])

    meetings = page.locator(".opblock.opblock-get").filter(has=page.locator("[data-path='/api/meetings/']"))
    meetings.locator(".opblock-summary").click()
    meetings.locator("button.try-out__btn").click()
    meetings.locator("tr[data-param-name='format'] select").select_option("video")
    meetings.locator("button.execute").click()
    answered = meetings.locator(".live-responses-table tr.response .response-col_status")
    expect(answered).to_have_text("200", timeout=30_000)
    videos = Meeting.objects.filter(format="video").count()
    expect(meetings.locator(".live-responses-table .highlight-code").first).to_contain_text(f'"count": {videos}')
    reader.check_clean()

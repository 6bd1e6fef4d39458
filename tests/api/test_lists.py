"""The JSON lists: the HTML list's rows, filters, facets and the CSV's columns."""
import re

import pytest
from django.urls import reverse
from django.utils import translation

from meetings.models import Meeting
from meetings.resources import AgreementResource, EngagementResource, ExerciseResource, MeetingResource
from partners.resources import CountryResource, OfficialResource
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
    ParticipationFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory, TenureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def au():
    return CountryFactory(code="AU", name_ja="オーストラリア", name_en="Australia")


@pytest.fixture
def us():
    return CountryFactory(code="US", name_ja="米国", name_en="United States")


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def walked(client, url, field):
    """``field`` of every row of a list, page after page through its ``next`` links."""
    seen = []
    while url:
        data = get_json(client, url)
        seen += [row[field] for row in data["results"]]
        url = data["next"]
    return seen


def test_the_apis_root_says_where_everything_is(client, au):
    """/api/ answers with the address of every list, of the OpenAPI description and of its
    documentation, rather than a page not found."""
    root = get_json(client, "/api/")
    assert root == {name: f"http://testserver/api/{name}/" for name in
                    ("meetings", "agreements", "exercises", "engagements", "countries", "officials", "schema", "docs")}
    for url in root.values():
        assert client.get(url).status_code == 200, url


def test_meetings_of_one_partner_in_one_year(client, au, us):
    MeetingFactory(key="au-2024", date="2024-05-17", countries=[au])
    MeetingFactory(key="au-2023", date="2023-05", countries=[au])
    MeetingFactory(key="us-2024", date="2024-06", countries=[us])
    data = get_json(client, reverse("api:meeting-list") + "?country=AU&year=2024")
    assert [row["key"] for row in data["results"]] == ["au-2024"]
    assert data["count"] == 1 and data["next"] is None


def test_fields_are_the_csv_columns_in_their_order(client, au):
    meeting = MeetingFactory(key="au-2024", date="2024-05-17", countries=[au], count=2, sequence=11)
    row = get_json(client, reverse("api:meeting-list"))["results"][0]
    assert list(row) == MeetingResource().get_export_headers()
    assert row["countries"] == "AU"
    assert row["count"] == 2 and row["sequence"] == 11  # numbers as numbers
    assert row["date"] == "2024-05-17" and row["date_lower"] == "2024-05-17"
    assert row["version"] == meeting.version
    assert row["occasion"] == ""


@pytest.mark.parametrize("name, resource, make", [
    ("api:agreement-list", AgreementResource, lambda c: AgreementFactory(parties=[c])),
    ("api:exercise-list", ExerciseResource, lambda c: ExerciseFactory(countries=[c])),
    ("api:engagement-list", EngagementResource, lambda c: EngagementFactory(countries=[c])),
    ("api:country-list", CountryResource, lambda c: c),
    ("api:official-list", OfficialResource, lambda c: OfficialFactory(country=c)),
])
def test_every_list_gives_its_csv_columns(client, au, name, resource, make):
    make(au)
    rows = get_json(client, reverse(name))["results"]
    assert rows and list(rows[0]) == resource().get_export_headers()


def test_a_cell_a_spreadsheet_would_evaluate_is_given_as_it_is(client, au):
    MeetingFactory(title_en="=SUM(A1)", countries=[au])
    row = get_json(client, reverse("api:meeting-list"))["results"][0]
    assert row["title_en"] == "=SUM(A1)"


def test_the_title_at_the_time_is_the_stored_one(client, au):
    tenure = TenureFactory(official__country=au, official__slug="marles", date="2022-05/..",
                           position__title_ja="副首相兼国防大臣", position__title_en="Deputy Prime Minister")
    meeting = MeetingFactory(key="au-2024", date="2024-05", countries=[au])
    ParticipationFactory(meeting=meeting, official=tenure.official)
    row = get_json(client, reverse("api:meeting-list"))["results"][0]
    assert row["participant_titles_en"] == f"Deputy Prime Minister {tenure.official.name_en}"
    record = get_json(client, reverse("api:meeting-detail", args=["au-2024"]))
    assert record["participations"] == [{
        "official": "marles", "name_ja": tenure.official.name_ja, "name_en": tenure.official.name_en,
        "title_ja": "副首相兼国防大臣", "title_en": "Deputy Prime Minister", "role": "principal",
        "known_from": "excerpt"}]


def test_facets_count_like_the_html_list_in_both_languages(client, au, us):
    MeetingFactory(key="a", date="2024-05", countries=[au, us], level="ministerial")
    MeetingFactory(key="b", date="2023-05", countries=[au], level="leaders")
    data = get_json(client, reverse("api:meeting-list") + "?country=AU")
    facets = {f["param"]: f for f in data["facets"]}
    partners = {c["value"]: c for c in facets["country"]["choices"]}
    assert partners["AU"]["count"] == 2 and partners["AU"]["selected"]
    assert partners["US"]["count"] == 1 and not partners["US"]["selected"]
    assert (partners["US"]["label_ja"], partners["US"]["label_en"]) == ("米国", "United States")
    assert partners["US"]["href"].endswith("/api/meetings/?country=AU&country=US")
    assert partners["AU"]["href"] == "http://testserver/api/meetings/"  # the last filter removed
    levels = {c["value"]: (c["count"], c["label_en"]) for c in facets["level"]["choices"]}
    with translation.override("en"):
        assert levels == {"leaders": (1, str(Meeting.Level.LEADERS.label)),
                          "ministerial": (1, str(Meeting.Level.MINISTERIAL.label))}
    assert facets["level"]["title_en"] == "Level"
    years = {c["value"]: c["count"] for c in facets["year"]["choices"]}
    assert years == {"2024": 1, "2023": 1}


def test_pages_follow_each_other_in_the_lists_order_without_gaps(client, au, monkeypatch):
    from meetings.api.paging import KeysetPagination
    monkeypatch.setattr(KeysetPagination, "page_size", 3)
    # Ties on the date (a year starts on 1 January) are ordered by key, as on the HTML list.
    keys = [f"m{i:02d}" for i in range(8)]
    for i, key in enumerate(keys):
        MeetingFactory(key=key, date="2024" if i < 5 else f"2023-0{i}", countries=[au])
    seen = walked(client, reverse("api:meeting-list"), "key")
    assert seen == ["m00", "m01", "m02", "m03", "m04", "m07", "m06", "m05"]
    assert seen == list(Meeting.objects.values_list("key", flat=True))  # the HTML list's order


def test_oldest_first_is_the_keyset_order_too(client, au, monkeypatch):
    from meetings.api.paging import KeysetPagination
    monkeypatch.setattr(KeysetPagination, "page_size", 2)
    for i in range(5):
        EngagementFactory(key=f"e{i}", date="" if i == 1 else f"202{i}", countries=[au])
    seen = walked(client, reverse("api:engagement-list") + "?sort=date", "key")
    assert seen == ["e0", "e2", "e3", "e4", "e1"]  # the undated last, as on the HTML list


def test_undated_engagements_come_last_across_pages(client, au, monkeypatch):
    from meetings.api.paging import KeysetPagination
    monkeypatch.setattr(KeysetPagination, "page_size", 2)
    for i in range(5):
        EngagementFactory(key=f"e{i}", date="" if i % 2 else f"202{i}", countries=[au])
    seen = walked(client, reverse("api:engagement-list"), "key")
    assert seen == ["e4", "e2", "e0", "e1", "e3"]


def test_agreements_filtered_by_status_with_their_facets(client, au, us):
    signed = AgreementFactory(key="acsa-au", parties=[au], kind="acsa", short_name="ACSA")
    AgreementEventFactory(agreement=signed, kind="signed", date="2017-01")
    AgreementEventFactory(agreement=signed, kind="entered_into_force", date="2017-09")
    AgreementFactory(key="raa-us", parties=[us], kind="raa", short_name="RAA")
    data = get_json(client, reverse("api:agreement-list") + "?status=in_force")
    assert [row["key"] for row in data["results"]] == ["acsa-au"]
    assert data["results"][0]["status_today"] == "in_force"
    statuses = {c["value"]: c["count"] for c in {f["param"]: f for f in data["facets"]}["status"]["choices"]}
    assert statuses["in_force"] == 1 and sum(statuses.values()) == 2


def test_meetings_by_format_are_the_html_lists_rows(client, au):
    held = [("m-video", "video"), ("m-phone", "phone"), ("m-met", "in_person"), ("m-video-2", "video")]
    for key, format in held:
        MeetingFactory(key=key, countries=[au], format=format)
    page = client.get(reverse("meetings:meeting-list") + "?format=video")
    shown = [m.key for m in page.context["page_obj"].object_list]
    link = re.search(r'<a href="([^"]+)" type="application/json">', page.content.decode()).group(1)
    assert link == reverse("api:meeting-list") + "?format=video"  # the page's own JSON link
    data = get_json(client, link)
    assert [row["key"] for row in data["results"]] == shown and sorted(shown) == ["m-video", "m-video-2"]
    assert data["count"] == 2


def test_the_format_facets_links_select_that_format(client, au):
    MeetingFactory(key="m-video", countries=[au], format="video")
    MeetingFactory(key="m-met", countries=[au], format="in_person")
    data = get_json(client, reverse("api:meeting-list"))
    choices = {c["value"]: c["href"] for f in data["facets"] if f["param"] == "format" for c in f["choices"]}
    assert choices["in_person"].endswith("/api/meetings/?format=in_person")
    chosen = get_json(client, choices["in_person"])
    assert [row["key"] for row in chosen["results"]] == ["m-met"]
    assert [c["selected"] for f in chosen["facets"] if f["param"] == "format" for c in f["choices"]
            if c["value"] == "in_person"] == [True]


def test_format_is_a_filter_not_a_choice_of_representation(client, au):
    MeetingFactory(key="m", countries=[au])
    refused = get_json(client, reverse("api:meeting-list") + "?format=json", status=400)
    assert list(refused) == ["format"]  # not one of in_person, video, phone
    refused = get_json(client, reverse("api:agreement-list") + "?format=json", status=400)
    assert list(refused) == ["format"] and "party" in refused["format"][0]  # the list has no such filter


def test_officials_by_country_and_name(client, au, us):
    OfficialFactory(slug="marles", name_en="Richard Marles", country=au)
    OfficialFactory(slug="conroy", name_en="Pat Conroy", country=au)
    OfficialFactory(slug="austin", name_en="Lloyd Austin", country=us)
    data = get_json(client, reverse("api:official-list") + "?country=AU")
    assert [row["slug"] for row in data["results"]] == ["conroy", "marles"]
    assert data["count"] == 2
    data = get_json(client, reverse("api:official-list") + "?q=marl")
    assert [row["slug"] for row in data["results"]] == ["marles"]


def test_the_country_list_leaves_japan_out_like_the_page(client, au):
    CountryFactory(code="JP", name_en="Japan")
    data = get_json(client, reverse("api:country-list"))
    assert [row["code"] for row in data["results"]] == ["AU"]
    assert get_json(client, reverse("api:country-detail", args=["AU"]))["name_en"] == "Australia"


def test_a_country_code_typed_in_lower_case_leads_to_its_one_address(client, au):
    """/api/countries/au/, as the lists take ?country=au and the partner's page answers."""
    response = client.get("/api/countries/au/?x=1")
    assert (response.status_code, response["Location"]) == (301, "/api/countries/AU/?x=1")
    assert get_json(client, response["Location"].removesuffix("?x=1"))["name_en"] == "Australia"
    assert get_json(client, "/api/countries/xx/", 404) == {"detail": "キー「xx」の国・機関はありません。"}


def test_a_records_key_typed_in_another_case_leads_to_its_one_address(client, au):
    """/api/meetings/2024-05-AU-DEFMIN/ and /api/officials/Marles-Richard/, as the records'
    pages answer them; a key no record has, in any case, stays this API's 404."""
    MeetingFactory(key="2024-05-au-defmin", countries=[au])
    OfficialFactory(slug="marles-richard", country=au)
    response = client.get("/api/meetings/2024-05-AU-DEFMIN/?x=1")
    assert (response.status_code, response["Location"]) == (301, "/api/meetings/2024-05-au-defmin/?x=1")
    response = client.get("/api/officials/Marles-Richard/")
    assert (response.status_code, response["Location"]) == (301, "/api/officials/marles-richard/")
    assert get_json(client, "/api/meetings/2024-05-AU-NONE/", 404) == {"detail": "キー「2024-05-AU-NONE」の会談はありません。"}


def test_countries_come_in_the_lists_order_of_regions_across_pages(client, monkeypatch):
    """The partners' list goes by the white paper's order of regions (North America first),
    not by the regions' codes (africa first); in one order for both languages, the English
    page's, as the officials' list."""
    from meetings.api.paging import KeysetPagination
    monkeypatch.setattr(KeysetPagination, "page_size", 2)
    for code, name, region in [("DJ", "Djibouti", "africa"), ("US", "United States", "north_america"),
                               ("CA", "Canada", "north_america"), ("NZ", "New Zealand", "oceania"),
                               ("AU", "Australia", "oceania")]:
        CountryFactory(code=code, name_en=name, region=region)
    seen = walked(client, reverse("api:country-list"), "code")
    assert seen == ["CA", "US", "AU", "NZ", "DJ"]
    with translation.override("en"):
        page = client.get("/en/partners/countries/").content.decode()
    assert re.findall(r'<th scope="row"><a href="/en/partners/countries/(\w+)/"', page) == seen


@pytest.mark.parametrize("name, make, key", [
    ("api:meeting-detail", lambda c: MeetingFactory(key="k1", countries=[c]), "k1"),
    ("api:agreement-detail", lambda c: AgreementEventFactory(agreement__key="k1", agreement__parties=[c]), "k1"),
    ("api:exercise-detail", lambda c: ExerciseFactory(key="k1", countries=[c]), "k1"),
    ("api:engagement-detail", lambda c: EngagementFactory(key="k1", countries=[c]), "k1"),
    ("api:official-detail", lambda c: OfficialFactory(slug="k1", country=c), "k1"),
])
def test_a_record_by_its_key(client, au, name, make, key):
    make(au)
    record = get_json(client, reverse(name, args=[key]))
    assert key in record.values()
    get_json(client, reverse(name, args=["no-such-key"]), status=404)


@pytest.mark.parametrize("page, record", [
    (lambda c: MeetingFactory(key="k1", countries=[c]).get_absolute_url(), "/api/meetings/k1/"),
    (lambda c: AgreementEventFactory(agreement__key="k1", agreement__parties=[c]).agreement.get_absolute_url(),
     "/api/agreements/k1/"),
    (lambda c: ExerciseFactory(key="k1", countries=[c]).get_absolute_url(), "/api/exercises/k1/"),
    (lambda c: EngagementFactory(key="k1", countries=[c]).get_absolute_url(), "/api/engagements/k1/"),
    (lambda c: c.get_absolute_url(), "/api/countries/AU/"),
    (lambda c: OfficialFactory(slug="k1", country=c).get_absolute_url(), "/api/officials/k1/"),
])
def test_a_records_page_links_to_its_json_twin(client, au, page, record):
    """A developer reading a record's page finds its address in the API there, in either
    language (the API has one address for both)."""
    url = page(au)
    link = f'<a href="{record}" type="application/json">'
    assert link + "この記録をJSONで取得</a>" in client.get(url).content.decode()
    with translation.override("en"):
        assert link + "This record as JSON</a>" in client.get(url.replace("/", "/en/", 1)).content.decode()
    assert get_json(client, record)


def test_an_official_carries_the_offices_they_held(client, au):
    """The official's page is the offices they held; its JSON twin carries them too, as the
    tenures table's rows, in the order the office passed (as the page lists them)."""
    official = OfficialFactory(slug="marles", country=au)
    TenureFactory(official=official, position__key="au-defence-minister", date="2022-05-23/..")
    TenureFactory(official=official, position__key="au-deputy-pm", date="2022-05/2022-06")
    record = get_json(client, reverse("api:official-detail", args=["marles"]))
    assert record["slug"] == "marles"
    assert [(t["position"], t["date"], t["date_lower"], t["date_upper"]) for t in record["tenures"]] == [
        ("au-deputy-pm", "2022-05/2022-06", "2022-05-01", "2022-06-30"),
        ("au-defence-minister", "2022-05-23/..", "2022-05-23", None)]
    assert set(record["tenures"][0]) == {"official", "position", "date", "date_lower", "date_upper", "version"}
    assert "tenures" not in get_json(client, reverse("api:official-list"))["results"][0]  # the list: CSV rows


def test_an_agreement_carries_its_milestones(client, au):
    event = AgreementEventFactory(agreement__key="gsomia", agreement__parties=[au], kind="signed", date="2016-11")
    record = get_json(client, reverse("api:agreement-detail", args=["gsomia"]))
    assert [(e["kind"], e["date"]) for e in record["events"]] == [("signed", "2016-11")]
    assert record["events"][0]["agreement"] == event.agreement.key


@pytest.mark.parametrize("page, twin, query", [
    ("meetings:meeting-list", "api:meeting-list", "?country=AU&year=2024&page=1&utm=x"),
    ("meetings:agreement-list", "api:agreement-list", "?party=AU&status=in_force"),
    ("meetings:exercise-list", "api:exercise-list", "?country=AU&year=2024"),
    ("meetings:engagement-list", "api:engagement-list", "?country=AU&year=2024&sort=date"),
    ("partners:official-list", "api:official-list", "?country=AU"),
    ("partners:country-list", "api:country-list", ""),
])
def test_every_list_links_to_its_json_with_the_filters_it_shows(client, au, page, twin, query):
    OfficialFactory(country=au)
    html = client.get(reverse(page) + query).content.decode()
    links = re.findall(r'<a href="([^"]+)" type="application/json">', html)
    kept = "&amp;".join(p for p in query.lstrip("?").split("&") if p and not p.startswith(("page=", "utm=")))
    assert links == [reverse(twin) + (f"?{kept}" if kept else "")]
    assert client.get(links[0].replace("&amp;", "&")).status_code == 200


def test_the_json_link_leaves_out_a_filter_the_page_refused(client, au):
    MeetingFactory(key="m", countries=[au])
    html = client.get(reverse("meetings:meeting-list") + "?year=abc&country=AU").content.decode()
    link = re.search(r'<a href="([^"]+)" type="application/json">', html).group(1)
    assert link == reverse("api:meeting-list") + "?country=AU"
    assert [r["key"] for r in client.get(link).json()["results"]] == ["m"]  # what the page lists

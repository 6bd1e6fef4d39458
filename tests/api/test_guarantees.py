"""What the API promises whatever a client sends: 400 answers in JSON for bad parameters,
never a 500; read-only; no cookies; anonymous clients rate-limited; a valid OpenAPI file."""
import base64
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from meetings.filters import STATUS_PARAMS, AgreementFilter
from meetings.forms import OfficialFilterForm
from meetings.models import Agreement, Meeting

from tests.built import built_at_once
from tests.meetings.factories import (
    AgreementEventFactory, EngagementFactory, ExerciseFactory, MeetingFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db

LISTS = ["api:meeting-list", "api:agreement-list", "api:exercise-list", "api:engagement-list",
         "api:country-list", "api:official-list"]


def cursor(values):
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


BAD = [
    "?year=abc", "?year=99999", "?month=13&year=2024", "?month=5", "?country=nope", "?official=nobody",
    "?level=emperor", "?kind=x", "?format=xml", "?sort=sideways", "?status=maybe", "?as_of=2024-02-30",
    "?party=nope", "?role=spectator", "?service=navy", "?occasion=nowhere",
    "?cursor=garbage", "?cursor=" + cursor([None]), "?cursor=" + cursor([{"a": 1}, "k"]), "?cursor=%FF",
    "?cursor=" + cursor(["x", "y", "z", "w"]), "?cursor=" + cursor(["\u0000", "\u0000"]),
    "?cursor=" + cursor(["a", "b", 10 ** 30]), "?cursor=" + cursor(["a", "b", True]), "?ordering=x", "?page=2", "?limit=5",
]


@pytest.fixture
@built_at_once()
def records():
    au = CountryFactory(code="AU", name_en="Australia")
    MeetingFactory(key="m1", countries=[au])
    AgreementEventFactory(agreement__key="a1", agreement__parties=[au])
    ExerciseFactory(key="x1", countries=[au])
    EngagementFactory(key="e1", countries=[au])
    OfficialFactory(slug="o1", country=au)


# Lists keyed on a date first (meetings, exercises, engagements): a cursor that is no date.
BAD_DATED = ["?cursor=" + cursor(["abc", "k"]), "?cursor=" + cursor(["2024-13-01", "k"])]


@pytest.mark.parametrize("name", LISTS)
def test_bad_parameters_are_a_json_400_on_every_list(client, records, name):
    dated = name in ("api:meeting-list", "api:exercise-list", "api:engagement-list")
    for query in BAD + (BAD_DATED if dated else []):
        response = client.get(reverse(name) + query)
        assert response.status_code in (400, 404), (query, response.status_code)
        if response.status_code == 400:
            assert response["Content-Type"].startswith("application/json"), query
            assert response.json(), query  # names the parameter and says why
    # and the good ones still answer
    assert client.get(reverse(name)).status_code == 200


def test_a_bad_year_says_which_parameter(client, records):
    response = client.get(reverse("api:meeting-list") + "?year=abc")
    assert response.status_code == 400
    assert list(response.json()) == ["year"]


def test_an_unknown_parameter_is_named(client, records):
    response = client.get(reverse("api:meeting-list") + "?ordering=x")
    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]
    assert "country" in response.json()["ordering"][0]  # the message lists what the list takes


def test_a_parameter_where_none_is_taken_is_named_without_an_empty_list(client, records):
    """The countries' list and the API's root take no filter: the message says so rather than
    listing nothing ("this list takes: .")."""
    for url in (reverse("api:country-list") + "?region=oceania", "/api/?q=x"):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert english.status_code == 400
        assert list(english.json().values()) == [["Unknown parameter; this address takes none."]], url
        assert list(client.get(url).json().values()) == [["不明なパラメーターです。このアドレスはパラメーターを取りません。"]]


def test_the_api_says_its_own_words_in_the_language_the_client_accepts(client, records, settings):
    """Records carry both languages; errors follow Accept-Language, Japanese without one, and
    never the language cookie, which a proxy keying on the header would not see."""
    bad = reverse("api:meeting-list") + "?year=abc"
    assert client.get(bad, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,ja;q=0.5").json() == {"year": ["Enter a whole number."]}
    response = client.get(bad)
    assert response.json() == {"year": ["整数を入力してください。"]}
    assert "Accept-Language" in response["Vary"]
    missing = reverse("api:meeting-detail", args=["nowhere"])
    assert client.get(missing, HTTP_ACCEPT_LANGUAGE="en").json() == {"detail": "No meeting has the key “nowhere”."}
    assert client.get(missing).json() == {"detail": "キー「nowhere」の会談はありません。"}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(bad).json() == {"year": ["整数を入力してください。"]}


def test_a_made_up_cursor_is_a_400(client, records):
    response = client.get(reverse("api:meeting-list") + "?cursor=" + cursor(["abc", "m1"]))
    assert response.status_code == 400 and list(response.json()) == ["cursor"]
    # NULL where the list's order holds none (a meeting's start, a key): no "next" link carries
    # it, and it would be an empty page that still says how many records the filters select.
    for values in ([None, None], ["2024-05-01", None]):
        response = client.get(reverse("api:meeting-list") + "?cursor=" + cursor(values))
        assert response.status_code == 400 and list(response.json()) == ["cursor"], values
    response = client.get(reverse("api:country-list") + "?cursor=" + cursor([None, "Australia", 1]))
    assert response.status_code == 400 and list(response.json()) == ["cursor"]
    # an undated exercise sorts last: its NULL is a place a "next" link may carry
    assert client.get(reverse("api:exercise-list") + "?cursor=" + cursor([None, "a"])).status_code == 200


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_but_reading(client, records, name, method):
    response = getattr(client, method)(reverse(name), data={}, content_type="application/json")
    assert response.status_code == 405
    detail = reverse(name.replace("-list", "-detail"), args=[{"api:country-list": "AU", "api:official-list": "o1"}
                                                              .get(name, name.split(":")[1][0] + "1")])
    response = getattr(client, method)(detail, data={}, content_type="application/json")
    assert response.status_code == 405


def test_no_cookie_is_set(client, records):
    for url in [reverse("api:meeting-list"), reverse("api:meeting-detail", args=["m1"]),
                reverse("api:schema"), reverse("api:docs"), reverse("api:docs") + "?script="]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cookies == {}, url
        assert "Set-Cookie" not in response.headers, url


def test_anonymous_clients_are_rate_limited(client, records, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    answers = [client.get(reverse("api:meeting-list")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert "Retry-After" in client.get(reverse("api:meeting-list")).headers


def test_the_rate_comes_from_the_settings(settings):
    from rest_framework.settings import api_settings
    assert api_settings.DEFAULT_THROTTLE_RATES["anon"] == settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]
    assert "rest_framework.throttling.AnonRateThrottle" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]


def test_the_openapi_description_validates_without_a_warning(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/meetings/", "/api/meetings/{key}/", "/api/agreements/", "/api/exercises/",
                 "/api/engagements/", "/api/countries/{code}/", "/api/officials/{slug}/"):
        assert f"  {path}:" in text, path
    assert "participant_titles_en" in text and "facets" in text


def parameters(schema, path):
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}


def test_each_format_the_schema_offers_selects_the_meetings_held_so(client):
    for value in Meeting.Format.values:
        MeetingFactory(key=f"m-{value}", format=value)
    meetings = parameters(client.get(reverse("api:schema") + "?format=json").json(), "/api/meetings/")
    offered = meetings["format"]["schema"]["enum"]
    assert offered == sorted(Meeting.Format.values) and meetings["format"]["in"] == "query"
    for value in offered:
        response = client.get(reverse("api:meeting-list"), {"format": value})
        assert [row["key"] for row in response.json()["results"]] == [f"m-{value}"], value


def test_the_schema_lists_every_filter_of_the_agreements_and_the_officials(client):
    schema = client.get(reverse("api:schema") + "?format=json&lang=en").json()  # the HTML filters' words
    agreements = parameters(schema, "/api/agreements/")
    assert set(agreements) == {*AgreementFilter.base_filters, "cursor"}
    assert agreements["status"]["schema"]["enum"] == sorted(value for value, _label in STATUS_PARAMS)
    assert agreements["kind"]["schema"]["enum"] == sorted(Agreement.Kind.values)
    assert agreements["party"]["schema"]["type"] == "array" and agreements["as_of"]["schema"]["format"] == "date"
    assert agreements["status"]["description"].startswith("Status")
    officials = parameters(schema, "/api/officials/")
    assert set(officials) == {*OfficialFilterForm.base_fields, "cursor"}
    assert officials["q"]["description"] == "Name"
    assert officials["country"]["description"].startswith("Country or organisation")


def test_the_openapi_description_gives_the_datas_licence(client):
    """The records are CC BY 4.0 (as the release's datapackage.json says): a client reading
    the API's description learns the terms of what it serves."""
    info = client.get(reverse("api:schema") + "?format=json").json()["info"]
    assert info["license"] == {"name": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}


def test_the_openapi_description_is_in_the_clients_language_and_for_clients(client):
    """Every operation and schema is described in Japanese to a client that asks for it (or for
    no language), never by a docstring written for the project's developers."""
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    found = {}

    def descriptions(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("summary", "description") and isinstance(value, str):
                    found[f"{path}/{key}"] = value
                descriptions(value, f"{path}/{key}")
        elif isinstance(node, list):
            for value in node:
                descriptions(value, path)

    schema = client.get(reverse("api:schema") + "?format=json").json()
    descriptions({"paths": schema["paths"], "components": schema["components"]}, "")
    assert schema["paths"]["/api/officials/{slug}/"]["get"]["description"] == (
        "このキーの記録。項目はCSVエクスポートの列と同じです。")
    assert {path: text for path, text in found.items() if text and not japanese.search(text)} == {}
    english = client.get(reverse("api:schema") + "?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["paths"]["/api/countries/{code}/"]["get"]["description"] == (
        "The record with this key; its fields are the CSV export's columns.")


def test_the_schema_and_docs_are_served(client):
    schema = client.get(reverse("api:schema") + "?format=json")
    assert schema.status_code == 200 and "/api/meetings/" in schema.json()["paths"]
    yaml = client.get(reverse("api:schema") + "?format=yaml")
    assert yaml["Content-Type"].startswith("application/vnd.oai.openapi") and b"/api/meetings/:" in yaml.content
    negotiated = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json,*/*")  # as the docs page asks
    assert "/api/agreements/" in negotiated.json()["paths"]
    docs = client.get(reverse("api:docs"))
    assert b"<script" in docs.content and b"swagger-ui-bundle.js" in docs.content
    assert b"cdn" not in docs.content.lower()
    script = client.get(reverse("api:docs") + "?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_head_and_options_answer_without_an_error(client, records):
    assert client.head(reverse("api:meeting-list")).status_code == 200
    response = client.options(reverse("api:meeting-list"))
    assert response.status_code == 200 and response.json()["name"]


@pytest.mark.parametrize("url", ["/api/meetings/a%00b/", "/api/meetings/?country=%00", "/api/countries/%00/",
                                 "/api/officials/?q=%00", "/api/agreements/?cursor=%00"])
def test_nul_anywhere_is_a_400(client, records, url):
    assert client.get(url).status_code == 400

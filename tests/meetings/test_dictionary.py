"""The data dictionary describes every column of the engagements' export, from the resource."""
import pytest
from django.urls import reverse
from django.utils import translation

from meetings import dictionary
from meetings.resources import EngagementResource

pytestmark = pytest.mark.django_db


def engagements():
    [section] = [e for e in dictionary.exports() if e.slug == "engagements"]
    return section


def test_every_engagement_column_has_a_meaning_and_a_form():
    with translation.override("en"):
        columns = {c.name: (str(c.meaning), str(c.form)) for c in engagements().columns}
    assert list(columns) == EngagementResource().get_export_headers()
    assert [name for name, (meaning, form) in columns.items() if not meaning or not form] == []
    assert "no date of its own" in columns["date"][0] and "empty when undated" in columns["date"][1]
    assert columns["status"][1] == "one of: carried_out, planned"
    assert columns["kind"][1].startswith("one of: port_call, capacity_building")
    assert [c.name for c in engagements().columns if c.natural_key] == ["key"]


def test_the_engagements_section_links_the_lists_export():
    assert engagements().url_name == "meetings:engagement-export"
    assert reverse("meetings:engagement-export").endswith("/engagements/export.csv")


def test_the_dictionary_page_and_file_describe_the_engagements(client):
    with translation.override("en"):
        url = reverse("meetings:data-dictionary")
        page = client.get(url).content.decode()
        csv_text = client.get(url + "?format=csv").content.decode("utf-8")
    assert 'id="engagements"' in page and "<code>japan_side_ja</code>" in page
    assert "engagements,officials,,Officials the source names" in csv_text


def test_each_languages_dictionary_file_has_its_own_name(client):
    """The meanings are in the page's language: one name for both made the second download
    overwrite the first, or sit beside it as “(1)”."""
    names = {}
    for language in ("ja", "en"):
        with translation.override(language):
            response = client.get(reverse("meetings:data-dictionary") + "?format=csv")
            names[language] = response["Content-Disposition"]
    assert names == {"ja": 'attachment; filename="defrel-data-dictionary.csv"',
                     "en": 'attachment; filename="defrel-data-dictionary-en.csv"'}


def test_the_data_page_leads_to_the_apis_documentation_and_description(client):
    """The JSON lists are linked from every list, but their documentation was linked from
    nowhere: the data page names it and the OpenAPI description, in either language."""
    with translation.override("en"):
        page = client.get("/en/data/").content.decode()
    assert '<a href="/api/docs/">API documentation</a>' in page
    assert '<a href="/api/schema/?format=json" type="application/json">OpenAPI description</a>' in page
    page = client.get("/data/").content.decode()
    assert '<a href="/api/docs/">APIの説明</a>' in page
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/?format=json").json()["openapi"].startswith("3.")

"""An export naming its records (``export_items``, as import-export's export page posts them for
records selected in a list): those, and only those the list holds."""
import csv
import html
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.built import built_at_once
from tests.meetings.factories import MeetingFactory, SourceFactory
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


def exported_keys(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return sorted(row["key"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
@built_at_once()
def meetings():
    australia, peru = CountryFactory(code="AU"), CountryFactory(code="PE")
    return {key: MeetingFactory(key=key, countries=[country], level=level) for key, country, level in
            [("au-1", australia, "ministerial"), ("au-2", australia, "ministerial"),
             ("au-3", australia, "ministerial"), ("pe-1", peru, "working_level")]}


def test_the_records_named_are_exported(editor_client, meetings):
    chosen = [meetings["au-1"].pk, meetings["au-3"].pk]
    response = editor_client.post(reverse("admin:meetings_meeting_export"),
                                  {"format": "0", "resource": "0", "meetingresource_key": "on",
                                   "export_items": chosen})
    assert exported_keys(response) == ["au-1", "au-3"]


def test_a_record_the_list_does_not_hold_is_not_exported(editor_client, meetings):
    # The list filtered to ministerial meetings: a working-level one posted with it is refused.
    export = reverse("admin:meetings_meeting_export") + "?level__exact=ministerial"
    response = editor_client.post(export, {"format": "0", "resource": "0",
                                           "export_items": [meetings["au-2"].pk, meetings["pe-1"].pk]})
    assert response.status_code == 200 and "pe-1" not in response.content.decode()
    assert "export_items" in response.context["form"].errors


@pytest.mark.parametrize("key", ["1 OR 1=1", "9223372036854775808", "-1", ""])
def test_a_key_that_is_not_one_is_refused(editor_client, meetings, key):
    response = editor_client.post(reverse("admin:meetings_meeting_export"),
                                  {"format": "0", "resource": "0", "export_items": [key]})
    assert response.status_code == 200
    assert "export_items" in response.context["form"].errors


def test_the_export_form_names_every_column_in_the_editors_language(editor_client, meetings):
    """Each column as the file names it, with what it holds: the export-only ones too."""
    for model in ("meeting", "agreement", "participation"):
        page = html.unescape(editor_client.get(reverse(f"admin:meetings_{model}_export")).content.decode())
        labels = re.findall(r'<label for="id_[^"]*">([^<]*)</label>', page)
        columns = [label for label in labels if re.fullmatch(r"[a-z_]+(（.+）)?", label)]
        assert columns and all("（" in label for label in columns
                               if label not in ("key", "version")), [c for c in columns if "（" not in c]
    meeting_page = html.unescape(editor_client.get(reverse("admin:meetings_meeting_export")).content.decode())
    assert "participant_titles_ja（参加者の当時の職名（日本語））" in meeting_page


def test_the_export_form_names_the_columns_in_english_for_an_english_speaking_editor(editor_client):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html.unescape(editor_client.get(reverse("admin:meetings_meeting_export")).content.decode())
    labels = re.findall(r'<label for="id_[^"]*">([^<]*)</label>', page)

    assert "participant_titles_ja (participants' titles at the time (Japanese))" in labels
    assert [label for label in labels if "（" in label] == []


def test_an_export_with_no_column_ticked_is_refused_naming_the_records_not_a_class(editor_client):
    source = SourceFactory()
    response = editor_client.post(reverse("admin:defrel_source_export"),
                                  {"format": "0", "resource": "0", "export_items": [source.pk]})

    assert response.context["form"].non_field_errors() == ["「出典」のエクスポートには列を1つ以上選んでください"]


def test_a_meeting_export_with_no_column_ticked_is_refused_like_any_other(editor_client, meetings):
    # Meetings have a "format" column (in person, video, phone), named like the file's format.
    response = editor_client.post(reverse("admin:meetings_meeting_export"),
                                  {"format": "0", "resource": "0", "export_items": [meetings["au-1"].pk]})

    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].non_field_errors() == ["「会談」のエクスポートには列を1つ以上選んでください"]


def test_a_meeting_export_of_its_format_column_alone_has_that_column_alone(editor_client, meetings):
    response = editor_client.post(reverse("admin:meetings_meeting_export"),
                                  {"format": "0", "resource": "0", "meetingresource_format": "on",
                                   "export_items": [meetings["au-1"].pk]})

    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.decode("utf-8-sig").splitlines() == ["format", meetings["au-1"].format]

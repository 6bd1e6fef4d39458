"""An export naming its records (``export_items``, as import-export's export page posts them for
records selected in a list): those, and only those the list holds."""
import csv
import io

import pytest
from django.urls import reverse

from tests.meetings.factories import MeetingFactory
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


def exported_keys(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return sorted(row["key"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def meetings():
    australia, peru = CountryFactory(code="AU"), CountryFactory(code="PE")
    return {key: MeetingFactory(key=key, countries=[country], level=level) for key, country, level in
            [("au-1", australia, "ministerial"), ("au-2", australia, "ministerial"),
             ("au-3", australia, "ministerial"), ("pe-1", peru, "working_level")]}


def test_the_records_named_are_exported(editor_client, meetings):
    chosen = [meetings["au-1"].pk, meetings["au-3"].pk]
    response = editor_client.post(reverse("admin:meetings_meeting_export"),
                                  {"format": "0", "resource": "0", "export_items": chosen})
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

"""Engagements in the admin: added and changed with their partners, officials and links, undated
when the text gives no date, refused on a bad date or over a newer edit, and imported from a
file with a preview first."""
import csv
import html
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from meetings.models import Engagement
from meetings.resources import EngagementResource
from partners.models import Country
from tests.conftest import member_of
from tests.meetings.factories import (
    AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory, SourceFactory,
)
from tests.meetings.test_concurrent_edits import refused
from tests.meetings.test_import_versions import admin_export, confirm, edit_file, messages_of, preview
from tests.pages import form_fields, text
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = [pytest.mark.django_db]

ADD = "admin:meetings_engagement_add"


def change_url(engagement):
    return reverse("admin:meetings_engagement_change", args=[engagement.pk])


def engagement_form(**overrides):
    data = {
        "key": "2024-06-ph-murasame", "kind": "port_call", "status": "carried_out", "date": "2024-06",
        "title_ja": "護衛艦「むらさめ」のマニラ寄港", "title_en": "JS Murasame's port call at Manila",
        "japan_side_ja": "護衛艦「むらさめ」", "japan_side_en": "JS Murasame", "services": "msdf",
        "location_ja": "マニラ", "location_en": "Manila", "summary_ja": "", "summary_en": "",
        "source_excerpt": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def philippines():
    return CountryFactory(code="PH", name_ja="フィリピン", name_en="Philippines")


def test_editor_adds_an_engagement_with_partners_officials_and_links(editor_client, philippines):
    official = OfficialFactory(country=philippines, name_ja="テオドロ国防相")
    agreement, exercise = AgreementFactory(key="ph-raa"), ExerciseFactory(key="2024-kamandag")
    meeting = MeetingFactory(key="2024-07-ph-2plus2", countries=[philippines])
    source = SourceFactory()
    response = editor_client.post(reverse(ADD), engagement_form(
        countries=[philippines.pk], officials=[official.pk], host_country=philippines.pk,
        agreement=agreement.pk, meeting=meeting.pk, exercise=exercise.pk, source=source.pk,
        source_excerpt="護衛艦「むらさめ」がマニラに寄港し"))
    assert response.status_code == 302, text(response)[:3000]
    engagement = Engagement.objects.get(key="2024-06-ph-murasame")
    assert [c.code for c in engagement.countries.all()] == ["PH"]
    assert [o.name_ja for o in engagement.officials.all()] == ["テオドロ国防相"]
    assert (engagement.agreement.key, engagement.meeting.key, engagement.exercise.key) == (
        "ph-raa", "2024-07-ph-2plus2", "2024-kamandag")
    assert str(engagement.date_lower) == "2024-06-01"
    assert {h.history_user.username for h in engagement.history.all()} == {"editor"}
    page = editor_client.get(change_url(engagement)).content.decode()
    assert str(official) in page and html.escape(str(meeting)) in page  # chosen, shown by name


def test_an_undated_engagement_can_be_entered_with_a_blank_date(editor_client, philippines):
    response = editor_client.post(reverse(ADD), engagement_form(
        key="ph-equipment-welcomed", kind="equipment_transfer", status="planned", date="",
        countries=[philippines.pk]))
    assert response.status_code == 302, text(response)[:3000]
    undated = Engagement.objects.get()
    assert (undated.date, undated.date_lower, undated.date_upper) == ("", None, None)
    listing = text(editor_client.get(reverse("admin:meetings_engagement_changelist")))
    with translation.override("ja"):
        assert gettext("undated") in listing


def test_a_bad_date_is_an_error_on_the_date_field(editor_client, philippines):
    response = editor_client.post(reverse(ADD), engagement_form(date="2024-21", countries=[philippines.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["date"]
    assert "2024-21" in form.errors["date"][0]
    assert not Engagement.objects.exists()


def test_an_engagement_needs_a_partner(editor_client):
    response = editor_client.post(reverse(ADD), engagement_form())
    assert list(response.context["adminform"].form.errors) == ["countries"]
    assert not Engagement.objects.exists()


def test_editor_changes_an_engagement_and_history_keeps_both_versions(editor_client, philippines):
    engagement = EngagementFactory(countries=[philippines], title_ja="元の題名")
    form = form_fields(editor_client.get(change_url(engagement)))
    form.update(title_ja=["変えた題名"], date=[""], status=["planned"])
    response = editor_client.post(change_url(engagement), form)
    assert response.status_code == 302, text(response)[:3000]
    engagement.refresh_from_db()
    assert (engagement.title_ja, engagement.date, engagement.status, engagement.version) == (
        "変えた題名", "", "planned", 2)
    history = engagement.history.order_by("history_date")
    assert (history.first().title_ja, history.last().title_ja) == ("元の題名", "変えた題名")
    assert history.last().history_user.username == "editor"


def test_a_stale_edit_is_refused_and_the_newer_one_kept(editor, philippines):
    engagement = EngagementFactory(countries=[philippines])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(editor)
    opened_first = form_fields(first.get(change_url(engagement)))
    opened_second = form_fields(second.get(change_url(engagement)))

    assert first.post(change_url(engagement), {**opened_first, "title_ja": ["一人目"]}).status_code == 302
    response = second.post(change_url(engagement), {**opened_second, "title_ja": ["二人目"]})

    refused(response, "editor")  # the refusal names who changed it
    assert Engagement.objects.get().title_ja == "一人目"


def test_the_changelist_filters_by_kind_status_service_and_country(editor_client, philippines):
    vietnam = CountryFactory(code="VN", name_ja="ベトナム")
    EngagementFactory(key="ph-port-call", countries=[philippines], services="msdf")
    EngagementFactory(key="vn-capacity", kind="capacity_building", status="planned",
                      services="gsdf|asdf", countries=[vietnam])
    url = reverse("admin:meetings_engagement_changelist")

    def listed(**params):
        return sorted(e.key for e in editor_client.get(url, params).context["cl"].result_list)

    assert listed() == ["ph-port-call", "vn-capacity"]
    assert listed(kind__exact="capacity_building") == ["vn-capacity"]
    assert listed(status__exact="carried_out") == ["ph-port-call"]
    assert listed(service="asdf") == ["vn-capacity"]
    assert listed(service="msdf") == ["ph-port-call"]
    assert listed(countries__id__exact=vietnam.pk) == ["vn-capacity"]
    assert listed(q="ベトナム") == ["vn-capacity"]


# --- import -----------------------------------------------------------------------------------

COLUMNS = EngagementResource().get_export_headers()


def import_file(*rows):
    data = tablib.Dataset(headers=COLUMNS)
    for values in rows:
        row = dict.fromkeys(COLUMNS, "")
        row.update(kind="port_call", status="carried_out", title_ja="寄港", title_en="Port call",
                   countries="PH", services="msdf")
        row.update(values)
        data.append([row[c] for c in COLUMNS])
    return data.export("csv")


def upload(client, csv_text):
    return client.post(reverse("admin:meetings_engagement_import"), {
        "format": "0", "resource": "0", "import_file": SimpleUploadedFile("e.csv", csv_text.encode())})


def test_import_previews_then_writes_an_undated_and_a_dated_row(editor_client, philippines):
    OfficialFactory(slug="teodoro-gilberto", country=philippines)
    previewed = upload(editor_client, import_file(
        {"key": "ph-osa-welcomed", "kind": "osa", "status": "planned", "date": ""},
        {"key": "2024-06-ph-murasame", "date": "2024-06", "officials": "teodoro-gilberto"}))
    assert "process_import" in previewed.content.decode()
    assert [r.import_type for r in previewed.context["result"].rows] == ["new", "new"]
    assert not Engagement.objects.exists()  # the preview writes nothing

    response = confirm(editor_client, "meetings_engagement", previewed)
    assert response.status_code == 302
    undated, dated = Engagement.objects.get(key="ph-osa-welcomed"), Engagement.objects.get(key="2024-06-ph-murasame")
    assert (undated.date, undated.date_lower, undated.status) == ("", None, "planned")
    assert (dated.date, str(dated.date_lower), str(dated.date_upper)) == ("2024-06", "2024-06-01", "2024-06-30")
    assert [o.slug for o in dated.officials.all()] == ["teodoro-gilberto"]
    assert {h.history_user.username for h in dated.history.all()} == {"editor"}


def test_services_typed_with_spaces_capitals_or_a_repeat_are_stored_as_one_list(editor_client, philippines):
    previewed = upload(editor_client, import_file({"key": "ph-a", "date": "2024", "services": "MSDF | asdf"},
                                                  {"key": "ph-b", "date": "2024", "services": "msdf|msdf|"}))
    assert [r.import_type for r in previewed.context["result"].rows] == ["new", "new"]
    assert confirm(editor_client, "meetings_engagement", previewed).status_code == 302
    assert dict(Engagement.objects.values_list("key", "services")) == {"ph-a": "msdf|asdf", "ph-b": "msdf"}
    refused = upload(editor_client, import_file({"key": "ph-c", "date": "2024", "services": "msdf|navy"}))
    [invalid] = refused.context["result"].invalid_rows
    said = " ".join(map(str, invalid.field_specific_errors["services"]))
    assert "navy" in said and "msdf（海自）" in said  # and what the services are


def test_a_row_with_an_unknown_country_names_its_row_and_column(editor_client, philippines):
    response = upload(editor_client, import_file({"key": "ph-ok", "date": "2024"},
                                                 {"key": "xx-unknown", "date": "2024", "countries": "PH|XX"}))
    [invalid] = response.context["result"].invalid_rows
    assert invalid.number == 2 and list(invalid.field_specific_errors) == ["countries"]
    assert "XX" in " ".join(map(str, invalid.field_specific_errors["countries"]))
    page = html.unescape(response.content.decode())
    assert "process_import" not in page  # nothing to confirm
    assert not Engagement.objects.exists()
    assert Country.objects.filter(code="XX").count() == 0


def test_a_stale_import_row_is_refused_unless_the_editor_overwrites(editor_client, philippines):
    kept = EngagementFactory(key="ph-port-call", countries=[philippines], title_en="As exported")
    exported = admin_export(editor_client, "meetings_engagement", EngagementResource)
    other = Client()
    other.force_login(member_of("editor", "editor-b"))
    form = form_fields(other.get(change_url(kept)))
    assert other.post(change_url(kept), {**form, "title_en": ["Another editor's title"]}).status_code == 302
    old = edit_file(exported, **{"ph-port-call": {"summary_en": "From the old file"}})

    previewed = preview(editor_client, "meetings_engagement", old)
    [stale] = previewed.context["result"].stale_rows
    assert (stale.number, stale.seen, stale.current) == (1, 1, 2)
    response = confirm(editor_client, "meetings_engagement", previewed)
    assert "ph-port-call" in " ".join(messages_of(response))
    kept.refresh_from_db()
    assert (kept.title_en, kept.summary_en) == ("Another editor's title", "")

    response = confirm(editor_client, "meetings_engagement", preview(editor_client, "meetings_engagement", old),
                       overwrite_changed="on")
    kept.refresh_from_db()
    assert (kept.title_en, kept.summary_en) == ("As exported", "From the old file")


def test_an_export_reimports_as_it_was(editor_client, philippines):
    EngagementFactory(key="ph-undated", date="", countries=[philippines])
    exported = admin_export(editor_client, "meetings_engagement", EngagementResource)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["key"], r["date"], r["date_lower"]) for r in rows] == [("ph-undated", "", "")]
    response = confirm(editor_client, "meetings_engagement", preview(editor_client, "meetings_engagement", exported))
    assert response.status_code == 302
    assert Engagement.objects.get().version == 1  # nothing changed: the row is skipped

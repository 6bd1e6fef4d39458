import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from defrel.models import letter_case_twins
from meetings.models import Meeting
from partners.models import Country
from tests.built import built_at_once
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, ExerciseFactory, MeetingFactory, OccasionFactory,
    ParticipationFactory, SourceFactory,
)
from tests.pages import form_fields
from tests.partners.factories import CountryFactory, OfficialFactory, TenureFactory

pytestmark = [pytest.mark.django_db]

CHANGELISTS = [
    "defrel_source", "partners_country", "partners_official", "partners_position", "partners_tenure",
    "meetings_occasion", "meetings_meeting", "meetings_participation", "meetings_agreement",
    "meetings_agreementevent", "meetings_exercise", "meetings_engagement",
]


@built_at_once()
def make_rows(n):
    for _ in range(n):
        tenure = TenureFactory(date="2023-09-13/2024-10-01")
        meeting = MeetingFactory(countries=[CountryFactory(), CountryFactory()], occasion=OccasionFactory())
        ParticipationFactory(meeting=meeting, official=tenure.official)
        AgreementEventFactory()
        ExerciseFactory()
        EngagementFactory(countries=[CountryFactory(), CountryFactory()])


def changelist_queries(client):
    """{changelist: queries its first page ran}, each page showing the rows it lists."""
    counted = {}
    for name in CHANGELISTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200 and 'id="result_list"' in response.content.decode(), name
        counted[name] = len(queries)
    return counted


def test_changelist_query_counts_do_not_grow_with_rows(editor_client):
    """Every changelist as an editor sees it, at 3 and at 30 rows of everything (the rows are
    built once for all of them)."""
    make_rows(3)
    few = changelist_queries(editor_client)
    assert {name: n for name, n in few.items() if n > 12} == {}
    make_rows(27)
    many = changelist_queries(editor_client)
    assert {name: (few[name], n) for name, n in many.items() if n > few[name]} == {}


def change_form_queries(client, record):
    """The queries of ``record``'s change form, drawn a second time (the first reads what a
    process reads once), and the page."""
    url = reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_change_form_query_counts_do_not_grow_with_inline_rows(editor_client):
    """A meeting's participants, an agreement's milestones and an official's tenures: each row
    draws its related records from what it was read with (defrel.admin_input), at 1 row and
    at 5."""
    meeting, agreement, official = MeetingFactory(), AgreementFactory(), OfficialFactory()
    participants = [ParticipationFactory(meeting=meeting).official]
    AgreementEventFactory(agreement=agreement, date="2016-01", meeting=MeetingFactory(date="2016-01"))
    TenureFactory(official=official, date="2010-01/2010-06")
    one = {record: change_form_queries(editor_client, record) for record in (meeting, agreement, official)}
    for i in range(2, 6):
        participants.append(ParticipationFactory(meeting=meeting).official)
        AgreementEventFactory(agreement=agreement, date=f"2016-0{i}", meeting=MeetingFactory(date=f"2016-0{i}"))
        TenureFactory(official=official, date=f"201{i}-01/201{i}-06")
    five = {record: change_form_queries(editor_client, record) for record in (meeting, agreement, official)}
    assert {str(record): (one[record][0], five[record][0]) for record in one
            if five[record][0] > one[record][0]} == {}
    # Each participant's official still drawn as the row's choice, by name.
    page = five[meeting][1]
    for person in participants:
        assert re.search(rf'<option value="{person.pk}" selected>{re.escape(html.escape(str(person)))}</option>', page)


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("admin:meetings_meeting_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_speaks_japanese_by_default(editor_client):
    response = editor_client.get(reverse("admin:meetings_meeting_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert "ログアウト" in page and "Log out" not in page


def test_viewer_can_look_but_not_change(viewer_client):
    meeting = MeetingFactory()
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    assert viewer_client.get(url).status_code == 200
    response = viewer_client.post(url, {"title_ja": "改ざん"})
    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).title_ja == "日豪防衛相会談"
    assert viewer_client.get(reverse("admin:meetings_meeting_add")).status_code == 403


def test_editor_cannot_delete_a_country_or_see_users(editor_client):
    country = CountryFactory()
    assert editor_client.get(reverse("admin:partners_country_delete", args=[country.pk])).status_code == 403
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    meeting = MeetingFactory()
    assert editor_client.get(reverse("admin:meetings_meeting_delete", args=[meeting.pk])).status_code == 200


def meeting_form(**overrides):
    data = {
        "key": "2024-05-au-us-defmin", "date": "2024-05", "count": "1",
        "title_ja": "日米豪防衛相会談", "title_en": "Japan–Australia–U.S. Defense Ministers' Meeting",
        "kind": "talks", "level": "ministerial", "format": "in_person",
        "location_ja": "ハワイ", "location_en": "Hawaii", "summary_ja": "", "summary_en": "",
        "outcomes_ja": "", "outcomes_en": "", "source_excerpt": "",
        "participations-TOTAL_FORMS": "0", "participations-INITIAL_FORMS": "0",
        "agreement_events-TOTAL_FORMS": "0", "agreement_events-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_a_participant_given_twice_is_named_as_the_form_names_the_field(editor_client):
    au = CountryFactory(code="AU")
    official = OfficialFactory(country=au)
    rows = {"participations-TOTAL_FORMS": "2"}
    for i in range(2):
        rows.update({f"participations-{i}-official": official.pk, f"participations-{i}-role": "principal",
                     f"participations-{i}-known_from": "excerpt"})
    response = editor_client.post(reverse("admin:meetings_meeting_add"), meeting_form(countries=[au.pk], **rows))
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "人物 の重複したデータを修正してください。" in html.unescape(response.content.decode())


def test_bad_date_is_a_form_error_not_a_crash(editor_client):
    au = CountryFactory(code="AU")
    response = editor_client.post(reverse("admin:meetings_meeting_add"),
                                  meeting_form(date="2024-21", countries=[au.pk]))
    assert response.status_code == 200
    assert "「2024-21」は日付ではありません" in response.content.decode()
    assert not Meeting.objects.exists()


def test_an_empty_date_is_said_to_be_required_once(editor_client):
    au = CountryFactory(code="AU")
    response = editor_client.post(reverse("admin:meetings_meeting_add"), meeting_form(date="", countries=[au.pk]))
    assert response.context["adminform"].form.errors["date"] == ["この項目は必須です。"]
    assert not Meeting.objects.exists()


def test_a_key_differing_from_an_existing_one_only_in_letter_case_is_refused(editor_client):
    au = CountryFactory(code="AU")
    MeetingFactory(key="2024-05-au-us-defmin", countries=[au])
    response = editor_client.post(reverse("admin:meetings_meeting_add"),
                                  meeting_form(key="2024-05-AU-US-defmin", countries=[au.pk]))
    assert response.context["adminform"].form.errors["key"] == [
        "「2024-05-AU-US-defmin」は既存の「2024-05-au-us-defmin」と大文字・小文字だけが異なります。既存のキーを使用してください。"]
    assert Meeting.objects.count() == 1


@pytest.mark.django_db
def test_a_new_keys_letter_case_twins_are_found_by_the_index_of_upper_case_keys():
    MeetingFactory(key="2024-05-au-us-defmin", countries=[CountryFactory(code="AU")])
    twins = letter_case_twins(Meeting, "key", "2024-05-AU-US-defmin")
    assert list(twins.values_list("key", flat=True)) == ["2024-05-au-us-defmin"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a table this small is read whole unless told
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = twins.values_list("key", flat=True).explain()
    assert "meeting_key_upper" in plan


def test_a_country_code_in_other_letter_case_is_refused_and_a_record_may_recase_its_own(editor_client):
    CountryFactory(code="AU")
    url = reverse("admin:partners_country_add")
    form = form_fields(editor_client.get(url))
    form.update(code=["au"], kind=["state"], name_ja=["豪"], name_en=["Aus"], region=["oceania"])
    response = editor_client.post(url, form)
    assert "「au」は既存の「AU」と大文字・小文字だけが異なります" in response.context["adminform"].form.errors["code"][0]
    assert list(Country.objects.values_list("code", flat=True)) == ["AU"]

    own = CountryFactory(code="nz")
    url = reverse("admin:partners_country_change", args=[own.pk])
    form = form_fields(editor_client.get(url))
    form["code"] = ["NZ"]
    assert editor_client.post(url, form).status_code == 302
    assert sorted(Country.objects.values_list("code", flat=True)) == ["AU", "NZ"]


def test_a_meeting_needs_a_partner_country(editor_client):
    response = editor_client.post(reverse("admin:meetings_meeting_add"), meeting_form())
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_editor_adds_a_meeting_with_two_countries_and_three_participants(editor_client):
    au, us = CountryFactory(code="AU"), CountryFactory(code="US")
    kihara = TenureFactory(date="2023-09-13/2024-10-01", official__country=CountryFactory(code="JP"),
                           position__title_ja="防衛大臣", position__title_en="Minister of Defense").official
    marles = TenureFactory(date="2022-05-23/..", official__country=au,
                           position__title_ja="豪副首相兼国防大臣").official
    austin = TenureFactory(date="2021-01-22/2025-01-20", official__country=us,
                           position__title_ja="米国防長官").official
    form = meeting_form(countries=[au.pk, us.pk], **{
        "participations-TOTAL_FORMS": "3",
        **{f"participations-{i}-official": o.pk for i, o in enumerate([kihara, marles, austin])},
        **{f"participations-{i}-role": "principal" for i in range(3)},
        **{f"participations-{i}-known_from": "excerpt" for i in range(3)},
    })
    response = editor_client.post(reverse("admin:meetings_meeting_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = Meeting.objects.get(key="2024-05-au-us-defmin")
    assert sorted(c.code for c in meeting.countries.all()) == ["AU", "US"]
    page = editor_client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).content.decode()
    for title in ["防衛大臣", "豪副首相兼国防大臣", "米国防長官"]:
        assert title in page
    assert {h.history_user.username for h in meeting.history.all()} == {"editor"}


def test_title_at_the_time_warns_when_no_tenure_covers_the_date(editor_client):
    participation = ParticipationFactory(official=OfficialFactory(), meeting=MeetingFactory(date="2024-05"))
    page = editor_client.get(reverse("admin:meetings_meeting_change", args=[participation.meeting.pk]))
    with translation.override("ja"):
        warning = gettext("no tenure covers this date")
    assert warning in page.content.decode()


def test_the_admin_is_the_same_site_whatever_urls_serve_it(editor_client):
    """Its name and the data-quality link on its front page, here under the admin alone."""
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert '<div id="site-name"><a href="/admin/">defrel</a></div>' in page
    assert f'<a href="{reverse("data-quality")}">' in page


def changelist_cells(client, name, column, **params):
    """The text of ``column``'s cells on a changelist, top to bottom."""
    page = client.get(reverse(f"admin:{name}_changelist"), params).content.decode()
    cells = re.findall(rf'<t[dh] class="field-{column}"[^>]*>(.*?)</t[dh]>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


@pytest.mark.parametrize("name, make", [
    ("meetings_exercise", lambda date: ExerciseFactory(date=date)),
    ("meetings_agreementevent", lambda date: AgreementEventFactory(date=date)),
    ("partners_tenure", lambda date: TenureFactory(date=date)),
    ("meetings_meeting", lambda date: MeetingFactory(date=date)),
    ("defrel_source", lambda date: SourceFactory(key=f"source-{date[:4]}", date=date)),
])
def test_changelists_write_partial_dates_as_the_site_does_in_the_editors_language(editor_client, name, make):
    """An editor reads “2024年5月～6月” (or “May–June 2024”), not the EDTF text, and the column
    still sorts by the dates."""
    make("2024-05/2024-06")
    make("2023-11-02")
    column = next(i for i, field in enumerate(editor_client.get(reverse(f"admin:{name}_changelist"))
                                              .context["cl"].list_display) if field == "date_display")
    assert changelist_cells(editor_client, name, "date_display", o=str(column)) == ["2023年11月2日", "2024年5月～6月"]
    assert changelist_cells(editor_client, name, "date_display", o=f"-{column}") == ["2024年5月～6月", "2023年11月2日"]
    editor_client.cookies["django_language"] = "en"
    assert changelist_cells(editor_client, name, "date_display", o=str(column)) == ["2 November 2023", "May–June 2024"]

"""A tenure's delete page says, before the editor confirms, which meetings' participants would
lose or change their title at the time (each participation stores the title its tenures give)."""
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from meetings.models import Participation
from partners.models import Tenure
from tests.built import built_at_once
from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
@built_at_once()
def career():
    """Kihara, Minister of Defense from 2023-09-13 to 2024-10-01 and a Diet member throughout,
    at a meeting in each office's time: the ministry's tenure titles two of them."""
    japan = CountryFactory(code="JP")
    kihara = OfficialFactory(country=japan, slug="kihara-minoru", name_ja="木原稔", name_en="Kihara Minoru")
    minister = TenureFactory(official=kihara, date="2023-09-13/2024-10-01",
                             position=PositionFactory(country=japan, title_ja="防衛大臣", title_en="Minister of Defense"))
    TenureFactory(official=kihara, date="2024-06/..", position=PositionFactory(
        country=japan, title_ja="衆議院議員", title_en="Member of the House of Representatives", level="other"))
    meetings = {date: MeetingFactory(key=f"m-{date}", date=date, title_ja=f"会談{date}", title_en=f"Talks {date}")
                for date in ("2024-05", "2024-07", "2025-03")}
    for meeting in meetings.values():
        ParticipationFactory(meeting=meeting, official=kihara)
    return minister, meetings


def changes_listed(response):
    """[(text, address)] of the delete page's list of titles the delete changes."""
    page = response.content.decode()
    listed = re.search(r'<ul class="delete-effects">(.*?)</ul>', page, re.S)
    return re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', listed.group(1)) if listed else []


def test_a_tenures_delete_page_lists_the_meetings_whose_participants_lose_or_change_their_title(editor_client, career):
    minister, meetings = career
    response = editor_client.get(reverse("admin:partners_tenure_delete", args=[minister.pk]))

    page = response.content.decode()
    with translation.override("ja"):
        heading = gettext("Titles at the time that this delete changes")
        untitled = gettext("no title at the time")
    assert f"<h2>{heading}</h2>" in page and heading == "この削除で変わる当時の職名"
    link = {date: reverse("admin:meetings_meeting_change", args=[m.pk]) for date, m in meetings.items()}
    assert changes_listed(response) == [
        (link["2024-07"], "会談2024-07（2024年7月） — 木原稔: 防衛大臣 → 衆議院議員"),
        (link["2024-05"], f"会談2024-05（2024年5月） — 木原稔: 防衛大臣 → {untitled}"),
    ]
    assert page.index("delete-effects") < page.index('name="post"')  # before the confirmation


def test_the_delete_page_says_it_in_english_too(editor_client, career):
    minister, meetings = career
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = editor_client.get(reverse("admin:partners_tenure_delete", args=[minister.pk]))

    assert "<h2>Titles at the time that this delete changes</h2>" in response.content.decode()
    assert [text for _, text in changes_listed(response)][-1] == (
        "Talks 2024-05 (May 2024) — Kihara Minoru: Minister of Defense → no title at the time")


def test_the_titles_are_those_stored_once_the_tenure_is_deleted(editor_client, career):
    minister, meetings = career
    url = reverse("admin:partners_tenure_delete", args=[minister.pk])
    listed = [text.split(" → ")[1] for _, text in changes_listed(editor_client.get(url))]

    assert editor_client.post(url, {"post": "yes", "seen_version": str(minister.version)}).status_code == 302

    assert not Tenure.objects.filter(pk=minister.pk).exists()
    titles = {p.meeting.date: p.title for p in Participation.objects.select_related("meeting", "position")}
    with translation.override("ja"):
        assert listed == [titles["2024-07"], titles["2024-05"] or gettext("no title at the time")]
    assert titles["2025-03"] == "衆議院議員"  # not listed: its title does not change


def test_a_tenure_no_title_comes_from_says_nothing_of_titles(editor_client, career):
    tenure = TenureFactory(official=OfficialFactory(), date="2010/2011")
    response = editor_client.get(reverse("admin:partners_tenure_delete", args=[tenure.pk]))
    assert response.status_code == 200 and changes_listed(response) == []
    assert "delete-effects" not in response.content.decode()


def test_delete_selected_lists_them_for_all_the_tenures_chosen(editor_client, career):
    minister, meetings = career
    member = Tenure.objects.exclude(pk=minister.pk).get()
    response = editor_client.post(reverse("admin:partners_tenure_changelist"), {
        "action": "delete_selected", "_selected_action": [minister.pk, member.pk]})

    with translation.override("ja"):
        untitled = gettext("no title at the time")
    assert [text.split(": ")[1] for _, text in changes_listed(response)] == [
        f"衆議院議員 → {untitled}", f"防衛大臣 → {untitled}", f"防衛大臣 → {untitled}"]


def test_many_changes_are_counted_after_the_first_few_in_as_many_queries(editor_client, career):
    minister, meetings = career
    url = reverse("admin:partners_tenure_delete", args=[minister.pk])

    def add_meetings(days):
        for day in days:
            ParticipationFactory(meeting=MeetingFactory(date=f"2024-02-{day:02d}"), official=minister.official)

    add_meetings(range(1, 11))
    with CaptureQueriesContext(connection) as few:
        editor_client.get(url)
    add_meetings(range(11, 29))
    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(url)

    assert len(changes_listed(response)) == 10
    with translation.override("ja"):
        more = ngettext("and %(n)s more", "and %(n)s more", 20) % {"n": 30 - 10}
    assert f"<p>{more}</p>" in response.content.decode() and more == "ほか20件"
    assert len(many) == len(few)

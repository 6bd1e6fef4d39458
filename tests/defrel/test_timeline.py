import pytest
from django.urls import reverse
from django.utils import translation

from defrel import timeline
from meetings.models import Meeting
from meetings.timeline import meeting_drawn
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, ExerciseFactory, MeetingFactory, ParticipationFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db


def country_timeline(country):
    return timeline.entries(country=country)[:][::-1]  # oldest first


def test_a_countrys_records_merge_into_one_chronology():
    au = CountryFactory(code="AU")
    MeetingFactory(date="2024-05", countries=[au], key="talks")
    ExerciseFactory(date="2024-07-12/2024-08-02", countries=[au], key="pitch-black-24")
    AgreementEventFactory(agreement=AgreementFactory(parties=[au]), kind="signed", date="2022-01-06")
    MeetingFactory(date="2024", countries=[CountryFactory(code="IN")], key="not-australia")
    entries = country_timeline(au)
    assert [e.kind for e in entries] == ["milestone", "meeting", "exercise"]
    assert [e.year for e in entries] == [2022, 2024, 2024]


def test_grouping_is_honest_about_precision():
    au = CountryFactory(code="AU")
    MeetingFactory(date="2024", countries=[au], key="year-only")
    MeetingFactory(date="2024-05-17", countries=[au], key="a-day")
    MeetingFactory(date="2024-05", countries=[au], key="a-month")
    groups = timeline.by_year_and_month(country_timeline(au))
    (year, months), = groups
    assert year == 2024
    assert [(month, [e.record.key for e in items]) for month, items in months] == [
        (None, ["year-only"]), (5, ["a-month", "a-day"])
    ]


def test_a_year_only_entry_does_not_split_january():
    au = CountryFactory(code="AU")
    MeetingFactory(date="2024-01-05", countries=[au], key="early-january")
    MeetingFactory(date="2024", countries=[au], key="year-only")
    MeetingFactory(date="2024-01-20", countries=[au], key="late-january")
    (year, months), = timeline.by_year_and_month(country_timeline(au))
    assert [(month, [e.record.key for e in items]) for month, items in months] == [
        (None, ["year-only"]), (1, ["early-january", "late-january"])
    ]
    (year, months), = timeline.by_year_and_month(country_timeline(au)[::-1], newest_first=True)
    assert [month for month, _ in months] == [1, None]


def test_the_selector_narrows_by_country_official_kind_and_year():
    au, official = CountryFactory(code="AU"), OfficialFactory(slug="marles-richard")
    met = MeetingFactory(date="2023-12/2024-01", countries=[au], key="met")
    ParticipationFactory(official=official, meeting=met)
    MeetingFactory(date="2024-03", countries=[au], key="without-him")
    ExerciseFactory(date="2024-07", countries=[au], key="pitch-black")
    MeetingFactory(date="2024-05", countries=[CountryFactory(code="IN")], key="india")

    def keys(**chosen):
        return [e.record.key for e in timeline.entries(**chosen)[:]]

    assert keys(country=au) == ["pitch-black", "without-him", "met"]
    assert keys(country=au, kinds=["meeting"]) == ["without-him", "met"]
    assert keys(official=official) == ["met"]  # exercises have no participants
    assert keys(country=au, year=2023) == ["met"]
    found = timeline.entries(year=2024)
    assert found.count() == 4 and [e.record.key for e in found[1:3]] == ["india", "without-him"]


def test_an_entry_of_a_kind_nobody_registered_is_an_error():
    exercise = ExerciseFactory()
    with pytest.raises(LookupError):
        timeline.drawn([timeline.Entry("visit", exercise)])
    with pytest.raises(LookupError):
        timeline.entries(kinds=["visit"])


def test_a_kind_registered_once_shows_on_the_timeline_and_both_profiles(client, monkeypatch):
    """The three pages read the registered kinds, and nothing else names them."""
    korea, official = CountryFactory(code="KR"), OfficialFactory(slug="shin-won-sik")
    ParticipationFactory(official=official, meeting=MeetingFactory(countries=[korea], format="video"))
    monkeypatch.setitem(timeline.KINDS, "call", timeline.Kind(
        "call", "calls", meeting_drawn,
        records=lambda: Meeting.objects.for_list().filter(format="video"),
        country=lambda calls, country: calls.filter(countries=country),
        official=lambda calls, official: calls.filter(participants=official),
    ))
    timeline_page, country_page = reverse("meetings:timeline"), reverse("partners:country-detail", args=["KR"])
    for url in (timeline_page, country_page, reverse("partners:official-detail", args=["shin-won-sik"])):
        assert 'class="entry entry-call"' in client.get(url).content.decode(), url
    for url in (timeline_page, country_page):  # and their "Show" choice offers it
        assert '<option value="call">calls</option>' in client.get(url).content.decode(), url
    only_calls = client.get(reverse("meetings:timeline"), {"kind": "call"}).content.decode()
    assert 'class="entry entry-call"' in only_calls and 'class="entry entry-meeting"' not in only_calls


def test_an_entry_shows_what_its_kind_draws_with_every_text_escaped():
    """Entries are drawn in Python, not by a template that escapes by itself: a title, a
    partner's name and a title at the time are each escaped, in either language."""
    country = CountryFactory(code="AU", name_ja="豪<州>", name_en="Australia & <b>")
    meeting = MeetingFactory(date="2024-05", countries=[country], count=3, level="ministerial",
                             title_ja="会談<script>", title_en="Talks <script>x</script>")
    official = OfficialFactory()
    ParticipationFactory(meeting=meeting, official=official, role="accompanying")
    for language, title, partner, encounters, note in (
            ("ja", "会談&lt;script&gt;", "豪&lt;州&gt;", "（3回）", "—（{}）"),
            ("en", "Talks &lt;script&gt;x&lt;/script&gt;", "Australia &amp; &lt;b&gt;", "(3 encounters)", "— ({})")):
        with translation.override(language):
            html = timeline.drawn(timeline.entries(official=official)[:])
            assert f'<a href="{meeting.get_absolute_url()}">{title}</a>' in html
            assert f'<span class="who">{partner} · {meeting.get_level_display()}' in html
            assert encounters in html and "<script>" not in html and "<b>" not in html
            role = meeting.participations.get().get_role_display()
            assert note.format(role) in html, html

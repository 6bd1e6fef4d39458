import pytest
from django.urls import reverse

from meetings import quality
from meetings.models import Engagement
from tests.meetings.factories import (
    AgreementEventFactory, AgreementFactory, EngagementFactory, MeetingFactory, ParticipationFactory,
    SourceFactory,
)
from tests.partners.factories import CountryFactory, OfficialFactory, PositionFactory, TenureFactory
from tests.curated import load_curated

pytestmark = [pytest.mark.django_db]


def test_the_curated_data_has_no_problems():
    load_curated()
    found = quality.problems()
    for readings in ("romanised_reading", "no_reading"):  # to confirm, not wrong (tests/test_curated_data.py)
        found.pop(readings)
    assert {key: [p.detail for p in items] for key, items in found.items() if items} == {}


def test_each_problem_is_found_and_links_to_the_record_to_fix(editor_client):
    stray = ParticipationFactory(official=OfficialFactory(name_ja="任期外の人"),
                                 meeting=MeetingFactory(key="stray", date="2024-05"))
    early = AgreementFactory(key="early", kind="raa")
    AgreementEventFactory(agreement=early, kind="signed", date="2024-07")
    AgreementEventFactory(agreement=early, kind="entered_into_force", date="2023-01")
    office = PositionFactory(level="minister")
    TenureFactory(position=office, official__country=office.country, date="2020/2023")
    TenureFactory(position=office, official__country=office.country, date="2022/..")
    MeetingFactory(key="unsourced", source_excerpt="")
    MeetingFactory(key="alone", countries=[])
    # stated in force, then a revision dated later: before it, the milestones give no record
    revised = AgreementFactory(key="revised", kind="acsa", stated_status="in_force")
    AgreementEventFactory(agreement=revised, kind="revised", date="2099-06")
    stated = AgreementFactory(key="stated", kind="acsa", stated_status="in_force")  # no milestone: stands
    AgreementEventFactory(agreement=AgreementFactory(key="dated", stated_status="in_force"),
                          kind="entered_into_force", date="2020-01")  # agrees
    # stated signed: a signature dated later agrees, a start of negotiations does not
    AgreementEventFactory(agreement=AgreementFactory(key="signed-dated", kind="joint_declaration",
                                                     stated_status="signed"), kind="signed", date="2020-01")
    AgreementEventFactory(agreement=AgreementFactory(key="signed-negotiating", kind="cooperation_memorandum",
                                                     stated_status="signed"),
                          kind="negotiation_started", date="2020-01")

    # a milestone at a meeting whose date was changed afterwards
    moved = MeetingFactory(key="moved", date="2025-03")
    AgreementEventFactory(agreement=AgreementFactory(key="at-moved"), kind="signed", date="2025-03", meeting=moved)
    moved.date = "2025-02"
    moved.save()
    # one official entered twice in one office for the same days
    twice = TenureFactory(position=PositionFactory(level="minister"), date="2025-01/..")
    TenureFactory(position=twice.position, official=twice.official, date="2025-02/..")
    # a Diet seat: many members at once are not a problem, one member entered twice is
    seated = TenureFactory(position=PositionFactory(level="other"), date="2021/..")
    TenureFactory(position=seated.position, official=seated.official, date="2022/..")
    TenureFactory(position=seated.position, date="2021/..")

    found = quality.problems()
    assert [p.record.key for p in found["milestone_off_its_meeting"]] == ["at-moved"]
    assert [p.record for p in found["overlapping_tenures"]].count(twice.official) == 1
    assert [p.record.key for p in found["outside_tenure"]] == ["stray"]
    assert [p.record.key for p in found["in_force_before_signed"]] == ["early"]
    assert [p.record for p in found["overlapping_tenures"]].count(seated.official) == 1
    assert len(found["overlapping_tenures"]) == 3  # two officials at once; one official twice, twice
    assert "unsourced" in [getattr(p.record, "key", "") for p in found["no_excerpt"]]
    assert [p.record.key for p in found["no_partner"]] == ["alone"]
    assert sorted(p.record.key for p in found["stated_status_unused"]) == ["revised", "signed-negotiating"]
    assert stated.status_on() == "in_force_by"

    page = editor_client.get(reverse("data-quality")).content.decode()
    assert reverse("admin:meetings_meeting_change", args=[stray.meeting.pk]) in page
    assert "任期外の人" in page


def test_the_public_cannot_see_the_data_quality_page(client):
    assert client.get(reverse("data-quality")).status_code == 302


# --- engagements ------------------------------------------------------------------------------

def keys(found, check):
    return sorted(p.record.key for p in found[check])


def test_engagements_without_an_excerpt_or_a_partner_are_listed():
    EngagementFactory(key="quoted")
    EngagementFactory(key="unquoted", source_excerpt="")
    EngagementFactory(key="unsourced", source=None)
    EngagementFactory(key="alone", countries=[])
    found = quality.problems()
    engagements = [p.record.key for p in found["no_excerpt"] if isinstance(p.record, Engagement)]
    assert sorted(engagements) == ["unquoted", "unsourced"]
    assert keys(found, "engagement_no_partner") == ["alone"]


def test_an_engagement_carried_out_after_its_source_was_published_is_listed():
    white_paper = SourceFactory(key="wp2025", date="2025-07")
    undated_source = SourceFactory(key="undated-source", date="")
    EngagementFactory(key="after", date="2025-08", source=white_paper)
    EngagementFactory(key="after-planned", date="2025-08", status="planned", source=white_paper)
    EngagementFactory(key="same-month", date="2025-07", source=white_paper)
    EngagementFactory(key="spans-past-it", date="2025-06/2025-09", source=white_paper)
    EngagementFactory(key="undated", date="", source=white_paper)
    EngagementFactory(key="source-undated", date="2026", source=undated_source)
    assert keys(quality.problems(), "carried_out_after_source") == ["after"]


def test_an_engagement_announced_at_a_meeting_of_other_partners_is_listed(editor_client):
    au, ph, us = CountryFactory(code="AU"), CountryFactory(code="PH"), CountryFactory(code="US")
    meeting = MeetingFactory(key="au-us-meeting", countries=[au, us])
    stray = EngagementFactory(key="ph-only", countries=[ph], meeting=meeting)
    EngagementFactory(key="ph-and-au", countries=[ph, au], meeting=meeting)
    EngagementFactory(key="no-meeting", countries=[ph])
    EngagementFactory(key="no-partner", countries=[], meeting=meeting)  # listed once, as such
    found = quality.problems()
    assert keys(found, "meeting_of_other_partners") == ["ph-only"]
    assert keys(found, "engagement_no_partner") == ["no-partner"]

    page = editor_client.get(reverse("data-quality")).content.decode()
    assert reverse("admin:meetings_engagement_change", args=[stray.pk]) in page


def test_the_checks_of_engagements_read_a_bounded_number_of_queries(django_assert_max_num_queries):
    source = SourceFactory(date="2025-07")
    for i in range(20):
        meeting = MeetingFactory(countries=[CountryFactory()])
        EngagementFactory(date="2025-09", source=source, meeting=meeting, source_excerpt="")
    with django_assert_max_num_queries(20):
        found = quality.problems()
    assert len(found["carried_out_after_source"]) == len(found["meeting_of_other_partners"]) == 20

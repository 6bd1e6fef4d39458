import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings import quality
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, MeetingFactory, ParticipationFactory
from tests.partners.factories import OfficialFactory, PositionFactory, TenureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.admin_urls")]


def test_the_curated_data_has_no_problems():
    call_command("load_curated", verbosity=0)
    found = quality.problems()
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

    found = quality.problems()
    assert [p.record.key for p in found["outside_tenure"]] == ["stray"]
    assert [p.record.key for p in found["in_force_before_signed"]] == ["early"]
    assert len(found["overlapping_tenures"]) == 1
    assert "unsourced" in [getattr(p.record, "key", "") for p in found["no_excerpt"]]
    assert [p.record.key for p in found["no_partner"]] == ["alone"]

    page = editor_client.get(reverse("data-quality")).content.decode()
    assert reverse("admin:meetings_meeting_change", args=[stray.meeting.pk]) in page
    assert "任期外の人" in page


def test_the_public_cannot_see_the_data_quality_page(client):
    assert client.get(reverse("data-quality")).status_code == 302

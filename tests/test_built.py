"""The records that tests build at once (tests.built) are derived as each save derives them."""
import pytest

from meetings.models import Meeting, Participation
from meetings.models.venues import Venue
from tests import built
from tests.meetings.factories import MeetingFactory, ParticipationFactory, relations_with
from tests.partners.factories import CountryFactory, OfficialFactory, TenureFactory

pytestmark = pytest.mark.django_db


def test_records_built_at_once_are_titled_placed_and_found_as_each_save_would_have_done():
    au, ph = CountryFactory(code="AU"), CountryFactory(code="PH")
    japanese, partner = relations_with(au, 4)  # built at once
    in_manila = MeetingFactory(key="manila", date="2024-07", host_country=ph, countries=[au])  # saved alone
    assert Meeting.objects.get(key="manila").venue == Venue.THIRD
    with built.built_at_once():
        guest = TenureFactory(official=OfficialFactory(country=ph, name_en="Gilberto Teodoro"), date="2023/..").official
        ph.meetings.add(in_manila)  # linked from the partner's side: the meeting itself is not saved
        ParticipationFactory(meeting=in_manila, official=guest)
    assert Participation.objects.filter(position__isnull=False).count() == 4 * 2 + 1
    assert Meeting.objects.get(key="manila").venue == Venue.PARTNER
    assert any("teodoro" in line for line in built.documents()[("meetings.meeting", in_manila.pk)])
    built.assert_derived_by_the_rules()
    # One history entry for each record made inside, "added", with its partners as they stand.
    entries = Meeting.history.filter(key__startswith="au-m")
    assert sorted(entries.values_list("key", "history_type")) == [(f"au-m{i}", "+") for i in range(4)]
    assert all([link.country.code for link in e.countries.all()] == ["AU"] for e in entries)

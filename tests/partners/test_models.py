import pytest
from django.db import IntegrityError

from meetings.models import Participation
from partners.models import Tenure
from tests.meetings.factories import (
    AgreementEventFactory, EngagementFactory, ExerciseFactory, MeetingFactory, OccasionFactory,
    ParticipationFactory, SourceFactory,
)
from tests.partners.factories import OfficialFactory, PositionFactory, TenureFactory

pytestmark = pytest.mark.django_db


def test_title_is_the_one_held_on_the_meeting_date():
    tenure = TenureFactory(date="2023-09-13/2024-10-01", position__title_ja="防衛大臣",
                           position__title_en="Minister of Defense")
    during = ParticipationFactory(official=tenure.official, meeting=MeetingFactory(date="2024-05"))
    after = ParticipationFactory(official=tenure.official, meeting=MeetingFactory(date="2025-01"))
    assert during.title == "防衛大臣"
    assert after.title == ""


def test_title_follows_the_official_from_one_office_to_the_next():
    official = OfficialFactory()
    TenureFactory(official=official, date="2017-08-03/2019-09-11", position__title_en="Minister for Foreign Affairs")
    TenureFactory(official=official, date="2019-09-11/2020-09-16", position__title_en="Minister of Defense")
    meeting = MeetingFactory(date="2019-11-17")
    participation = ParticipationFactory(official=official, meeting=meeting)
    assert participation.position.title_en == "Minister of Defense"


def test_tenure_with_unknown_start_still_covers_later_meetings():
    tenure = TenureFactory(date="/2024-10")
    assert tenure.date_lower is None
    participation = ParticipationFactory(official=tenure.official, meeting=MeetingFactory(date="2024-04"))
    assert participation.position == tenure.position


# (tenure dates, position level) of one official, in the order recorded; their offices are
# 役職0, 役職1 …
CAREERS = {
    "one office after another": [("2017-08-03/2019-09-11", "minister"), ("2019-09-11/2020-09-16", "minister")],
    "a ranked office before a later unranked one": [("2012/2021", "minister"), ("2019-01-01/..", "other")],
    "the latest begun of two ranked": [("2010/..", "vice_minister"), ("2019-05/2019-12", "minister")],
    "an unknown start counts as the earliest": [("/2020", "minister"), ("2019-06-01/2020", "minister")],
    "the first recorded of two alike": [("2019-01/2019-12", "minister"), ("2019-01/2019-12", "minister")],
    "nothing held then": [("2001/2002", "minister")],
}
MEETING_DATES = ["2019-11-17", "2019-09", "2019", "2019-08/2019-10", "2019-12-20/..", "2019-02/2019-03"]
# The office stored for each meeting date above, as the title rule chose it before it was stored.
CHOSEN = {
    "one office after another": ["役職1"] * 5 + ["役職0"],
    "a ranked office before a later unranked one": ["役職0"] * 6,
    "the latest begun of two ranked": ["役職1"] * 5 + ["役職0"],
    "an unknown start counts as the earliest": ["役職1"] * 5 + ["役職0"],
    "the first recorded of two alike": ["役職0"] * 6,
    "nothing held then": [""] * 6,
}


@pytest.mark.parametrize("career", CAREERS)
def test_the_title_stored_is_the_one_the_rule_chooses(career):
    official = OfficialFactory()
    for i, (date, level) in enumerate(CAREERS[career]):
        TenureFactory(official=official, date=date, position__level=level, position__title_ja=f"役職{i}")
    stored = [ParticipationFactory(meeting=MeetingFactory(date=date), official=official)
              for date in MEETING_DATES]
    assert [p.title for p in stored] == CHOSEN[career]
    again = Participation.objects.select_related("position").filter(official=official).order_by("pk")
    assert [p.title for p in again] == CHOSEN[career]


def test_database_refuses_a_tenure_that_ends_before_it_starts():
    tenure = TenureFactory()
    with pytest.raises(IntegrityError):
        Tenure.objects.filter(pk=tenure.pk).update(date_lower="2025-01-01", date_upper="2024-01-01")


def test_natural_key_round_trip():
    tenure = TenureFactory(date="2024-10-01/..")
    assert tenure.natural_key() == (tenure.official.slug, tenure.position.key, "2024-10-01/..")
    participation = ParticipationFactory()
    event = AgreementEventFactory()
    for record in (tenure, tenure.position, tenure.official, tenure.official.country, participation,
                   participation.meeting, event, event.agreement, ExerciseFactory(), EngagementFactory(),
                   OccasionFactory(), SourceFactory()):
        assert type(record).objects.get_by_natural_key(*record.natural_key()) == record

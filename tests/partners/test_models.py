import pytest
from django.db import IntegrityError
from django.utils import translation

from meetings.models import Participation
from partners.models import Tenure
from tests.meetings.factories import (
    AgreementEventFactory, ExerciseFactory, MeetingFactory, OccasionFactory, ParticipationFactory, SourceFactory,
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
    assert participation.tenure.position.title_en == "Minister of Defense"


def test_tenure_with_unknown_start_still_covers_later_meetings():
    tenure = TenureFactory(date="/2024-10")
    assert tenure.date_lower is None
    participation = ParticipationFactory(official=tenure.official, meeting=MeetingFactory(date="2024-04"))
    assert participation.tenure == tenure


# (tenure dates, position level, English title) of one official, in the order recorded
CAREERS = {
    "one office after another": [("2017-08-03/2019-09-11", "minister", "Foreign Minister"),
                                 ("2019-09-11/2020-09-16", "minister", "Defence Minister")],
    "a ranked office before a later unranked one": [("2012/2021", "minister", "Minister"),
                                                    ("2019-01-01/..", "other", "Diet member")],
    "the latest begun of two ranked": [("2010/..", "vice_minister", "Vice-Minister"),
                                       ("2019-05/2019-12", "minister", "Minister")],
    "an unknown start counts as the earliest": [("/2020", "minister", "Unknown start"),
                                                ("2019-06-01/2020", "minister", "Known start")],
    "the first recorded of two alike": [("2019-01/2019-12", "minister", "First"),
                                        ("2019-01/2019-12", "minister", "Second")],
    "no English title": [("2018/2020", "minister", "")],
    "nothing held then": [("2001/2002", "minister", "Long ago")],
}
MEETING_DATES = ["2019-11-17", "2019-09", "2019", "2019-08/2019-10", "2019-12-20/..", "2019-02/2019-03"]


@pytest.mark.parametrize("career", CAREERS)
def test_the_title_read_with_the_participations_is_the_one_tenure_during_chooses(career):
    """Meeting.titled_participations reads titles in SQL (partners.models.title_held);
    Participation.tenure chooses among the official's tenures in Python."""
    official = OfficialFactory()
    for i, (date, level, title_en) in enumerate(CAREERS[career]):
        TenureFactory(official=official, date=date, position__level=level,
                      position__title_ja=f"役職{i}", position__title_en=title_en)
    for date in MEETING_DATES:
        meeting = MeetingFactory(date=date)
        ParticipationFactory(meeting=meeting, official=official)
        for lang in ("ja", "en"):
            with translation.override(lang):
                [read] = meeting.titled_participations()
                chosen = Participation.objects.get(pk=read.pk)
                assert read.title == chosen.title, (date, lang)
    assert career != "nothing held then" or not chosen.title


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
                   participation.meeting, event, event.agreement, ExerciseFactory(), OccasionFactory(), SourceFactory()):
        assert type(record).objects.get_by_natural_key(*record.natural_key()) == record

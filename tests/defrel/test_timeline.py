import pytest

from defrel import timeline
from meetings.models import AgreementEvent
from tests.meetings.factories import AgreementEventFactory, AgreementFactory, ExerciseFactory, MeetingFactory
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


def country_timeline(country):
    return timeline.merge(
        ("meeting", country.meetings.order_by("date_lower")),
        ("milestone", AgreementEvent.objects.filter(agreement__parties=country).order_by("date_lower")),
        ("exercise", country.exercises.order_by("date_lower")),
    )


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

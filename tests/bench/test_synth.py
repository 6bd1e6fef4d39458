import datetime
from io import StringIO

import pytest
from django.db.models import Count

from bench.synth import FIRST_YEAR, CuratedDataError
from bench.synth import synth as build
from defrel import dates
from meetings import quality
from meetings.models import Agreement, AgreementEvent, Engagement, Exercise, Meeting, Participation
from partners.models import Country, Official, Tenure
from tests.meetings.factories import SourceFactory
from tests.partners.factories import CountryFactory

pytestmark = pytest.mark.django_db


def synth(**options):
    out, err = StringIO(), StringIO()
    build(meetings=200, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_builds_every_kind_of_record_at_the_size_asked():
    synth(countries=12, officials=300, agreements=30, exercises=40, engagements=25)
    assert Meeting.objects.count() == 200
    assert Country.objects.exclude(code="JP").count() == 12
    assert Official.objects.count() >= 300
    assert Agreement.objects.count() == 30
    assert Exercise.objects.count() == 40
    assert AgreementEvent.objects.count() >= 30
    assert Engagement.objects.count() == 25


def test_engagements_are_a_tenth_of_the_meetings_dated_and_linked_as_curated_ones_are():
    synth(agreements=60)
    engagements = Engagement.objects.annotate(partners=Count("countries"))
    assert engagements.count() == 20
    assert {e.partners for e in engagements} <= set(range(1, 5))
    assert engagements.filter(date="").exists() and engagements.exclude(date="").exists()
    assert not engagements.filter(date="", date_lower__isnull=False).exists()
    assert engagements.filter(meeting__isnull=False).exists()
    assert len({e.kind for e in engagements}) >= 3
    # The quality checks that concern engagements find nothing to fix in them.
    found = quality.problems()
    assert found["meeting_of_other_partners"] == found["engagement_no_partner"] == []


def test_engagements_name_officials_who_held_an_office_on_the_day():
    synth(countries=20, officials=300, agreements=0, exercises=0, engagements=300)
    named = Engagement.objects.filter(officials__isnull=False).prefetch_related("officials__tenures")
    assert named.exists()
    for engagement in named:
        for official in engagement.officials.all():
            assert any((t.date_lower or datetime.date.min) <= engagement.date_lower
                       <= (t.date_upper or datetime.date.max) for t in official.tenures.all())


def test_meetings_have_one_to_six_partners_and_two_to_eight_participants():
    synth()
    shape = Meeting.objects.annotate(
        partners=Count("countries", distinct=True), people=Count("participations", distinct=True)
    )
    assert {m.partners for m in shape} <= set(range(1, 7))
    assert {m.people for m in shape} <= set(range(2, 9))
    assert not Meeting.objects.filter(countries__code="JP").exists()


def test_every_participant_says_how_the_record_knows_of_them():
    """As an editor's form requires: an editor saving a synthetic meeting (the load test's)
    is not refused for a field the synthetic data left empty."""
    synth()
    assert set(Participation.objects.values_list("known_from", flat=True)) == {"excerpt"}


def test_every_participant_held_an_office_on_the_meeting_date():
    synth()
    participations = Participation.objects.select_related("meeting", "official").prefetch_related(
        "official__tenures__position"
    )
    assert participations.count() >= 400
    assert all(p.title for p in participations)


def test_officials_move_from_office_to_office_of_their_country():
    """Titles at the time are the point of the meeting page and the export: many synthetic
    officials hold several offices, one after another."""
    synth(officials=300)
    officials = Official.objects.prefetch_related("tenures__position")
    careers = [sorted(o.tenures.all(), key=lambda t: t.date_upper or datetime.date.max) for o in officials]
    assert len(careers) >= 300
    assert sum(len(c) > 1 for c in careers) >= len(careers) // 5
    for official, career in zip(officials, careers):
        assert {t.position.country_id for t in career} == {official.country_id}
        for held, after in zip(career, career[1:]):  # an unknown start is before the first year
            assert held.date_upper < (after.date_lower or datetime.date(FIRST_YEAR - 2, 1, 1))


def test_date_bounds_are_the_ones_save_would_have_filled():
    synth()
    for model in (Meeting, Exercise, AgreementEvent, Tenure, Engagement):
        for record in model.objects.exclude(date=""):  # an undated engagement has no bounds
            parsed = dates.parse(record.date, allow_unknown_start=record.allow_unknown_start)
            assert (record.date_lower, record.date_upper) == (parsed.lower, parsed.upper), record.date


def test_venues_are_the_ones_the_app_stores():
    synth()
    meetings = Meeting.objects.all()
    stored = {venue: n for venue, n in meetings.values_list("venue").annotate(n=Count("pk")).order_by()}
    for meeting in meetings.select_related("host_country", "occasion").prefetch_related("countries"):
        meeting.save()  # the venue stored again, by the app's own write path
    assert dict(meetings.values_list("venue").annotate(n=Count("pk")).order_by()) == stored
    assert stored.get("remote") == meetings.filter(format__in=["video", "phone"]).count() > 0
    assert "japan" in stored and "partner" in stored


def test_agreements_have_lifecycles_in_date_order():
    synth(agreements=40)
    for agreement in Agreement.objects.with_lifecycle():
        days = [e.date_lower for e in agreement.events.all()]
        assert days == sorted(days)
    assert AgreementEvent.objects.filter(kind="signed").exists()


def test_progress_goes_to_stderr():
    _out, err = synth()
    assert "meetings" in err and "200/200" in err


def test_the_same_seed_gives_the_same_data():
    synth(seed=7)
    first = list(Meeting.objects.order_by("key").values_list("key", "title_en", "date"))
    synth(seed=7)
    assert list(Meeting.objects.order_by("key").values_list("key", "title_en", "date")) == first


def test_a_second_run_replaces_the_first():
    synth()
    synth()
    assert Meeting.objects.count() == 200 and Engagement.objects.count() == 20
    assert Country.objects.filter(code="JP").count() == 1


def test_refuses_a_database_with_a_source():
    SourceFactory()
    with pytest.raises(CuratedDataError, match="curated"):
        synth()
    assert not Meeting.objects.exists()


def test_refuses_a_database_with_a_country_of_the_fixtures():
    CountryFactory(code="AU", name_en="Australia")
    with pytest.raises(CuratedDataError, match="curated"):
        synth()


def test_force_adds_beside_curated_data_and_keeps_it():
    source = SourceFactory()
    australia = CountryFactory(code="AU", name_en="Australia")
    synth(force=True)
    assert Meeting.objects.count() == 200
    assert Country.objects.get(code="AU") == australia
    assert source.__class__.objects.filter(pk=source.pk).exists()


def test_the_app_has_no_synth_command():
    """The generator is the benchmark's, not the app's: manage.py knows no such command."""
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Unknown command"):
        call_command("synth")

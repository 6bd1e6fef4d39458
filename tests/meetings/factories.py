import factory

from defrel.models import Source
from meetings.models import (
    Agreement, AgreementEvent, Engagement, Exercise, Meeting, Occasion, Participation,
)
from tests.partners.factories import CountryFactory, OfficialFactory


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["key"]

    key = "wp2025"
    title_ja = "令和7年版防衛白書"
    title_en = "Defense of Japan 2025"
    date = "2025-07"


class OccasionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occasion
        django_get_or_create = ["key"]

    key = "shangri-la"
    name_ja = "シャングリラ会合"
    name_en = "IISS Shangri-La Dialogue"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"2024-05-meeting-{n}")
    date = "2024-05"
    title_ja = "日豪防衛相会談"
    title_en = "Japan–Australia Defense Ministerial Meeting"
    level = "ministerial"
    source = factory.SubFactory(SourceFactory)
    source_excerpt = "2024年5月、木原防衛大臣(当時)は、マールズ豪副首相兼国防大臣とハワイにて会談を行い"

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create:
            self.countries.set(extracted if extracted is not None else [CountryFactory()])


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    meeting = factory.SubFactory(MeetingFactory)
    official = factory.SubFactory(OfficialFactory)
    known_from = Participation.KnownFrom.EXCERPT


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"agreement-{n}")
    title_ja = "秘密軍事情報保護協定"
    title_en = "General Security of Military Information Agreement"
    short_name = "GSOMIA"
    kind = "information_security"
    source = factory.SubFactory(SourceFactory)

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create:
            self.parties.set(extracted if extracted is not None else [CountryFactory()])


class AgreementEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementEvent

    agreement = factory.SubFactory(AgreementFactory)
    kind = "signed"
    meeting = None
    # Reached at a meeting, it falls on the meeting's date (AgreementEvent.clean).
    date = factory.LazyAttribute(lambda milestone: milestone.meeting.date if milestone.meeting else "2016-11")
    source = factory.SubFactory(SourceFactory)


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"exercise-{n}")
    name_ja = "フリーダム・エッジ"
    name_en = "Freedom Edge"
    date = "2024-11"
    source = factory.SubFactory(SourceFactory)

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create:
            self.countries.set(extracted if extracted is not None else [CountryFactory()])


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"engagement-{n}")
    kind = "port_call"
    date = "2024-05"
    title_ja = "護衛艦「むらさめ」のマニラ寄港"
    title_en = "JS Murasame's port call at Manila"
    japan_side_ja = "護衛艦「むらさめ」"
    japan_side_en = "JS Murasame"
    services = "msdf"
    source = factory.SubFactory(SourceFactory)
    source_excerpt = "護衛艦「むらさめ」がマニラに寄港し"

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create:
            self.countries.set(extracted if extracted is not None else [CountryFactory()])

    @factory.post_generation
    def officials(self, create, extracted, **kwargs):
        if create and extracted:
            self.officials.set(extracted)


def relations_with(country, n, *, japanese=None, partner=None):
    """``n`` each of meetings (attended by both officials), agreements with two milestones,
    exercises and engagements (naming both officials; every third undated) with ``country``,
    in different years and months: enough rows to show that a page's query count does not
    grow with them."""
    from tests.built import built_at_once
    from tests.partners.factories import TenureFactory

    with built_at_once():  # for tests that read them (tests/built.py)
        japanese = japanese or TenureFactory(official__country=CountryFactory(code="JP", region="northeast_asia"),
                                             date="2000/..").official
        partner = partner or TenureFactory(official__country=country, date="2000/..").official
        for i in range(n):
            year, month = 2024 - i % 10, 1 + i % 12
            meeting = MeetingFactory(date=f"{year}-{month:02d}", countries=[country], key=f"{country.code.lower()}-m{i}")
            ParticipationFactory(meeting=meeting, official=japanese)
            ParticipationFactory(meeting=meeting, official=partner)
            agreement = AgreementFactory(parties=[country], key=f"{country.code.lower()}-a{i}", short_name=f"A{i}")
            AgreementEventFactory(agreement=agreement, kind="signed", date=f"{year}-{month:02d}")
            AgreementEventFactory(agreement=agreement, kind="entered_into_force", date=f"{year}")
            ExerciseFactory(date=f"{year}", countries=[country], key=f"{country.code.lower()}-x{i}")
            EngagementFactory(date="" if i % 3 == 2 else f"{year}-{month:02d}", countries=[country],
                              officials=[japanese, partner], key=f"{country.code.lower()}-e{i}")
    return japanese, partner

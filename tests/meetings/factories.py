import factory

from defrel.models import Source
from meetings.models import Agreement, AgreementEvent, Exercise, Meeting, Occasion, Participation
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
    date = "2016-11"
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

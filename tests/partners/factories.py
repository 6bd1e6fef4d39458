import factory

from partners.models import Country, Official, Position, Tenure


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"Q{n}")
    name_ja = factory.Sequence(lambda n: f"国{n}")
    name_en = factory.Sequence(lambda n: f"Country {n}")
    region = "oceania"


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    key = factory.Sequence(lambda n: f"position-{n}")
    country = factory.SubFactory(CountryFactory)
    title_ja = factory.Sequence(lambda n: f"役職{n}")
    title_en = factory.Sequence(lambda n: f"Office {n}")
    level = "minister"


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    slug = factory.Sequence(lambda n: f"official-{n}")
    name_ja = factory.Sequence(lambda n: f"人物{n}")
    name_en = factory.Sequence(lambda n: f"Person {n}")
    country = factory.SubFactory(CountryFactory)


class TenureFactory(factory.django.DjangoModelFactory):
    """A tenure whose office belongs to the official's own country."""

    class Meta:
        model = Tenure

    official = factory.SubFactory(OfficialFactory)
    position = factory.SubFactory(PositionFactory, country=factory.SelfAttribute("..official.country"))
    date = "2023-09-13/2024-10-01"

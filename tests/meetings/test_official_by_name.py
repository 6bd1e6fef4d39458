"""The timeline's official filter takes a name as a reader types it, in Japanese or English,
with suggestions; the slug still works; none or several matching is said next to the field."""
import pytest
from django.utils import translation

from tests.meetings.factories import MeetingFactory, ParticipationFactory
from tests.pages import text
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    jp, au = CountryFactory(code="JP"), CountryFactory(code="AU")
    yoshida = OfficialFactory(country=jp, slug="yoshida-yoshihide", name_ja="吉田圭秀", name_en="Yoshida Yoshihide")
    marles = OfficialFactory(country=au, slug="marles-richard", name_ja="マールズ", name_en="Richard Marles")
    for key, who, title in (("m-yoshida", yoshida, "Chiefs of defence talks"), ("m-marles", marles, "Ministerial talks")):
        ParticipationFactory(meeting=MeetingFactory(key=key, title_en=title, countries=[au]), official=who)
    return {"yoshida": yoshida, "marles": marles, "jp": jp}


@pytest.mark.parametrize("typed", ["吉田", "yoshida", "Yoshida Yoshihide", "yoshida-yoshihide", " 吉田 圭秀 "])
def test_a_name_or_a_slug_chooses_the_official(client, people, typed):
    with translation.override("en"):
        page = text(client.get("/en/timeline/", {"official": typed}))
    assert "Chiefs of defence talks" in page and "Ministerial talks" not in page


def test_an_english_name_finds_a_foreign_official_on_the_japanese_page(client, people):
    page = text(client.get("/timeline/", {"official": "Marles"}))
    assert "マールズ" in page and "m-yoshida" not in page


def test_several_or_no_matches_are_said_next_to_the_field(client, people):
    OfficialFactory(country=people["jp"], slug="yoshida-shigeru", name_ja="吉田茂", name_en="Yoshida Shigeru")
    with translation.override("en"):
        several = text(client.get("/en/timeline/", {"official": "吉田"}))
        none = text(client.get("/en/timeline/", {"official": "Nobody"}))
    assert "Several officials match" in several and "yoshida-shigeru" in several
    assert "No official is named" in none
    assert "Ministerial talks" in several  # the page is drawn without that filter


def test_the_field_suggests_the_officials_met(client, people):
    page = client.get("/timeline/").content.decode()
    assert 'list="official-names"' in page
    assert '<option value="吉田圭秀">Yoshida Yoshihide</option>' in page

"""Every public filter that takes an official or a partner takes a name typed in Japanese or
English as well as a key, by one rule (meetings.forms.named), on the curated data; a name that
matches nothing or several people is said on the page."""
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from meetings.forms import named
from partners.models import Country, Official
from tests.curated import load_curated

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def curated(django_db_setup, django_db_blocker):
    """Loaded once for the module (about 15 s), flushed at its end."""
    with django_db_blocker.unblock():
        load_curated()
        yield
        call_command("flush", interactive=False, verbosity=0)


def listed(client, path, **params):
    """The records linked from the page's results table (keys), and its error messages."""
    page = client.get(path, params).content.decode()
    table = re.search(r'<table class="results">.*?</table>', page, re.S)
    keys = re.findall(r'href="(?:/en)?/[a-z]+/([^/"]+)/"', table.group(0)) if table else []
    return set(keys), re.findall(r'<li class="error">(.*?)</li>', page)


@pytest.mark.parametrize("path, param, key, typed", [
    ("/meetings/", "official", "yoshida-yoshihide", ["吉田", "吉田圭秀", "Yoshida", "yoshida yoshihide"]),
    ("/meetings/", "official", "marles-richard", ["マールズ", "Marles", "Richard Marles"]),
    ("/meetings/", "country", "AU", ["オーストラリア", "豪", "Australia", "au"]),
    ("/exercises/", "country", "AU", ["オーストラリア", "Australia"]),
    ("/engagements/", "country", "PH", ["フィリピン", "Philippines"]),
    ("/agreements/", "party", "KR", ["大韓民国", "韓", "Republic of Korea", "Korea"]),
])
def test_a_name_in_either_language_selects_what_the_key_does(client, curated, path, param, key, typed):
    by_key, errors = listed(client, path, **{param: key})
    assert by_key and errors == []
    for text in typed:
        for language in ("", "/en"):
            assert listed(client, language + path, **{param: text}) == (by_key, []), (language, text)


def test_names_narrow_with_keys_and_each_other(client, curated):
    both, errors = listed(client, "/en/meetings/", official=["kihara-minoru", "Marles"], country="豪")
    assert errors == []
    kihara = set(Official.objects.get(slug="kihara-minoru").meetings.values_list("key", flat=True))
    marles = set(Official.objects.get(slug="marles-richard").meetings.values_list("key", flat=True))
    assert both == kihara & marles and len(both) >= 3


def test_a_name_matching_several_or_none_is_said_and_left_out(client, curated):
    with translation.override("en"):
        everything, _ = listed(client, "/en/meetings/")
        several, errors = listed(client, "/en/meetings/", official="Kim")
        assert several == everything  # drawn without that filter
        assert errors[0].startswith("Official: Several officials match “Kim”:") and "kim-yong-hyun" in errors[0]
        _, errors = listed(client, "/en/exercises/", country="Atlantis")
        assert errors == ["Partner: No country or organisation is named “Atlantis”."]
    _, errors = listed(client, "/agreements/", party="アトランティス")
    assert len(errors) == 1 and "アトランティス" in errors[0]


def test_a_short_text_that_is_only_part_of_one_name_is_asked_about_not_taken(client, curated):
    """"UK" is in "Ukraine" alone: a reader typing it means the United Kingdom, and is told
    what it matched rather than shown Ukraine's meetings as if they were the UK's."""
    with translation.override("en"):
        everything, _ = listed(client, "/en/meetings/")
        shown, errors = listed(client, "/en/meetings/", country="UK")
    assert shown == everything
    assert errors == ["Partner: “UK” is only part of a name: Ukraine (UA). Type more of the name, or a code."]
    with pytest.raises(ValidationError) as asked:
        named(Country, "ukr")
    assert asked.value.code == "part_of_a_name"
    assert named(Country, "Ukra").code == named(Country, "UA").code == "UA"  # more of it, or the code


def test_a_key_typed_in_full_width_letters_is_the_key(client, curated):
    """A Japanese keyboard types ＵＳ and ＵＫ in full-width letters (as it types ＡＣＳＡ, which
    the search takes): they are US and UK, not other names that hold the letters."""
    assert (named(Country, "ＵＳ").code, named(Country, "ＡＵ").code) == ("US", "AU")
    assert named(Official, "ｋｉｈａｒａ－ｍｉｎｏｒｕ").slug == "kihara-minoru"
    with pytest.raises(ValidationError) as asked:  # as "UK" is: only part of Ukraine's name
        named(Country, "ＵＫ")
    assert asked.value.code == "part_of_a_name"
    shown, errors = listed(client, "/meetings/", country="ＵＳ")
    assert shown == listed(client, "/meetings/", country="US")[0] and errors == []


def test_the_timeline_takes_a_partner_by_name(client, curated):
    with translation.override("en"):
        page = client.get("/en/timeline/", {"country": "Australia", "official": "Marles"}).content.decode()
    status = re.search(r'<p class="meta" role="status">(.*?)</p>', page, re.S).group(1)
    assert "Australia" in status and "Richard Marles" in status


def test_one_rule_turns_names_into_records(curated):
    assert named(Country, "豪").code == named(Country, "Australia").code == named(Country, "au").code == "AU"
    assert named(Official, "吉田").slug == named(Official, "Yoshida Yoshihide").slug == "yoshida-yoshihide"
    with pytest.raises(ValidationError) as longer:
        named(Official, "吉田" * 60)  # longer than any name: not searched
    assert longer.value.code == "unknown_name"


def test_the_boxes_suggest_officials_and_partners_in_the_pages_language(client, curated):
    page = client.get("/meetings/").content.decode()
    assert '<input type="text" name="official"' in page and 'list="official-names"' in page
    assert '<option value="吉田圭秀">Yoshida Yoshihide</option>' in page
    assert '<option value="オーストラリア">Australia</option>' in page
    with translation.override("en"):
        english = client.get("/en/agreements/").content.decode()
    assert '<input type="text" name="party"' in english and '<option value="Australia">オーストラリア</option>' in english


def test_a_box_shows_the_last_name_and_carries_the_others(client, curated):
    page = client.get("/meetings/", {"official": ["kihara-minoru", "マールズ"]}).content.decode()
    assert re.search(r'<input type="text" name="official" value="マールズ"', page)
    assert '<input type="hidden" name="official" value="kihara-minoru">' in page


def test_a_name_typed_is_marked_chosen_in_its_facet(client, curated):
    page = client.get("/meetings/", {"official": "吉田"}).content.decode()
    chosen = re.findall(r'<a href="([^"]*)" aria-current="true">([^<]*)', page)
    assert [label.strip() for _, label in chosen] == ["吉田圭秀"]
    assert "official=" not in chosen[0][0]  # following it takes the filter away


def test_the_officials_list_takes_a_partner_by_name(client, curated):
    by_code = client.get("/en/partners/officials/", {"country": "AU"}).content.decode()
    by_name = client.get("/en/partners/officials/", {"country": "オーストラリア"}).content.decode()
    assert "Richard Marles" in by_name and "Nakatani Gen" not in by_name
    assert by_name.count("/partners/officials/") == by_code.count("/partners/officials/")

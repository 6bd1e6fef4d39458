"""A page says it is filtered, and offers to clear its filters, only when a filter narrows it:
not on the second page of everything, nor for a tracking parameter or an order; and the links a
page writes from its address (pages, facets, its search form) keep what it reads, not what
tracks its readers."""
import re
from html import unescape

import pytest
from django.urls import reverse

from meetings.views import lists, profiles
from tests.built import built_at_once
from tests.meetings.factories import AgreementFactory, MeetingFactory
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db

FILTERED = "— 絞り込み中"


def page(client, name, query, *args):
    return client.get(reverse(name, args=args) + query).content.decode()


def test_a_lists_later_page_of_everything_is_not_called_filtered(client):
    au = CountryFactory(code="AU", name_ja="オーストラリア")
    with built_at_once():
        for i in range(51):
            MeetingFactory(key=f"m{i}", date="2024-05", countries=[au])
    for query in ("?page=2", "?utm_source=newsletter", "?sort=date", "?q="):
        html = page(client, "meetings:meeting-list", query)
        assert FILTERED not in html and "すべての条件を解除" not in html, query
    html = page(client, "meetings:meeting-list", "?country=AU&page=2")
    assert FILTERED in html and "すべての条件を解除" in html


def test_the_timeline_officials_and_profiles_offer_to_clear_only_a_filter(client):
    official = OfficialFactory(slug="kihara", country=CountryFactory(code="AU"))
    for name, args in (("meetings:timeline", ()), ("partners:official-list", ()),
                       ("partners:official-detail", (official.slug,)), ("partners:country-detail", ("AU",))):
        assert "条件を解除" not in page(client, name, "?page=2&utm_source=x", *args), name
        assert "条件を解除" in page(client, name, "?year=2024" if args or "timeline" in name else "?q=x", *args), name


TRACKING = "utm_source=news&utm_medium=mail&utm_campaign=c&utm_term=t&utm_content=x&fbclid=1&gclid=2"


def written_links(html):
    """The query strings of the page's links and the fields its forms send, as a reader's
    browser would follow or send them."""
    hrefs = [unescape(href) for href in re.findall(r'href="([^"]*\?[^"]*)"', html)]
    fields = [unescape(name) for name in re.findall(r'<input type="hidden" name="([^"]+)"', html)]
    return hrefs, fields


@pytest.mark.parametrize("name, query", [
    ("meetings:meeting-list", "?country=AU&sort=date"),
    ("meetings:agreement-list", "?party=AU"),
    ("meetings:timeline", "?year=2024"),
    ("partners:official-list", "?country=AU"),
])
def test_page_facet_and_form_links_leave_out_tracking_parameters(client, monkeypatch, name, query):
    """A reader who came from a newsletter (?utm_source=…) and turns a page, picks a facet or
    sorts is not counted as coming from it again; the list's own parameters stay."""
    monkeypatch.setattr(lists, "PER_PAGE", 1)
    monkeypatch.setattr(profiles.OfficialList, "paginate_by", 1)
    au = CountryFactory(code="AU", name_ja="オーストラリア")
    for i in range(3):
        OfficialFactory(slug=f"official-{i}", country=au)
        MeetingFactory(key=f"m{i}", date="2024-05", countries=[au], level=("ministerial", "leaders")[i % 2])
    for i in range(3):
        AgreementFactory(key=f"a{i}", parties=[au])
    html = page(client, name, f"{query}&{TRACKING}&page=2")
    hrefs, fields = written_links(html)
    own = [href for href in hrefs if href.startswith("?")]  # written from the page's address
    assert [href for href in own if query.lstrip("?").split("&")[0] in href], name
    for tracking in ("utm_", "fbclid", "gclid"):
        assert not [href for href in hrefs if tracking in href], (name, tracking)
        assert not [field for field in fields if field.startswith(tracking)], (name, tracking)

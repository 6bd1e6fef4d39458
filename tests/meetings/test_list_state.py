"""A page says it is filtered, and offers to clear its filters, only when a filter narrows it:
not on the second page of everything, nor for a tracking parameter or an order."""
import pytest
from django.urls import reverse

from tests.meetings.factories import MeetingFactory
from tests.partners.factories import CountryFactory, OfficialFactory

pytestmark = pytest.mark.django_db

FILTERED = "— 絞り込み中"


def page(client, name, query, *args):
    return client.get(reverse(name, args=args) + query).content.decode()


def test_a_lists_later_page_of_everything_is_not_called_filtered(client):
    au = CountryFactory(code="AU", name_ja="オーストラリア")
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

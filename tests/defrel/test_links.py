"""defrel.links.address is reverse() for every key, route and language, only cheaper."""
import pytest
from django.urls import reverse
from django.utils import translation

from defrel.links import address

ROUTES = ["meetings:meeting-detail", "meetings:agreement-detail", "meetings:exercise-detail",
          "meetings:engagement-detail", "partners:country-detail", "partners:official-detail",
          "partners:office-detail"]
KEYS = ["2024-07-ph-2plus2", "AU", "kihara-minoru", "jp_minister", "a b", "日本", "x/y", "50%", "?q"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_address_is_what_reverse_gives(language):
    with translation.override(language):
        for route in ROUTES:
            for key in KEYS:
                try:
                    expected = reverse(route, args=[key])
                except Exception as error:  # a key the route refuses is refused alike
                    with pytest.raises(type(error)):
                        address(route, key)
                    continue
                assert address(route, key) == expected, (route, key)
    assert address("partners:country-detail", "AU") != address("partners:official-detail", "AU")

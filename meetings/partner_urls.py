"""The pages about partners and their officials, at /partners/… under the "partners" names
(links shared before keep working); their views read meetings too, so they live in this app."""
from django.urls import path

from defrel.links import key_in_any_case
from meetings.feeds import CountryChangesFeed, OfficialChangesFeed
from meetings.views import offices, profiles
from partners.models import Official

app_name = "partners"
urlpatterns = [
    path("countries/", profiles.country_list, name="country-list"),
    path("countries/export.csv", profiles.country_export, name="country-export"),
    path("countries/<str:code>/", profiles.country_detail, name="country-detail"),
    path("countries/<str:code>/feed/", CountryChangesFeed(), name="country-feed"),
    path("officials/", profiles.OfficialList.as_view(), name="official-list"),
    path("officials/export.csv", profiles.official_export, name="official-export"),
    path("officials/<slug:slug>/", profiles.official_detail, name="official-detail"),
    path("offices/", offices.office_list, name="office-list"),
    path("offices/<slug:key>/", offices.office_detail, name="office-detail"),
    # /officials/Kihara-Minoru/feed/, as a reader may type it: the official's one address
    path("officials/<slug:slug>/feed/", key_in_any_case(Official)(OfficialChangesFeed()), name="official-feed"),
]

"""The pages about partners and their officials, at /partners/… under the "partners" names
(links shared before keep working); their views read meetings too, so they live in this app."""
from django.urls import path

from meetings.views import offices, profiles

app_name = "partners"
urlpatterns = [
    path("countries/", profiles.country_list, name="country-list"),
    path("countries/<str:code>/", profiles.country_detail, name="country-detail"),
    path("officials/", profiles.OfficialList.as_view(), name="official-list"),
    path("officials/<slug:slug>/", profiles.official_detail, name="official-detail"),
    path("offices/", offices.office_list, name="office-list"),
    path("offices/<slug:key>/", offices.office_detail, name="office-detail"),
]

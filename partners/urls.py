from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("countries/", views.country_list, name="country-list"),
    path("countries/<str:code>/", views.country_detail, name="country-detail"),
    path("officials/", views.OfficialList.as_view(), name="official-list"),
    path("officials/<slug:slug>/", views.official_detail, name="official-detail"),
]

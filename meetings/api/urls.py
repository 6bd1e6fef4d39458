"""/api/: the JSON lists and records, their OpenAPI description and its documentation page."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from meetings.api import schema, views  # schema: also registers its extension as it loads

app_name = "api"

# SimpleRouter: no ".json" twins of every address (the lists are JSON alone); the index is ApiRoot.
router = SimpleRouter(trailing_slash=True)
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("exercises", views.ExerciseViewSet, basename="exercise")
router.register("engagements", views.EngagementViewSet, basename="engagement")
router.register("countries", views.CountryViewSet, basename="country")
router.register("officials", views.OfficialViewSet, basename="official")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(content_negotiation_class=schema.FormatParameter), name="schema"),
    # Swagger UI's start-up script is fetched as a file of its own (?script): no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(
        url_name="api:schema", template_name="api/swagger_ui.html", template_name_js="api/swagger_ui.js",
    ), name="docs"),
    path("", views.ApiRoot.as_view(), name="root"),
    path("", include(router.urls)),
]

from django.urls import path

from meetings.views import engagements, lists, overview, sources

app_name = "meetings"
urlpatterns = [
    path("", overview.home, name="home"),
    path("timeline/", overview.timeline, name="timeline"),
    path("agreements/matrix/", overview.matrix, name="agreement-matrix"),
    path("meetings/", lists.meeting_list, name="meeting-list"),
    path("meetings/export.csv", lists.meeting_export, name="meeting-export"),
    path("meetings/<slug:key>/", lists.meeting_detail, name="meeting-detail"),
    path("agreements/", lists.agreement_list, name="agreement-list"),
    path("agreements/export.csv", lists.agreement_export, name="agreement-export"),
    path("agreements/<slug:key>/", lists.agreement_detail, name="agreement-detail"),
    path("exercises/", lists.exercise_list, name="exercise-list"),
    path("exercises/export.csv", lists.exercise_export, name="exercise-export"),
    path("exercises/<slug:key>/", lists.exercise_detail, name="exercise-detail"),
    path("engagements/", engagements.engagement_list, name="engagement-list"),
    path("engagements/export.csv", engagements.engagement_export, name="engagement-export"),
    path("engagements/<slug:key>/", engagements.engagement_detail, name="engagement-detail"),
    path("data/", lists.data_dictionary, name="data-dictionary"),
    path("sources/", sources.source_list, name="source-list"),
    path("sources/<slug:key>/", sources.source_detail, name="source-detail"),
]

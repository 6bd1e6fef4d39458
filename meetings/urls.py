from django.urls import path

from meetings.feeds import ChangesFeed
from meetings.views import charts, coverage, data, engagements, lists, matrix, overview, search, sources

app_name = "meetings"
urlpatterns = [
    path("", overview.home, name="home"),
    path("timeline/", overview.timeline, name="timeline"),
    path("charts/", charts.encounter_charts, name="charts"),
    path("search/", search.search, name="search"),
    path("agreements/matrix/", matrix.matrix, name="agreement-matrix"),
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
    path("coverage/", coverage.coverage, name="coverage"),
    path("feed/", ChangesFeed(), name="feed"),
    path("data/releases/latest.zip", data.latest_release, name="release-latest"),
    path("data/<slug:slug>.csv", data.table_csv, name="table-csv"),
    path("data/<slug:slug>.ndjson", data.table_ndjson, name="table-ndjson"),
]

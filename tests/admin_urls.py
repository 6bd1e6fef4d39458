"""The admin alone, so editorial tests do not depend on the public site."""
from django.contrib import admin
from django.urls import include, path

from meetings.views.quality import data_quality

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/quality/", data_quality, name="data-quality"),
    path("admin/", admin.site.urls),
]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings, agreements and exercises")
    curated = True  # its records are published data (defrel.stamp, load_curated)

    def ready(self):
        from meetings import timeline  # noqa: F401 - registers the kinds of timeline entry
        from meetings.models.titles import connect_titles
        from meetings.models.venues import connect_venues

        connect_titles()
        connect_venues()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings, agreements and exercises")

    def ready(self):
        from meetings.models.titles import connect_titles

        connect_titles()

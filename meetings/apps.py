from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings, agreements and exercises")
    curated = True  # its records are published data (defrel.stamp, load_curated)

    def ready(self):
        from meetings import timeline  # noqa: F401 - registers the kinds of timeline entry
        from meetings.models import Meeting
        from meetings.models.titles import connect_titles
        from meetings.models.venues import connect_venues

        connect_titles()
        connect_venues(Meeting)
        register_search()


def register_search():
    """The search documents of meetings, agreements, exercises and engagements (defrel.search)."""
    from defrel.search_index import register
    from meetings.models import Agreement, Engagement, Exercise, Meeting

    for model in (Meeting, Agreement, Exercise, Engagement):
        register(model, model.objects.get_queryset().search_fields)

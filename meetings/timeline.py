"""The kinds of record this app puts on the timeline, each registered once: a kind added here
(with its partial) shows on the timeline, the country pages and the official pages."""
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from defrel.timeline import Kind, register
from meetings.models import AgreementEvent, Engagement, Exercise, Meeting


def attended_by(meetings, official):
    """The official's meetings."""
    # By slug, as the meetings list filters: PostgreSQL then starts from the official's
    # participations instead of walking every meeting newest first (0.14 s instead of 0.55
    # at 100,000 meetings, for an official of 10,000 of them).
    return meetings.with_official(official.slug)


def with_roles_of(meetings, official):
    """Meetings, each with the official's own participations (``roles_of_official``), with the
    office each stores as held that day."""
    # Through the official's own manager each participation's .official is this very object.
    return meetings.prefetch_related(Prefetch(
        "participations", queryset=official.participations.select_related("position"), to_attr="roles_of_official"))


register(Kind(
    "meeting", _("meetings"), "meetings/entries/_meeting.html",
    records=lambda: Meeting.objects.prefetch_related("countries"),
    country=lambda meetings, country: meetings.filter(countries=country),
    official=attended_by,
    official_part=with_roles_of,
))
register(Kind(
    "milestone", _("agreement milestones"), "meetings/entries/_milestone.html",
    records=lambda: AgreementEvent.objects.select_related("agreement").prefetch_related("agreement__parties"),
    country=lambda milestones, country: milestones.filter(agreement__parties=country),
))
register(Kind(
    "exercise", _("exercises"), "meetings/entries/_exercise.html",
    records=lambda: Exercise.objects.prefetch_related("countries"),
    country=lambda exercises, country: exercises.filter(countries=country),
))
register(Kind(
    "engagement", _("engagements"), "meetings/entries/_engagement.html",
    # An undated engagement has no place in a chronology: the country and official pages
    # list those apart (Engagement.objects.undated()).
    records=lambda: Engagement.objects.prefetch_related("countries"),
    country=lambda engagements, country: engagements.filter(countries=country),
    official=lambda engagements, official: engagements.filter(officials=official),
))

"""The kinds of record this app puts on the timeline, each registered once: a kind added here
(with the function that draws its entry) shows on the timeline, the country pages and the
official pages."""
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from defrel.links import escaped
from defrel.models import colon, noted, spaced
from defrel.timeline import Kind, register
from meetings.models import AgreementEvent, Engagement, Exercise, Meeting
from meetings.templatetags.record_links import names

WHAT = ('<span class="kind kind-{}">{}</span>\n'
        '  <span class="what"><a href="{}">{}</a>{}\n'
        '    <span class="who">{}</span></span>')


def what(kind, label, linked, title, after="", who=()):
    """An entry after its date: its kind, its ``title`` linked to the record ``linked``, then
    ``after`` and the ``who`` parts (HTML, escaped by the caller), " · " between them."""
    return WHAT.format(kind, escaped(label), escaped(linked.get_absolute_url()), escaped(str(title)), after,
                       " · ".join(who))


def meeting_drawn(meeting):
    encounters = "" if meeting.count <= 1 else '{}<span class="muted">{}</span>'.format(spaced(), escaped(ngettext(
        "(%(n)s encounter)", "(%(n)s encounters)", meeting.count) % {"n": localize(meeting.count)}))
    level = meeting.get_level_display()
    roles = [escaped(str(p.title or "—")) + (noted(escaped(p.get_role_display())) if p.role == "accompanying" else "")
             for p in meeting.official_roles]
    return what("meeting", gettext("Meeting"), meeting, meeting.title, encounters,
                [names(meeting.partners), *([escaped(level)] if level else []), *roles])


def milestone_drawn(milestone):
    agreement = milestone.agreement
    short = noted(escaped(agreement.short_name))
    return what("milestone", gettext("Agreement"), agreement, agreement.title,
                f"{short}{colon()}{escaped(milestone.get_kind_display())}", [names(agreement.parties.all(), "JP")])


def exercise_drawn(exercise):
    return what("exercise", gettext("Exercise"), exercise, exercise.name, who=[names(exercise.partners)])


def engagement_drawn(engagement):
    planned = (" " + render_to_string("meetings/includes/_planned.html", {"engagement": engagement}).strip()
               if engagement.status == "planned" else "")
    side = [escaped(engagement.japan_side)] if engagement.japan_side else []
    return what("engagement", gettext("Engagement"), engagement, engagement.title, planned,
                [escaped(engagement.get_kind_display()), names(engagement.partners), *side])


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
    "meeting", _("meetings"), meeting_drawn,
    records=lambda: Meeting.objects.for_list(),  # an entry shows what a list row does
    country=lambda meetings, country: meetings.filter(countries=country),
    official=attended_by,
    official_part=with_roles_of,
))
register(Kind(
    "milestone", _("agreement milestones"), milestone_drawn,
    records=lambda: AgreementEvent.objects.select_related("agreement").prefetch_related("agreement__parties"),
    country=lambda milestones, country: milestones.filter(agreement__parties=country),
))
register(Kind(
    "exercise", _("exercises"), exercise_drawn,
    records=lambda: Exercise.objects.for_list(),
    country=lambda exercises, country: exercises.filter(countries=country),
))
register(Kind(
    "engagement", _("engagements"), engagement_drawn,
    # An undated engagement has no place in a chronology: the country and official pages
    # list those apart (Engagement.objects.undated()).
    records=lambda: Engagement.objects.for_list(),
    country=lambda engagements, country: engagements.filter(countries=country),
    official=lambda engagements, official: engagements.filter(officials=official),
))

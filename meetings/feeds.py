"""Atom feeds of new and changed records: all of them, a partner's, an official's.

A record's times come from its history (django-simple-history): it was published when its
first historical row was written and updated when its latest was, its inline rows included
(a participant of a meeting, a milestone of an agreement), so a change puts the record at the
top of every feed that lists it. The queries per feed are a fixed number whatever the number
of records: the newest history rows are read through their ``history_date`` index.
"""
from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Min
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from meetings.models import Agreement, AgreementEvent, Engagement, Exercise, Meeting, Participation
from partners.models import Country, Official

ENTRIES = 50
HISTORY_CHUNK = 4 * ENTRIES  # history rows read at a time: most records have one or two


@dataclass(frozen=True)
class Kind:
    """One kind of record in the feeds: which of them belong to a partner or an official,
    and the inline rows whose changes are its changes."""

    model: type
    label: str
    country: str | None  # the lookup from the record to its partners
    official: str | None  # … and to its officials; None: never in an official's feed
    inline: tuple = ()  # (inline model, its field naming the record)


KINDS = (
    Kind(Meeting, _("Meeting"), "countries", "participations__official", ((Participation, "meeting_id"),)),
    Kind(Agreement, _("Agreement"), "parties", None, ((AgreementEvent, "agreement_id"),)),
    Kind(Exercise, _("Exercise"), "countries", None),
    Kind(Engagement, _("Engagement"), "countries", "officials"),
)


@dataclass
class Change:
    record: object
    kind: Kind
    published: datetime
    updated: datetime


def latest_times(rows, limit):
    """{record id: its latest history time} for the ``limit`` records changed last, from
    ``rows`` ((id, time) pairs of history, newest first), read a chunk at a time so that a
    record edited a hundred times cannot hide the others."""
    latest, start = {}, 0
    while len(latest) < limit:
        chunk = list(rows[start:start + HISTORY_CHUNK])
        for record_id, when in chunk:
            latest.setdefault(record_id, when)
        if len(chunk) < HISTORY_CHUNK:
            break
        start += HISTORY_CHUNK
    return latest


def changes(*, country=None, official=None, limit=ENTRIES):
    """The ``limit`` records changed last, newest first: all, or those of one partner or
    one official as they are now."""
    found = []
    for kind in KINDS:
        scope = kind.model.objects.all()
        if country is not None:
            scope = scope.filter(**{kind.country: country})
        if official is not None:
            if kind.official is None:
                continue
            scope = scope.filter(**{kind.official: official})
        ids = scope.values("pk")
        streams = [(kind.model.history.filter(id__in=ids), "id")]
        streams += [(inline.history.filter(**{f"{field}__in": ids}), field) for inline, field in kind.inline]
        updated = {}
        for history, field in streams:
            rows = history.order_by("-history_date").values_list(field, "history_date")
            for record_id, when in latest_times(rows, limit).items():
                if record_id is not None and (record_id not in updated or when > updated[record_id]):
                    updated[record_id] = when
        newest = sorted(updated, key=updated.get, reverse=True)[:limit]
        first = dict(kind.model.history.filter(id__in=newest).values("id").annotate(at=Min("history_date"))
                     .values_list("id", "at"))
        for record in kind.model.objects.filter(pk__in=newest):  # a deleted record is left out
            found.append(Change(record, kind, first.get(record.pk, updated[record.pk]), updated[record.pk]))
    found.sort(key=lambda change: change.updated, reverse=True)
    return found[:limit]


class ChangesFeed(Feed):
    """New and changed records of the whole database."""

    feed_type = Atom1Feed

    def title(self, obj=None):
        return _("defrel: new and changed records")

    def subtitle(self, obj=None):
        return _("Meetings, agreements, exercises and engagements of Japan's defence relations, "
                 "newest change first.")

    def link(self, obj=None):
        return obj.get_absolute_url() if obj is not None else reverse("meetings:home")

    def items(self, obj=None):
        return changes()

    def item_title(self, item):
        name = getattr(item.record, "title", None) or item.record.name
        when = getattr(item.record, "date_display", "")  # an agreement's dates are its milestones'
        return f"{item.kind.label}: {name}" + (f" ({when})" if when else "")

    def item_description(self, item):
        return item.record.summary

    def item_link(self, item):
        return item.record.get_absolute_url()

    def item_pubdate(self, item):
        return item.published

    def item_updateddate(self, item):
        return item.updated


class CountryChangesFeed(ChangesFeed):
    """New and changed records with one partner."""

    def get_object(self, request, code):
        return get_object_or_404(Country, code=code)

    def title(self, obj):
        return _("defrel: new and changed records with %(name)s") % {"name": obj.name}

    def items(self, obj):
        return changes(country=obj)


class OfficialChangesFeed(ChangesFeed):
    """New and changed records of one official."""

    def get_object(self, request, slug):
        return get_object_or_404(Official, slug=slug)

    def title(self, obj):
        return _("defrel: new and changed records of %(name)s") % {"name": obj.name}

    def items(self, obj):
        return changes(official=obj)

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
from django.db.models import Exists, Min, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from defrel.kept import cached
from defrel.stamp import token
from meetings.models import Agreement, AgreementEvent, Engagement, Exercise, Meeting, Participation
from meetings.views.profiles import recased
from partners.models import Country, Official

ENTRIES = 50
HISTORY_CHUNK = 4 * ENTRIES  # history rows read at a time: most records have one or two
SMALL_SCOPE = 1000  # records whose ids a query names one by one (in_scope)


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


def in_scope(records, ids, field):
    """A condition on history rows: their ``field`` names one of ``records`` (``ids``: the
    first SMALL_SCOPE + 1 of their ids).

    Not "IN (SELECT …)": with it, SQLite and PostgreSQL read every history row and sort them
    all (2 s at 100,000 meetings). A few records' ids go in as a list (their history rows are
    read by the id index); for many records (a partner with 15,000 meetings), a list that long
    costs Django a second to bind, and the newest history rows come off the history_date index
    checked one by one (EXISTS), which finds enough of them soon since they are so many."""
    if len(ids) <= SMALL_SCOPE:
        return Q(**{f"{field}__in": ids})
    return Exists(records.filter(pk=OuterRef(field)))


def change_times(*, country=None, official=None, limit=ENTRIES):
    """[(kind index, record id, published, updated)] of the ``limit`` records changed last,
    newest first: all, or those of one partner or one official as they are now."""
    found = []
    for index, kind in enumerate(KINDS):
        if official is not None and kind.official is None:
            continue
        streams = [(kind.model.history.all(), "id")] + [(inline.history.all(), field) for inline, field in kind.inline]
        if country is not None or official is not None:
            lookup = {kind.country: country} if country is not None else {kind.official: official}
            records = kind.model.objects.filter(**lookup).order_by()
            ids = list(records.values_list("pk", flat=True).distinct()[:SMALL_SCOPE + 1])
            streams = [(history.filter(in_scope(records, ids, field)), field) for history, field in streams]
        updated = {}
        for history, field in streams:
            rows = history.order_by("-history_date").values_list(field, "history_date")
            for record_id, when in latest_times(rows, limit).items():
                if record_id is not None and (record_id not in updated or when > updated[record_id]):
                    updated[record_id] = when
        newest = sorted(updated, key=updated.get, reverse=True)[:limit]
        first = dict(kind.model.history.filter(id__in=newest).values("id").annotate(at=Min("history_date"))
                     .values_list("id", "at"))
        found += [(index, pk, first.get(pk, updated[pk]), updated[pk]) for pk in newest]
    found.sort(key=lambda change: change[3], reverse=True)
    return found[:limit]


def changes(*, country=None, official=None, limit=ENTRIES):
    """The records changed last, as Changes, newest first. Their times are kept until the data
    changes (defrel.stamp): finding them walks the history, the records are then read by id.
    Unscoped, the newest history rows come off the history_date index; a record deleted since
    is left out here, its feed one entry shorter."""
    key = f"feed:{getattr(country, 'pk', '')}:{getattr(official, 'pk', '')}:{limit}"
    times = cached(key, lambda: change_times(country=country, official=official, limit=limit), token())
    found = []
    for index, kind in enumerate(KINDS):
        mine = {pk: (published, updated) for i, pk, published, updated in times if i == index}
        if mine:
            found += [Change(record, kind, *mine[record.pk]) for record in kind.model.objects.filter(pk__in=mine)]
    found.sort(key=lambda change: change.updated, reverse=True)
    return found


class ChangesFeed(Feed):
    """New and changed records of the whole database."""

    feed_type = Atom1Feed
    # Atom requires an author of the feed when its entries name none (RFC 4287 4.1.1): the
    # site, whose editors the records do not name.
    author_name = "defrel"

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
        if when:
            return _("%(kind)s: %(name)s (%(when)s)") % {"kind": item.kind.label, "name": name, "when": when}
        return _("%(kind)s: %(name)s") % {"kind": item.kind.label, "name": name}

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

    def __call__(self, request, code):
        # /partners/countries/au/feed/, as a reader may type it: the country page's one address
        return recased(request, code, "partners:country-feed") or super().__call__(request, code=code)

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

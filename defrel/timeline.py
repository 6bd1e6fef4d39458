"""The timeline: one chronological stream out of any dated records, grouped by year and month
as precisely as each record's date allows, and :func:`entries`, the one selector the timeline,
the country and the official pages read it through.

Each kind of record is registered once, by the app that owns it (:func:`register`): its
records, how one entry is drawn, its label. A kind registered there appears on every page
that reads :func:`entries`; an entry of a kind nobody registered is an error.

Entries are drawn by :func:`drawn`, a page's worth in one call, each kind's record by its
``draw`` function, not by an included template each: a timeline page's 200 entries in 16 ms
instead of 50 (bench/NOTES.md, "Timeline entries drawn in one call"), as a list page's links
are drawn (meetings.templatetags.record_links).
"""
import heapq
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from typing import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Max, Min
from django.utils.safestring import mark_safe

from defrel.links import escaped

CHRONOLOGICAL = ("date_lower", "date_upper", "pk")  # the order merge() expects of each stream


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # plural, as the pages' "Show" choice reads
    # (record) -> what follows the entry's date, as safe HTML: every text in it escaped
    draw: Callable
    records: Callable  # () -> the records (a DatedQuerySet), with what its entry shows
    country: Callable | None = None  # (records, country) -> those with that partner
    official: Callable | None = None  # (records, official) -> those the official took part in
    # (records, official) -> the same records with what its entry shows of the official's
    # own part (their role and office at a meeting)
    official_part: Callable | None = None


KINDS = {}


def register(kind):
    if kind.name in KINDS:
        raise ImproperlyConfigured(f"The timeline kind {kind.name!r} is registered twice.")
    KINDS[kind.name] = kind
    return kind


def kind_of(name):
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"No kind of timeline entry {name!r} is registered.") from None


@dataclass(frozen=True)
class Entry:
    kind: str  # the name of a registered Kind
    record: object

    @property
    def dates(self):
        return self.record.dates

    @property
    def sort_key(self):
        r = self.record
        return (r.date_lower, r.date_upper or r.date_lower, self.kind, r.pk)

    @property
    def year(self):
        return self.record.date_lower.year

    @property
    def month(self):
        """The month it belongs to, or None when the source gives only a year."""
        start = self.dates.start
        return self.record.date_lower.month if start.precision in ("day", "month") else None


def merge(*streams, kinds=None, reverse=False):
    """Merge ``(kind, records)`` streams, each already sorted by ``date_lower`` ascending,
    into one sorted list of entries without re-sorting the inputs."""
    def tagged(kind, records):
        return (Entry(kind, record) for record in records)

    chosen = [tagged(kind, records) for kind, records in streams if kinds is None or kind in kinds]
    merged = list(heapq.merge(*chosen, key=lambda e: e.sort_key))
    return merged[::-1] if reverse else merged


ENTRY = '<li class="entry entry-{}">\n  <span class="date">{}</span>\n  {}\n</li>\n'


def drawn(entries):
    """The entries as the items of an ``<ol class="entries">``: each its date, then its record
    as its kind draws it."""
    return mark_safe("".join(ENTRY.format(entry.kind, escaped(str(entry.record.date_display)),
                                          kind_of(entry.kind).draw(entry.record)) for entry in entries))


def by_year_and_month(entries, newest_first=False):
    """[(year, [(month or None, [entries])])]: each month's entries together even where a
    year-only entry (dated 1 January at the earliest) falls among January's; a year's
    "month not given" group comes before its months, or after them when newest first.
    An entry sits under the year and month it began in."""
    entries = sorted(entries, key=lambda e: (e.year, e.month or 0), reverse=newest_first)
    return [
        (year, [(month, list(items)) for month, items in groupby(year_items, key=lambda e: e.month)])
        for year, year_items in groupby(entries, key=lambda e: e.year)
    ]


def entries(*, country=None, official=None, kinds=None, year=None):
    """The records of ``kinds`` (names; every registered kind by default) with ``country``
    as a partner, that ``official`` took part in, and in ``year`` (DatedQuerySet.in_period),
    newest first. A kind that cannot name a country (an official) has none when one is asked."""
    chosen = [kind_of(name) for name in kinds] if kinds is not None else list(KINDS.values())
    streams, shown = {}, {}
    for kind in sorted(chosen, key=list(KINDS.values()).index):
        # Only a dated record has a place in a chronology; the undated are listed on their
        # partners' pages.
        records = kind.records().dated()
        narrowed = [(value, narrow) for value, narrow in ((country, kind.country), (official, kind.official))
                    if value is not None]
        if any(narrow is None for _value, narrow in narrowed):
            continue
        for value, narrow in narrowed:
            records = narrow(records, value)
        base = kind.records()
        if official is not None and kind.official_part:
            records, base = kind.official_part(records, official), kind.official_part(base, official)
        streams[kind.name] = records.order_by(*CHRONOLOGICAL)
        shown[kind.name] = base.order_by(*CHRONOLOGICAL)
    return Entries(streams, year, shown)


class Entries:
    """The chosen records, newest first: ``count()`` counts them, ``years`` spans them and a
    slice reads only the records it shows (see newest()), so deep history is never fetched for
    the first pages. At most a fixed number of queries a kind, whatever the number of rows."""

    def __init__(self, streams, year, shown):
        # shown: each kind's records as their entries show them, unfiltered, for a slice read
        # by ids (newest()).
        self.streams, self.year, self.shown = streams, year, shown

    @cached_property
    def extent(self):
        """(first year, last year, records in the year chosen): one aggregate query a kind
        (it reads every row: the timeline keeps it under the data stamp). The years span
        every year any record counts in, whatever the year chosen."""
        first, last, total = None, None, 0
        for records in self.streams.values():
            counted = Count("pk", filter=records.period(self.year)) if self.year else Count("pk")
            row = records.order_by().aggregate(
                first=Min("date_lower"), lower=Max("date_lower"), upper=Max("date_upper"), n=counted)
            if row["first"]:
                ends = [d.year for d in (row["lower"], row["upper"]) if d]
                first = min(first or row["first"].year, row["first"].year)
                last = max(last or 0, *ends)
                total += row["n"]
        return first, last, total

    def in_year(self, records):
        return records.in_period(self.year) if self.year else records

    def count(self):
        """How many records: read off the extent when it was asked for, else one plain
        count a kind (cheaper than the extent's aggregate on a partner's rows)."""
        if "extent" in self.__dict__:
            return self.extent[2]
        return sum(self.in_year(records).count() for records in self.streams.values())

    @property
    def years(self):
        """Every year from the last any record counts in to the first, newest first."""
        first, last, _n = self.extent
        return range(last, first - 1, -1) if first else range(0)

    def __getitem__(self, index):
        if not isinstance(index, slice) or (index.step or 1) != 1 or (index.start or 0) < 0:
            raise TypeError("Entries are read by slices, newest first: entries[:10].")
        start, stop = index.start or 0, index.stop
        if stop is None:
            return merge(*((kind, self.in_year(records)) for kind, records in self.streams.items()),
                         reverse=True)[start:]
        return merge(*self.newest(start, stop), reverse=True)

    def newest(self, start, stop):
        """[(kind, records)] of the records from the ``start``-th to the ``stop``-th newest of
        all kinds together, each kind's chronological. The dates of each kind's ``stop`` newest
        are read first (a query a kind), and then the records of the slice alone, with what
        their entries show. Reading each kind's ``stop`` newest whole made and prefetched four
        times the records a profile shows, and 8,000 for the 200 of the timeline's deepest
        page: at 100,000 meetings, the busiest partner's 300 newest in 48 ms instead of 105 on
        SQLite, that page in 36 instead of 770 (bench/NOTES.md, "The newest of a timeline")."""
        keys = []
        for kind, records in self.streams.items():
            newest = self.in_year(records).prefetch_related(None).reverse()[:stop]
            keys += [(lower, upper or lower, kind, pk) for lower, upper, pk in newest.values_list(*CHRONOLOGICAL)]
        chosen = {}
        for _lower, _upper, kind, pk in heapq.nlargest(stop, keys)[start:]:
            chosen.setdefault(kind, []).append(pk)
        # The slice's records by their ids alone: the stream's own filters (an official's
        # participations) would be joined again for nothing, and PostgreSQL then matched each
        # of the busiest official's 10,136 meetings against the 300 ids (0.4 s instead of 5 ms).
        return [(kind, self.shown[kind].filter(pk__in=chosen[kind])) for kind in self.streams if kind in chosen]

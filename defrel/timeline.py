"""One chronological stream out of any dated records (meetings, agreement milestones,
exercises), grouped by year and month as precisely as each record's date allows."""
import heapq
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True)
class Entry:
    kind: str  # "meeting", "milestone" or "exercise"
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


def by_year_and_month(entries, newest_first=False):
    """[(year, [(month or None, [entries])])]: each month's entries together even where a
    year-only entry (dated 1 January at the earliest) falls among January's; a year's
    "month not given" group comes before its months, or after them when newest first."""
    entries = sorted(entries, key=lambda e: (e.year, e.month or 0), reverse=newest_first)
    return [
        (year, [(month, list(items)) for month, items in groupby(year_items, key=lambda e: e.month)])
        for year, year_items in groupby(entries, key=lambda e: e.year)
    ]

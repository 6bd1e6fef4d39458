"""Partial dates as the documents give them, stored as a small, strict subset of EDTF.

Accepted: a day (2024-05-17), a month (2024-05), a year (2024), a closed interval of those
(2024-09/2024-10), an open end (2024-04/.., "since April 2024") and an unknown end
(/2024-05 or 2022-05/, for tenures whose start or end the record does not give).
Each end is parsed by the ``edtf`` package; the whitelist keeps out what it would also
accept (seasons such as 2024-21, qualifiers, reversed intervals).
"""
import calendar
import datetime
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from edtf import parse_edtf, struct_time_to_date
from edtf.parser.edtf_exceptions import EDTFParseException
from edtf.parser.parser_classes import Date

OPEN = ".."
UNKNOWN = ""
PRECISIONS = ("day", "month", "year")
ENGLISH_MONTHS = list(calendar.month_name)


@dataclass(frozen=True)
class End:
    """One end of a partial date: a day, month or year, or open / unknown."""

    text: str
    date: Date | None = None

    @property
    def is_open(self):
        return self.text == OPEN

    @property
    def is_unknown(self):
        return self.text == UNKNOWN

    @property
    def precision(self):
        return self.date.precision if self.date else None

    @property
    def lower(self):
        return struct_time_to_date(self.date.lower_strict()) if self.date else None

    @property
    def upper(self):
        return struct_time_to_date(self.date.upper_strict()) if self.date else None

    def label(self, lang):
        d = self.date
        if d is None:
            return ""
        year, month, day = int(d.year), d.month and int(d.month), d.day and int(d.day)
        if lang == "ja":
            return f"{year}年" + (f"{month}月" if month else "") + (f"{day}日" if day else "")
        if self.precision == "day":
            return f"{day} {ENGLISH_MONTHS[month]} {year}"
        if self.precision == "month":
            return f"{ENGLISH_MONTHS[month]} {year}"
        return str(year)


def _end(text, *, allow_open, allow_unknown, whole):
    if text == OPEN and allow_open:
        return End(OPEN)
    if text == UNKNOWN and allow_unknown:
        return End(UNKNOWN)
    try:
        parsed = parse_edtf(text)
    except (EDTFParseException, ValueError, TypeError):
        parsed = None
    if type(parsed) is Date and parsed.precision in PRECISIONS:
        try:  # year 0 and negative years parse, but have no place in the calendar
            parsed.lower_strict(), struct_time_to_date(parsed.upper_strict())
            struct_time_to_date(parsed.lower_strict())
        except (ValueError, OverflowError, TypeError):
            parsed = None
    if type(parsed) is not Date or parsed.precision not in PRECISIONS:
        raise ValidationError(
            _("“%(value)s” is not a date. Write a day (2024-05-17), a month (2024-05), "
              "a year (2024), an interval (2024-09/2024-10) or an open end (2024-04/..)."),
            code="invalid_date",
            params={"value": whole},
        )
    return End(text, parsed)


@dataclass(frozen=True)
class PartialDate:
    """A date as precise as its source: a single day/month/year or an interval."""

    text: str
    start: End
    end: End | None = None  # None: a single date, not an interval

    @classmethod
    def parse(cls, text, *, allow_unknown_start=False):
        text = (text or "").strip()
        if not text:
            raise ValidationError(_("Enter a date."), code="required")
        if "/" not in text:
            return cls(text, _end(text, allow_open=False, allow_unknown=False, whole=text))
        left, sep, right = text.partition("/")
        if "/" in right:
            raise ValidationError(_("“%(value)s” has more than one “/”."),
                                  code="invalid_date", params={"value": text})
        start = _end(left, allow_open=False, allow_unknown=allow_unknown_start, whole=text)
        end = _end(right, allow_open=True, allow_unknown=True, whole=text)
        if start.is_unknown and (end.is_unknown or end.is_open):
            raise ValidationError(_("“%(value)s” gives neither a start nor an end."),
                                  code="invalid_date", params={"value": text})
        if start.date and end.date and start.lower > end.upper:
            raise ValidationError(_("“%(value)s” ends before it starts."),
                                  code="reversed_interval", params={"value": text})
        return cls(text, start, end)

    @property
    def lower(self) -> datetime.date | None:
        """The earliest day it can mean; None when the start is unknown."""
        return self.start.lower

    @property
    def upper(self) -> datetime.date | None:
        """The latest day it can mean; None when the end is open or unknown."""
        if self.end is None:
            return self.start.upper
        return self.end.upper

    @property
    def precision(self):
        return self.start.precision or (self.end and self.end.precision)

    def display(self, lang=None):
        lang = (lang or get_language() or "ja")[:2]
        if self.end is None:
            return self.start.label(lang)
        if self.end.is_open:
            since = self.start.label(lang)
            return f"{since}以降" if lang == "ja" else f"since {since}"
        if self.start.is_unknown:
            until = self.end.label(lang)
            return f"～{until}" if lang == "ja" else f"until {until}"
        if self.end.is_unknown:
            start = self.start.label(lang)
            return f"{start}～" if lang == "ja" else f"from {start}"
        return self._span(lang)

    def _span(self, lang):
        a, b = self.start, self.end
        same_year = a.date.year == b.date.year
        if lang == "ja":
            right = b.label("ja")
            if same_year and a.precision != "year" and b.precision != "year":
                right = right.removeprefix(f"{int(b.date.year)}年")
            return f"{a.label('ja')}～{right}"
        if same_year and a.precision == "month" and b.precision == "month":
            return f"{ENGLISH_MONTHS[int(a.date.month)]}–{b.label('en')}"
        return f"{a.label('en')} – {b.label('en')}"

    def __str__(self):
        return self.display()


@functools.lru_cache(maxsize=8192)
def parse(text, **kwargs):
    """Cached: the edtf parser takes milliseconds a string, a page shows hundreds of dates
    and most of them repeat (2024-05). PartialDate is immutable, so sharing one is safe."""
    return PartialDate.parse(text, **kwargs)


def parse_day(text):
    """A full ISO day for "as of" questions (?as_of=2019-12-01); ValidationError otherwise."""
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a day such as 2019-12-01."),
                              code="invalid_day", params={"value": text}) from None

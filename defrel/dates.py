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
import re
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


def span(day, precision):
    """The first and last day of the day, month or year that ``day`` falls in."""
    if precision == "day":
        return day, day
    if precision == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)


# The shape of an end that was validated when it was saved: 2024, 2024-05, 2024-05-17.
PRECISION_OF_LENGTH = {4: "year", 7: "month", 10: "day"}
# The same shape in text being parsed: read without edtf, which takes milliseconds an end.
PLAIN_END = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")
# The accepted forms' shape as one pattern, for those who read the files (the release's Table
# Schema); the calendar and edtf checks below are what decides.
_END = "[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?"
FORMS_PATTERN = rf"(?:{_END}(?:/(?:{_END}|\.\.)?)?|/{_END})"


@dataclass(frozen=True)
class End:
    """One end of a partial date: a day, month or year (its first and last day), or open /
    unknown."""

    text: str
    precision: str | None = None
    lower: datetime.date | None = None
    upper: datetime.date | None = None

    @property
    def is_open(self):
        return self.text == OPEN

    @property
    def is_unknown(self):
        return self.text == UNKNOWN

    def label(self, lang):
        if self.lower is None:
            return ""
        year, month, day = self.lower.year, self.lower.month, self.lower.day
        if lang == "ja":
            return f"{year}年" + (f"{month}月" if self.precision != "year" else "") + (
                f"{day}日" if self.precision == "day" else "")
        if self.precision == "day":
            return f"{day} {ENGLISH_MONTHS[month]} {year}"
        if self.precision == "month":
            return f"{ENGLISH_MONTHS[month]} {year}"
        return str(year)

    @classmethod
    def saved(cls, text, day):
        """An end read back from a saved record: its text and one day it contains."""
        if text in (OPEN, UNKNOWN) or day is None:
            return cls(text)
        precision = PRECISION_OF_LENGTH[len(text)]
        return cls(text, precision, *span(day, precision))


def not_a_date(text):
    """The refusal of a text that has none of the accepted forms, naming them."""
    return ValidationError(
        _("“%(value)s” is not a date. Write a day (2024-05-17), a month (2024-05), "
          "a year (2024), an interval (2024-09/2024-10) or an open end (2024-04/..)."),
        code="invalid_date",
        params={"value": text},
    )


def _end(text, *, allow_open, allow_unknown, whole):
    if text == OPEN and allow_open:
        return End(OPEN)
    if text == UNKNOWN and allow_unknown:
        return End(UNKNOWN)
    plain = PLAIN_END.match(text)
    if plain and plain.group(1) != "0000":
        year, month, day = plain.groups()
        try:
            first = datetime.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            pass  # 2024-21 (a season to edtf), 2024-02-30: edtf below words the refusal
        else:
            precision = "day" if day else ("month" if month else "year")
            return End(text, precision, *span(first, precision))
    try:
        parsed = parse_edtf(text)
    # AttributeError: edtf 5.0 fails inside its own classes on some texts ("0000-0X").
    except (EDTFParseException, ValueError, TypeError, AttributeError):
        parsed = None
    if type(parsed) is Date and parsed.precision in PRECISIONS:
        try:  # year 0 and negative years parse, but have no place in the calendar
            parsed.lower_strict(), struct_time_to_date(parsed.upper_strict())
            struct_time_to_date(parsed.lower_strict())
        except (ValueError, OverflowError, TypeError):
            parsed = None
    if type(parsed) is not Date or parsed.precision not in PRECISIONS:
        raise not_a_date(whole)
    day = struct_time_to_date(parsed.lower_strict())
    return End(text, parsed.precision, *span(day, parsed.precision))


@dataclass(frozen=True)
class PartialDate:
    """A date as precise as its source: a single day/month/year or an interval."""

    text: str
    start: End
    end: End | None = None  # None: a single date, not an interval

    @classmethod
    def saved(cls, text, lower, upper):
        """A date read back from a record whose text was validated and whose bounds were
        derived when it was saved: no parsing, so a page of thousands of dates stays fast."""
        if "/" not in text:
            return cls(text, End.saved(text, lower))
        left, _, right = text.partition("/")
        return cls(text, End.saved(left, lower), End.saved(right, upper))

    @classmethod
    def parse(cls, text, *, allow_unknown_start=False):
        text = (text or "").strip()
        if not text:
            raise ValidationError(_("Enter a date."), code="required")
        if "/" not in text:
            return cls(text, _end(text, allow_open=False, allow_unknown=False, whole=text))
        left, sep, right = text.partition("/")
        if "/" in right:  # 2024/05/17, as Japanese dates are often written
            raise not_a_date(text)
        start = _end(left, allow_open=False, allow_unknown=allow_unknown_start, whole=text)
        end = _end(right, allow_open=True, allow_unknown=True, whole=text)
        if start.is_unknown and (end.is_unknown or end.is_open):
            raise ValidationError(_("“%(value)s” gives neither a start nor an end."),
                                  code="invalid_date", params={"value": text})
        if start.lower and end.upper and start.lower > end.upper:
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
        same_year = a.lower.year == b.lower.year
        same_month = same_year and a.precision == b.precision == "day" and a.lower.month == b.lower.month
        if lang == "ja":
            # As the documents write a range: 2024年7月28日～8月1日, and 8月16日～20日
            # within one month.
            right = b.label("ja")
            if same_month:
                right = f"{b.lower.day}日"
            elif same_year and a.precision != "year" and b.precision != "year":
                right = right.removeprefix(f"{b.lower.year}年")
            return f"{a.label('ja')}～{right}"
        if not same_year or "year" in (a.precision, b.precision):
            return f"{a.label('en')} – {b.label('en')}"
        # As the Japanese, the year once at the end (24 February – 7 March 2025), and the
        # month once too within one month (3–5 March 2025).
        right = b.label("en")
        if same_month:
            return f"{a.lower.day}–{right}"
        left = a.label("en").removesuffix(f" {a.lower.year}")
        # Spaced between words (24 February – March), close between single ones (May–June).
        dash = " – " if " " in left or b.precision == "day" else "–"
        return f"{left}{dash}{right}"

    def __str__(self):
        return self.display()


@functools.lru_cache(maxsize=8192)
def parse(text, **kwargs):
    """Cached: the edtf parser takes milliseconds a string, a page shows hundreds of dates
    and most of them repeat (2024-05). PartialDate is immutable, so sharing one is safe."""
    return PartialDate.parse(text, **kwargs)


def day_display(day):
    """A day (datetime.date) as every date of the site reads: 2024年5月17日, 17 May 2024."""
    return parse(day.isoformat()).display()


def parse_day(text):
    """A full ISO day for "as of" questions (?as_of=2019-12-01); ValidationError otherwise."""
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a day such as 2019-12-01."),
                              code="invalid_day", params={"value": text}) from None

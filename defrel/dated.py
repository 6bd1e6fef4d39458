"""Partial dates on records: the abstract Dated model (an EDTF string with the bounds derived
from it), the one meaning of "in year Y" (DatedQuerySet), and the constraints every dated
table shares. Kept apart from defrel.models, which re-exports them for the apps."""
import calendar
import contextlib
import contextvars
from collections import Counter
from datetime import date

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from defrel import dates


class Year(ExtractYear):
    """ExtractYear, except that SQLite reads the year off the stored ISO text instead of
    calling Django's Python date function once per row (about 3× faster at 100,000 rows)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(substr({sql}, 1, 4) AS integer)", params


def dated_constraints(prefix):
    """Bounds that are known are ordered; shared by every dated model."""
    return [
        models.CheckConstraint(
            condition=Q(date_lower__isnull=True)
            | Q(date_upper__isnull=True)
            | Q(date_lower__lte=F("date_upper")),
            name=f"{prefix}_dates_ordered",
        ),
    ]


def undated_allowed(prefix):
    """For a Dated model with ``allow_undated``: its ``date`` field, blank when the text gives
    the record no date of its own, and the constraint that a dated one has a known start."""
    field = models.CharField(
        _("date"), max_length=40, blank=True,
        help_text=_("EDTF: 2024-05-17, 2024-05, 2024, 2024-09/2024-10, 2024-04/.. (since); "
                    "blank when the text gives the activity no date of its own."),
    )
    starts = models.CheckConstraint(condition=Q(date="") | Q(date_lower__isnull=False),
                                    name=f"{prefix}_has_start")
    return field, starts


class YearField(forms.IntegerField):
    """A year asked for in a filter (?year=, the public lists' and the admin's): one of the
    years the records may be in, so that DatedQuerySet.period() is never handed a year no
    date has (0, 99999)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1900, max_value=2100, **kwargs)


class DatedQuerySet(models.QuerySet):
    """Records of a Dated model, and the one meaning of "in year Y" (or "in month M of Y")
    on every list, facet, chart, timeline and profile: **a record counts in every year
    (month) its period overlaps** — it began on or before the period's last day and ended on
    or after its first day. A meeting dated 2023-12/2024-01 is in 2023 and in 2024. An open
    end ("2024-04/..", since) runs on through the year of the newest source (``ongoing_until``),
    in filters and counts alike; an unknown start (tenures only) reaches back into every earlier
    one."""

    def dated(self):
        """Those with a known start: the ones a chronology can place."""
        return self.filter(date_lower__isnull=False)

    def undated(self):
        """Those the text gives no date of their own (models with ``allow_undated``)."""
        return self.filter(date="")

    def period(self, year, month=None):
        """The rule as a Q, for filters and for counts within an aggregate."""
        first = date(year, month or 1, 1)
        last = date(year, month or 12, calendar.monthrange(year, month or 12)[1])
        began = Q(date_lower__lte=last)
        if self.model.allow_unknown_start:
            began |= Q(date_lower__isnull=True)
        ongoing = Q(date_upper__isnull=True)
        if year > ongoing_until():  # a year to come: only what begins in it
            ongoing &= Q(date_lower__gte=first)
        return began & (ongoing | Q(date_upper__gte=first))

    def in_period(self, year, month=None):
        # Ranges on the bounds, not __year: the date indexes serve them.
        return self.filter(self.period(year, month))

    def per_year(self, measure=None, **groups):
        """[{"year", **groups, "n"}]: ``measure`` (default: how many records) per year and
        value of ``groups`` (expressions), each record counted in every year of its period,
        from one query grouping the records by the years of their two bounds."""
        return spread_over_years(self.per_bound_years(measure, **groups), self.model, list(groups))

    def per_bound_years(self, measure=None, **groups):
        """[{"year_lower", "year_upper", **groups, "n"}]: what per_year spreads over the years.
        Rows of several querysets may be added up before they are spread (the meeting list's
        unfiltered counts, block by block)."""
        return list(self.order_by().values(year_lower=Year("date_lower"), year_upper=Year("date_upper"), **groups)
                    .annotate(n=measure or Count("pk")))


# How the request being drawn looks up newest_source_year() (defrel.http_cache: in the cache,
# once a request, when a count or a filter first asks); None outside a request.
_newest_source_year = contextvars.ContextVar("defrel_newest_source_year", default=None)


def newest_source_year():
    """The last year the newest dated source speaks for (the upper bound of its date; the
    start of an open one); 0 when no source is dated."""
    Source = apps.get_model("defrel", "Source")  # defrel.models imports this module
    years = []
    for text in Source._default_manager.exclude(date="").values_list("date", flat=True).iterator():
        try:
            when = dates.parse(text)
        except ValidationError:  # a source refused by its own form: no present to take from it
            continue
        day = when.upper or when.lower
        if day is not None:
            years.append(day.year)
    return max(years, default=0)


@contextlib.contextmanager
def newest_source_year_from(lookup):
    """Within it, ongoing_until() takes newest_source_year() from ``lookup()``."""
    token = _newest_source_year.set(lookup)
    try:
        yield
    finally:
        _newest_source_year.reset(token)


def drawn_newest_source_year():
    """newest_source_year() as the request being drawn looks it up (once, from the cache), or
    by a query outside a request."""
    return (_newest_source_year.get() or newest_source_year)()


def ongoing_until():
    """The last year an open end ("2024-04/..", since) counts in: the year of the newest dated
    source, which is as far as the data knows the present (a record of six talks "since April
    2024" in a White Paper of July 2025 says nothing of 2026), and never later than the year under
    way; the year under way when no source is dated. Counts kept in the cache name it in their
    keys (meetings.faceted)."""
    year = drawn_newest_source_year()
    this_year = timezone.localdate().year
    return min(year, this_year) if year else this_year


def spread_over_years(rows, model, groups=()):
    """per_year's answer from per_bound_years' rows: each row counted in every year from its
    lower to its upper bound, as DatedQuerySet.period finds it; an open end runs through
    ongoing_until() (through its own first year, when that is later), an unknown start reaches
    back to the first year of ``rows``."""
    known = [y for r in rows for y in (r["year_lower"], r["year_upper"]) if y is not None]
    first = min(known, default=0)
    until = ongoing_until()
    totals = Counter()
    for row in rows:
        if row["year_lower"] is None and not model.allow_unknown_start:
            continue  # undated (Dated.allow_undated): in no year
        last = row["year_upper"] or max(until, row["year_lower"] or first)
        for year in range(row["year_lower"] or first, last + 1):
            totals[(year, *(row[name] for name in groups))] += row["n"]
    return [{"year": year, **dict(zip(groups, values)), "n": n} for (year, *values), n in totals.items()]


class Dated(models.Model):
    """A record dated by an EDTF string, with derived bounds for sorting and filtering."""

    date = models.CharField(
        _("date"),
        max_length=40,
        help_text=_("EDTF: 2024-05-17, 2024-05, 2024, 2024-09/2024-10, 2024-04/.. (since)."),
    )
    date_lower = models.DateField(_("earliest day"), null=True, blank=True, editable=False)
    date_upper = models.DateField(_("latest day"), null=True, blank=True, editable=False)

    allow_unknown_start = False
    # A record the text gives no date of its own (an activity only welcomed at a meeting)
    # leaves ``date`` blank: it has no bounds and counts in no year.
    allow_undated = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_date_bounds()
        super().save(*args, **kwargs)
        self._saved_date = self.date

    @property
    def dates(self):
        if self.pk is not None and (self.date_lower or self.date_upper) and self.date == self._saved_date:
            return dates.PartialDate.saved(self.date, self.date_lower, self.date_upper)
        return dates.parse(self.date, allow_unknown_start=self.allow_unknown_start)

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        # The text whose bounds the database holds: while it is unchanged, no need to parse.
        record._saved_date = record.__dict__.get("date")
        return record

    _saved_date = None

    def fill_date_bounds(self):
        if self.allow_undated and not (self.date or "").strip():
            self.date, self.date_lower, self.date_upper = "", None, None
            return
        parsed = self.dates
        self.date_lower, self.date_upper = parsed.lower, parsed.upper

    def clean_date(self):
        if not self.date and not self.allow_undated:
            return  # the field is required: clean_fields() or the form says so, once
        try:
            self.fill_date_bounds()
        except ValidationError as error:
            raise ValidationError({"date": error.messages}) from None

    def clean(self):
        super().clean()
        self.clean_date()

    @property
    def date_display(self):
        # Also called by __str__ on unsaved or half-typed records, which must not raise.
        if self.allow_undated and not self.date:
            return gettext("undated")
        try:
            return self.dates.display()
        except ValidationError:
            return self.date

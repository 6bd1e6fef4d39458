"""The filter set every public list builds on: its filters applied once a request, its facets
(meetings.facets) counted beside the rows, and the rows of a text search, or a filtered
selection of few rows, read once and counted from (their ids and the values the
single-valued facets read). meetings.filters declares each list's filters on it."""
import hashlib
from functools import cached_property
from operator import itemgetter

import django_filters
from django.core.validators import EMPTY_VALUES
from django.db import connection
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import get_language

from defrel.dated import ongoing_until
from defrel.kept import cached
from defrel.models import colon
from defrel.queries import among
from defrel.stamp import reads, token
from meetings import unfiltered
from meetings.facets import Choice, Facet, toggled

# Beyond this many matches of a search, its ids are not kept in the cache; the request that
# read them counts the single-valued facets and the total from the values it read, however
# many. The many-to-many facets join the ids on SQLite, which does that faster than it
# searches again, and search again on PostgreSQL, which joins them more slowly (100,000 ids:
# 0.3–0.6 s a facet instead of 0.25). A search of 31,000 meetings among 100,000: 1.24 s →
# 0.50 on SQLite, 1.8–2.1 s → 0.7 on PostgreSQL (bench/NOTES.md).
FOUND_IDS_LIMIT = 20_000
# A filtered selection (no text search) of at most this many rows is read once, with the
# columns its facets count, as a search's rows are: one query instead of one a facet, each of
# which applied the filters again (the load test's filtered lists at 100,000 meetings, mean:
# 267 → 174 ms on SQLite, 318 → 147 on PostgreSQL). Above it, each facet groups the rows in
# the database, then cheaper than carrying them to Python (bench/NOTES.md, "A filtered
# list's few rows counted once").
FEW_ROWS = 10_000


def ids_joined_at_any_number():
    """Whether the database joins a search's ids faster than it searches again, however many
    they are (see FOUND_IDS_LIMIT)."""
    return connection.vendor == "sqlite"


class FacetedFilterSet(django_filters.FilterSet):
    facet_specs = ()

    def without(self, *names):
        """The rows every valid filter but ``names`` selects (no new validation queries). The
        same rows are the same queryset, whose rows rows_of() then reads once: with none of
        ``names`` set, the filterset's own (their order aside)."""
        omitted = frozenset(name for name in names if self.form.cleaned_data.get(name) not in EMPTY_VALUES)
        if not omitted:
            return self.qs
        made = self.__dict__.setdefault("_without", {})
        if omitted not in made:
            queryset = self.queryset.all()
            for name, value in self.form.cleaned_data.items():
                if name not in omitted and name != "sort":
                    queryset = self.filters[name].filter(queryset, value)
            made[omitted] = queryset
        return made[omitted]

    def counting_queryset(self, base):
        model = self.queryset.model
        if not base.query.where:  # nothing filtered: group the table itself
            return model.objects.all()
        ids = self.ids_read(base)
        if ids is not None:
            return model.objects.filter(among(ids))
        # A subquery keeps the filters' joins apart from the join the facet groups by.
        return model.objects.filter(pk__in=base.order_by().values("pk"))

    @property
    def matching(self):
        """The filtered rows, in their order; under a text search, read by the ids found."""
        ids = self.found_ids(self.qs)
        if ids is None:
            return self.qs
        return self.queryset.filter(among(ids)).order_by(*self.ordering)

    @cached_property
    def ordering(self):
        """The list's order: the one asked for (?sort=), else the model's."""
        return self.qs.query.order_by or self._meta.model._meta.ordering

    @cached_property
    def data_stamp(self):
        """The stamp (defrel.stamp) of what the list's cached counts read, read once a request.
        A text search reads every text of a record (its search document is made of them);
        without one, the counts read none of the texts a model lists in ``stamp_unsummarised``,
        and stay warm while editors correct a summary."""
        return token(*reads(self._meta.model), summaries=not self.searched)

    @property
    def searched(self):
        """The text searched for (?q=), "" without a search."""
        self.is_valid()  # cleans the form; a bad value of another filter leaves this one
        return (self.form.cleaned_data.get("q") or "").strip()

    def found_ids(self, base):
        """Under a text search, the ids of ``base``'s rows in the list's order, remembered like
        the counts until the data changes; None without a search, or when it matches too many
        rows to pass them around. A search reads the texts of every row (about a second at
        100,000 meetings on PostgreSQL); each facet, the count and the page would search
        again. In order, a page of the list is a slice of them (meetings.views.lists): the
        ids read once (ids_read) of a search, not those of a few rows, read in no order."""
        return self.ids_read(base) if self.searched else None

    def found_values(self, base, columns):
        """When ``base``'s rows are read once (rows_of: a text search, a few rows), a tuple of
        ``columns`` (among ``found_columns``) for each of them, from which the single-valued
        facets and totals are counted without a query each; else None. Read with the search
        itself when it runs; after a search another request remembered, read once by the ids."""
        found = self.rows_of(base)
        if found is None:
            return None
        if found["values"] is None:  # ids another request found (so never too many to keep)
            rows = self.queryset.model.objects.filter(among(found["ids"]))
            found["values"] = {row[0]: row[1:] for row in rows.values_list("pk", *self.found_columns)}
        at = [self.found_columns.index(column) for column in columns]
        rows = map(itemgetter(*at), found["values"].values())  # itemgetter: a third of the time of a loop
        return list(rows) if len(at) > 1 else [(value,) for value in rows]

    @cached_property
    def found_columns(self):
        """The columns the facets and totals count from found rows (one value a row)."""
        model = self._meta.model
        columns = [column for spec in self.facet_specs if hasattr(spec, "columns_on")
                   for column in spec.columns_on(model)]
        summed = [total.get_source_expressions()[0].name for total in self.block_sums.values()]
        return tuple(dict.fromkeys([*columns, *summed]))

    # Totals of the selected rows beside their count, {name: Sum(column)} (meetings: the
    # encounters a list stands for); summed from the blocks when nothing is filtered.
    block_sums = {}

    def total(self, name):
        """``block_sums[name]`` of the rows the filters select: from the blocks' sums when
        nothing is filtered (meetings.unfiltered), from the values a search read with its
        rows, else one aggregate."""
        summed = unfiltered.totals(self)
        if summed is not None:
            return summed[name]
        column = self.block_sums[name].get_source_expressions()[0].name
        found = self.found_values(self.qs, [column])
        if found is not None:
            return sum(n for n, in found)
        # Of the rows' ids and the column: a filter through partners or people makes the rows
        # DISTINCT, and the sum of whole rows compared every column, summaries included.
        return self.qs.order_by().values("pk", column).aggregate(n=self.block_sums[name])["n"] or 0

    def ids_read(self, base):
        """The ids of ``base``'s rows when they are read once (rows_of), else None."""
        found = self.rows_of(base)
        return None if found is None else found["ids"]

    def rows_of(self, base):
        """{"ids", "values"} of ``base``'s rows when the facets count them from values read
        once, a request: a text search's (search_of), or the rows of a filtered selection of at
        most FEW_ROWS, read in no order; None otherwise. Unlike a search's ids, a selection's
        are not kept, and the list's page reads its own rows (meetings.views.lists)."""
        if self.searched:
            return self.search_of(base)
        if not base.query.where:
            return None
        few = self.__dict__.setdefault("_few", {})
        if id(base) not in few:  # base kept with it, so that its id is not reused within the request
            rows = list(base.order_by().values_list("pk", *self.found_columns)[:FEW_ROWS + 1])
            read = {row[0]: row[1:] for row in rows}  # a join may repeat a row
            # Counted by the rows read, not by the ids: a cut through repeated rows is not all.
            few[id(base)] = (base, {"ids": list(read), "values": read} if len(rows) <= FEW_ROWS else None)
        return self.few_read(base)

    def few_read(self, base):
        """The few rows of ``base`` if this request has read them (rows_of), else None."""
        return self.__dict__.get("_few", {}).get(id(base), (None, None))[1]

    def search_of(self, base):
        """{"ids", "values"} of the search of ``base`` (see found_ids), once a request."""
        if not self.searched:
            return None
        # Sorted as the list is (whatever order ``base`` had): a page's ids are then a slice
        # of the ids found. Sorting them here costs the search up to 2 ms; sorting them again
        # in a query of their own cost 5 ms on SQLite, 9 on PostgreSQL (bench/NOTES.md, "A
        # search's page read by its ids").
        ordered = base.order_by(*self.ordering)
        # The key names the query (its SQL, a compilation of it) and is made once for each
        # queryset: base is kept with it, so that its id is not reused within the request.
        keys = self.__dict__.setdefault("_search_keys", {})
        if id(base) not in keys:
            digest = hashlib.sha256(str(ordered.values_list("pk", flat=True).query).encode()).hexdigest()[:32]
            keys[id(base)] = (base, f"{self._meta.model._meta.label}:ids:{digest}")
        key = keys[id(base)][1]
        found = self.__dict__.setdefault("_found", {})
        if key not in found:
            read = None

            any_number = ids_joined_at_any_number()

            def search():
                nonlocal read
                read = {}
                rows = ordered.values_list("pk", *self.found_columns)
                read.update((row[0], row[1:]) for row in rows)  # a join may repeat a row
                return {"ids": list(read) if len(read) <= FOUND_IDS_LIMIT else None}

            ids = cached(key, search, self.data_stamp)["ids"]
            if ids is None:  # too many to keep: this request's own values (and ids on SQLite)
                if read is None:
                    search()
                ids = list(read) if any_number else None
            found[key] = {"ids": ids, "values": read}
        return found[key]

    def good_params(self, params):
        """The query parameters without the ones in error, so facet links do not carry them."""
        params = params.copy()
        for name in self.errors:
            params.pop(name, None)
        return params

    def counts_key(self, params, what):
        """The cache key of counts of the rows ``params`` select: the page and the order
        change no count; a new year does (an open end counts through ongoing_until())."""
        kept = sorted((name, value) for name in params if name not in ("page", "sort")
                      for value in params.getlist(name))
        digest = hashlib.sha256(urlencode(kept).encode()).hexdigest()[:32]
        return f"{self._meta.model._meta.label}:{what}:{get_language()}:{ongoing_until()}:{digest}"

    def facets(self, params, stamp=None):
        """The facets beside the rows; with a data ``stamp`` (defrel.stamp.token()), their
        counts are remembered until the data changes."""
        params = self.good_params(params)

        def counts():
            summed = unfiltered.facet_counts(self)  # nothing filtered: summed from blocks of rows
            return summed if summed is not None else [self.counted(spec) for spec in self.facet_specs]

        counted = counts() if stamp is None else cached(self.counts_key(params, "facets"), counts, stamp)
        built = []
        for spec, choices in zip(self.facet_specs, counted):
            selected = set(params.getlist(spec.param))
            built.append(Facet(spec.param, spec.title, [
                Choice(value, label, n, value in selected,
                       toggled(params, spec.param, value, multiple=spec.multiple,
                               clears=getattr(spec, "clears", ())))
                for value, label, n in choices
            ]))
        return built

    def counted(self, spec):
        """[(value, label, n)] of ``spec``. When the facet counts every row (its own filter the
        only one set: the years beside ?year=2024), summed from the blocks as the unfiltered
        list's are (meetings.unfiltered), where they give every choice: at 100,000 meetings the
        years of the whole table took 35–47 ms a request (bench/NOTES.md)."""
        model = self.queryset.model
        if unfiltered.whole(model, spec) and not spec.base(self).query.where:
            if "_unfiltered" not in self.__dict__:
                self._unfiltered = unfiltered.facet_counts(type(self)(QueryDict(), queryset=self.queryset))
            if self._unfiltered is not None:
                return self._unfiltered[self.facet_specs.index(spec)]
        return list(spec.counts(self))

    def count(self, params, stamp):
        """How many rows the filters select, remembered like the facets."""
        def count():
            summed = unfiltered.totals(self)
            if summed is not None:
                return summed["rows"]
            found = self.search_of(self.qs) if self.searched else self.few_read(self.qs)
            if found is None:
                # Their ids alone, as total() sums (bench/NOTES.md, "A filtered list counted
                # by its ids").
                return self.qs.order_by().values("pk").count()
            return len(found["ids"] if found["ids"] is not None else found["values"])

        return cached(self.counts_key(self.good_params(params), "count"), count, stamp)

    def error_messages(self):
        """“Year: Enter a whole number.” for each bad value; the other filters still apply."""
        return [f"{self.form.fields[name].label or name}{colon()}{message}"
                for name, messages in self.errors.items() for message in messages]

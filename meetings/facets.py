"""The facets beside the public lists: for each choice of one filter, how many rows the current
selection would give with that choice, one aggregate query per facet (never one per choice);
under a text search, or for a selection of few rows, the single-valued ones are counted from
the values read once with the rows (FacetedFilterSet.rows_of). meetings.faceted's
FacetedFilterSet draws them."""
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from defrel.dated import spread_over_years
from defrel.queries import among
from meetings.models.services import SERVICES, has_service
from partners.models import localised
from partners.readings import name_sort_key

FACET_LIMIT = 30  # values shown of a facet without fixed choices (partners, officials, occasions)
# How a many-to-many facet counts its links: COUNT(*), not COUNT(id), so that PostgreSQL reads
# the through table's unique (row, value) index alone, without its rows (an index-only scan):
# the officials of a search's 2,440 meetings in 12 ms instead of 21 (bench/NOTES.md).
EACH_LINK = Count("*")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int
    selected: bool
    href: str


@dataclass(frozen=True)
class Facet:
    param: str
    title: str
    choices: list


def toggled(params, name, value, *, multiple, clears=()):
    """The query string with ``value`` of ``name`` switched on or off, other filters kept
    (in their order) but those named in ``clears``, and the page reset; with no filter left,
    the list's own address (".", as every list's ends in "/"), never one ending in a bare "?"
    that a reader would share. Written out pair by pair rather than through a copy of the
    QueryDict (a deep copy): a list has a hundred or so of these."""
    current = params.getlist(name)
    if value in current:
        chosen = [v for v in current if v != value]
    elif multiple:
        chosen = current + [value]
    else:
        chosen = [value]
    pairs = [(key, v) for key, values in params.lists() if key != "page" and key not in clears
             for v in (chosen if key == name else values)]
    if name not in params:
        pairs += [(name, v) for v in chosen]
    return "?" + urlencode(pairs) if pairs else "."


def localised_row(row, prefix):
    """The name in the page's language from a ``values()`` row (prefix__name_ja/en)."""
    return localised(SimpleNamespace(name_ja=row[f"{prefix}name_ja"],
                                     name_en=row[f"{prefix}name_en"]), "name")


@dataclass(frozen=True)
class FieldFacet:
    """Counts per value of one field (or related record) of the filtered rows."""

    param: str
    title: str
    field: str  # the value put in the URL: "level", "countries__code"
    names: str = ""  # prefix of name_ja/name_en for related records: "countries__"
    choices: type | None = None  # TextChoices giving the labels and the order
    multiple: bool = False
    readings: bool = False  # the records named have kana readings: 五十音 order on Japanese pages

    @property
    def fields(self):
        named = ["name_ja", "name_en"] + (["reading"] if self.readings else []) if self.names else []
        return [self.field] + [f"{self.names}{name}" for name in named]

    def columns_on(self, model):
        """What a text search, or a few rows' read, reads for this facet with the rows (the
        facet is then counted from them, FacetedFilterSet.found_values): a field with one
        value a row."""
        relation = model._meta.get_field(self.field.partition("__")[0])
        one_value = not relation.is_relation or relation.many_to_one or relation.one_to_one
        return self.fields if one_value and not self.multiple else ()

    def base(self, filterset):
        """The rows counted: those of every filter but the facet's own (a choice replaces
        another), or of every filter for a facet of several choices (each narrows)."""
        return filterset.qs if self.multiple else filterset.without(self.param)

    def counts(self, filterset):
        base = self.base(filterset)
        chosen = [v for v in filterset.data.getlist(self.param) if v] if hasattr(
            filterset.data, "getlist") else []
        found = filterset.found_values(base, self.fields) if self.columns_on(filterset.queryset.model) else None
        rows = self.read(filterset, base, chosen) if found is None else self.tally(found, chosen)
        return self.ordered([r for r in rows if r[self.field] is not None])

    def ordered(self, rows):
        """[(value, label, n)] of ``rows`` ({field: value, names…, "n"}) in the facet's order:
        its choices'; else the most frequent first, and those counted alike by name as the
        lists order names (partners.readings: 五十音 on Japanese pages), else by label."""
        if self.choices:
            order = {value: i for i, value in enumerate(self.choices.values)}
            rows = sorted(rows, key=lambda r: order.get(r[self.field], len(order)))
        elif self.names:
            rows = sorted(rows, key=lambda r: (-r["n"], name_sort_key(SimpleNamespace(
                pk=str(r[self.field]), reading=r.get(f"{self.names}reading") or "",
                name_ja=r[f"{self.names}name_ja"], name_en=r[f"{self.names}name_en"]))))
        else:
            rows = sorted(rows, key=lambda r: (-r["n"], self.label(r)))
        return [(str(r[self.field]), self.label(r), r["n"]) for r in rows]

    def read(self, filterset, base, chosen):
        """[{field: value, …, "n"}] from one aggregate query; for a related record's values,
        one more for their names (two more when a chosen value is not among the most frequent)."""
        source, path, count = self.grouped(filterset, base)
        paths = [path(f) for f in self.fields]
        related, _, _ = paths[0].rpartition("__")
        if not related:  # one value a row, from fixed choices
            rows = source.values(*paths).annotate(n=count).order_by()
            return [{**{f: r[p] for f, p in zip(self.fields, paths)}, "n": r["n"]} for r in rows]
        # Thousands of officials: the most frequent, plus whatever the reader chose, grouped by
        # the record's id and named afterwards (grouping by its texts joined every official:
        # 57 ms instead of about 20 for a search's 2,300 meetings on PostgreSQL).
        counted = source.values(related).annotate(n=count)
        model = source.model._meta.get_field(related.partition("__")[0]).related_model
        fields = {f: p[len(related) + 2:] for f, p in zip(self.fields, paths)}  # as read on ``model``

        def named(rows):
            # among(): one parameter, and a query even when nothing was counted
            records = model.objects.filter(among([pk for pk in rows if pk is not None]))
            return [{**{f: record[name] for f, name in fields.items()}, "n": rows[record["pk"]]}
                    for record in records.values("pk", *fields.values())]

        rows = named({r[related]: r["n"] for r in counted.order_by("-n", related)[:FACET_LIMIT]})
        shown = {str(r[self.field]) for r in rows}
        missing = [v for v in chosen if v not in shown]
        if missing:
            rows += named({r[related]: r["n"] for r in counted.filter(**{f"{paths[0]}__in": missing}).order_by()})
        return rows

    def tally(self, found, chosen):
        """The same from the values of the rows a search found (tuples of ``fields``)."""
        rows = [{**dict(zip(self.fields, values)), "n": n} for values, n in Counter(found).items()]
        if not self.choices:
            rows.sort(key=lambda r: (-r["n"], str(r[self.field])))
            rows = rows[:FACET_LIMIT] + [r for r in rows[FACET_LIMIT:] if str(r[self.field]) in chosen]
        return rows

    def grouped(self, filterset, base):
        """(what to group, the facet's paths as read on it, what to count). For a
        many-to-many field, its links: each is a distinct (row, value) pair, so counting the
        links counts the rows without a COUNT(DISTINCT) over a join of the rows' whole table
        (officials of 100,000 meetings: 0.03 s instead of 0.47 on SQLite); under a text
        search, the links of the rows found, by their ids."""
        counting = filterset.counting_queryset(base)
        relation = counting.model._meta.get_field(self.field.partition("__")[0])
        if not relation.is_relation or relation.many_to_one or relation.one_to_one:
            return counting, (lambda f: f), Count("pk")  # one value a row
        if not relation.many_to_many:  # records pointing to the row: a row may appear more than once
            return counting, (lambda f: f), Count("pk", distinct=True)
        links = relation.remote_field.through.objects.all()
        if base.query.where:
            ids = filterset.ids_read(base)
            row = relation.m2m_field_name()
            links = links.filter(among(ids, row) if ids is not None else Q(**{f"{row}__in": counting.values("pk")}))
        target = relation.m2m_reverse_field_name()
        return links, (lambda f: f"{target}__{f.partition('__')[2]}"), EACH_LINK

    def label(self, row):
        value = row[self.field]
        if self.names:
            return localised_row(row, self.names)
        if self.choices and value in self.choices.values:
            return str(self.choices(value).label)
        return str(value)


@dataclass(frozen=True)
class YearFacet:
    """Rows per year, as the year filter finds them (DatedQuerySet.per_year)."""

    param: str = "year"
    title: str = _("Year")
    multiple: bool = False
    # A month is chosen within a year: another year, or none, starts the month over, as the
    # counts beside the years are of whole years.
    clears: tuple = ("month",)

    def columns_on(self, model):
        return ("date_lower", "date_upper")

    def base(self, filterset):
        return filterset.without("year", "month")

    def counts(self, filterset):
        base = self.base(filterset)
        found = filterset.found_values(base, self.columns_on(filterset.queryset.model))
        if found is None:
            rows = filterset.counting_queryset(base).per_year()
        else:
            bounds = Counter((lower and lower.year, upper and upper.year) for lower, upper in found)
            rows = spread_over_years([{"year_lower": lower, "year_upper": upper, "n": n}
                                      for (lower, upper), n in bounds.items()], filterset.queryset.model)
        rows = sorted(rows, key=lambda r: r["year"], reverse=True)
        return [(str(r["year"]), str(r["year"]), r["n"]) for r in rows]


@dataclass(frozen=True)
class ServiceFacet:
    """Rows per service (joint, GSDF, MSDF, ASDF) of a “|”-joined ``services`` column: a row
    of several services counts under each, from one query of conditional counts."""

    param: str = "service"
    title: str = _("Service")
    multiple: bool = False

    def counts(self, filterset):
        counting = filterset.counting_queryset(filterset.without(self.param))
        n = counting.aggregate(**{code: Count("pk", filter=has_service(code)) for code in SERVICES})
        return [(code, str(label), n[code]) for code, label in SERVICES.items() if n[code]]

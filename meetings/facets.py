"""The facets beside the public lists: for each choice of one filter, how many rows the current
selection would give with that choice, one aggregate query per facet (never one per choice).
meetings.filters's FacetedFilterSet draws them."""
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from meetings.models.services import SERVICES, has_service
from partners.models import localised

FACET_LIMIT = 30  # values shown of a facet without fixed choices (partners, officials, occasions)


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


def toggled(params, name, value, *, multiple):
    """The query string with ``value`` of ``name`` switched on or off, other filters kept
    (in their order) and the page reset. Written out pair by pair rather than through a copy
    of the QueryDict (a deep copy): a list has a hundred or so of these."""
    current = params.getlist(name)
    if value in current:
        chosen = [v for v in current if v != value]
    elif multiple:
        chosen = current + [value]
    else:
        chosen = [value]
    pairs = [(key, v) for key, values in params.lists() if key != "page"
             for v in (chosen if key == name else values)]
    if name not in params:
        pairs += [(name, v) for v in chosen]
    return "?" + urlencode(pairs)


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

    def counts(self, filterset):
        base = filterset.qs if self.multiple else filterset.without(self.param)
        source, path, count = self.grouped(filterset, base)
        fields = [self.field] + ([f"{self.names}name_ja", f"{self.names}name_en"] if self.names else [])
        paths = [path(f) for f in fields]
        rows = source.values(*paths).annotate(n=count).order_by()
        if not self.choices:
            # Thousands of officials: the most frequent, plus whatever the reader chose.
            chosen = [v for v in filterset.data.getlist(self.param) if v] if hasattr(
                filterset.data, "getlist") else []
            rows = list(rows.order_by("-n", paths[0])[:FACET_LIMIT])
            shown = {str(r[paths[0]]) for r in rows}
            missing = [v for v in chosen if v not in shown]
            if missing:
                rows += list(source.filter(**{f"{paths[0]}__in": missing})
                             .values(*paths).annotate(n=count).order_by())
        rows = [{**{f: r[p] for f, p in zip(fields, paths)}, "n": r["n"]} for r in rows]
        found = [(str(r[self.field]), self.label(r), r["n"]) for r in rows if r[self.field] is not None]
        if self.choices:
            order = {value: i for i, value in enumerate(self.choices.values)}
            return sorted(found, key=lambda c: order.get(c[0], len(order)))
        return sorted(found, key=lambda c: (-c[2], c[1]))

    def grouped(self, filterset, base):
        """(what to group, the facet's paths as read on it, what to count). For a
        many-to-many field, its links: each is a distinct (row, value) pair, so counting the
        links counts the rows without a COUNT(DISTINCT) over a join of the rows' whole table
        (officials of 100,000 meetings: 0.03 s instead of 0.47 on SQLite)."""
        counting = filterset.counting_queryset(base)
        relation = counting.model._meta.get_field(self.field.partition("__")[0])
        if not relation.is_relation or relation.many_to_one or relation.one_to_one:
            return counting, (lambda f: f), Count("pk")  # one value a row
        if not relation.many_to_many:  # records pointing to the row: a row may appear more than once
            return counting, (lambda f: f), Count("pk", distinct=True)
        links = relation.remote_field.through.objects.all()
        if base.query.where:
            links = links.filter(**{f"{relation.m2m_field_name()}__in": counting.values("pk")})
        target = relation.m2m_reverse_field_name()
        return links, (lambda f: f"{target}__{f.partition('__')[2]}"), Count("pk")

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

    def counts(self, filterset):
        base = filterset.without("year", "month")
        rows = sorted(filterset.counting_queryset(base).per_year(), key=lambda r: r["year"], reverse=True)
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

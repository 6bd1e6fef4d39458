"""Every table of defrel, downloadable whole: the registry is the data dictionary's list of
exports (meetings.dictionary.EXPORTS), so a table, its columns (its resource's export columns)
and their descriptions have one home each. The site streams each as CSV (for spreadsheets:
BOM, formula-escaped) and NDJSON (for programs: typed, not escaped); the release writes them
as plain CSV."""
from dataclasses import dataclass

from django.http import Http404

from defrel.kept import cached
from defrel.stamp import token
from meetings import dictionary


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    resource_class: type

    @property
    def model(self):
        return self.resource_class._meta.model

    def resource(self):
        return self.resource_class()

    def rows(self, resource=None):
        """The resource's own query shape (its prefetches), every record, in a stable order:
        the model's ordering, then the id."""
        queryset = (resource or self.resource()).get_queryset()
        ordering = list(queryset.query.order_by or self.model._meta.ordering)
        return queryset.order_by(*ordering, "pk")


TABLES = {slug: Table(slug, title, resource_class)
          for slug, title, resource_class, _url in dictionary.EXPORTS}


def table(slug):
    try:
        return TABLES[slug]
    except KeyError:
        raise Http404(slug) from None


def row_counts():
    """{slug: rows}, counted once per change of the data (defrel.stamp)."""
    return cached("table-rows", lambda: {slug: t.model._default_manager.count() for slug, t in TABLES.items()},
                  token())


def by_model():
    """{model: table}: which table a foreign key's records are in."""
    return {t.model: t for t in TABLES.values()}

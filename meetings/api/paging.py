"""Keyset ("cursor") pagination in the list's own order, and the filter backend that runs the
HTML list's FilterSet.

DRF's CursorPagination keys a page on its first ordering field alone and counts rows past
ties with an offset; dates tie by the thousand (every "2024" record starts on 1 January), and
exercises and engagements may be undated (a NULL it cannot key on). So the cursor here holds
the last row's value of every ordering field, and the next page is the rows after that tuple
in the same order — NULLs last, as the HTML lists sort them — which the list's date index
serves however deep the page.
"""
import base64
import binascii
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext_lazy as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from meetings.views.lists import PER_PAGE

CURSOR = "cursor"
ALWAYS_ALLOWED = {CURSOR}  # ?format= is no choice of representation here (REST_FRAMEWORK)


class Key:
    """One field of a list's order: its name, direction and, when the order says so, NULLs
    last. An order that says nothing of NULLs is kept as written, so that the list's index
    serves it (meetings: -date_lower, key), and its field is taken to hold none (a meeting
    always has a start: a check constraint)."""

    def __init__(self, name, descending, nulls_last=False):
        self.name, self.descending, self.nulls_last = name, descending, nulls_last

    def order(self):
        if self.nulls_last:
            return F(self.name).desc(nulls_last=True) if self.descending else F(self.name).asc(nulls_last=True)
        return f"-{self.name}" if self.descending else self.name

    def beyond(self, value):
        """The rows after ``value`` in this field's direction."""
        if value is None:
            return Q(pk__in=[])  # nothing comes after the NULLs but more NULLs
        after = Q(**{f"{self.name}__{'lt' if self.descending else 'gt'}": value})
        return after | Q(**{f"{self.name}__isnull": True}) if self.nulls_last else after

    def equal(self, value):
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


def field_of(queryset, name):
    """The field an order's name reads: the model's, or an annotation's output field (a rank
    such as partners.models.in_region_order, annotated under a name for the keyset)."""
    if name == "pk":
        return queryset.model._meta.pk
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    return queryset.model._meta.get_field(name)


def keys_of(queryset):
    """The queryset's order (its own, or its model's) as Keys, ended by a unique field so
    that the order is total: the filters' ?sort=date becomes the keyset's order too."""
    model = queryset.model
    keys = []
    for item in queryset.query.order_by or model._meta.ordering:
        if isinstance(item, OrderBy):
            keys.append(Key(item.expression.name, item.descending, bool(item.nulls_last)))
        elif isinstance(item, F):
            keys.append(Key(item.name, False))
        else:
            keys.append(Key(item.lstrip("-"), item.startswith("-")))
    if not any(field_of(queryset, k.name).unique for k in keys if "__" not in k.name):
        keys.append(Key("pk", False))
    return keys


class KeysetPagination(BasePagination):
    """Pages of PER_PAGE rows (the HTML list's), ``next`` carrying the last row's key; the
    response also carries what the view puts in ``extra`` (count, facets)."""

    page_size = PER_PAGE
    cursor_description = _("The page after the one whose “next” link carried this value.")

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.extra = request, getattr(view, "page_extra", dict)
        keys = keys_of(queryset)
        rows = queryset.order_by(*(k.order() for k in keys))
        fields = getattr(view, "page_fields", None)
        if fields is not None:  # the view reads only these (and the order's) of the page's rows
            rows = rows.only(*dict.fromkeys([*fields, *(k.name for k in keys if k.name != "pk"
                                                        and k.name not in queryset.query.annotations)]))
        last = self.decode(request, queryset, keys)
        if last is not None:
            rows = rows.filter(self.after(keys, last))
        page = list(rows[:self.page_size + 1])
        self.next_position = None
        if len(page) > self.page_size:
            page = page[:self.page_size]
            self.next_position = [self.value(page[-1], k.name) for k in keys]
        return page

    @staticmethod
    def after(keys, last):
        """Rows after the tuple ``last``: equal on the first fields and beyond on the next."""
        condition, equal = Q(pk__in=[]), Q()
        for key, value in zip(keys, last):
            condition |= equal & key.beyond(value)
            equal &= key.equal(value)
        first, value = keys[0], last[0]
        if value is not None and not first.nulls_last:
            # Implied by the above, but a plain range the index can start its scan from.
            condition &= Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value})
        return condition

    @staticmethod
    def value(row, name):
        value = row.pk if name == "pk" else getattr(row, name)
        return value.isoformat() if hasattr(value, "isoformat") else value

    def decode(self, request, queryset, keys):
        """The values a cursor carries, each checked by its model field: a cursor a client
        made up is a 400 answer, never a query the database refuses."""
        encoded = request.query_params.get(CURSOR)
        if encoded is None:
            return None
        invalid = ValidationError({CURSOR: [_("Invalid cursor: use the “next” link as given.")]})
        try:
            values = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error):
            raise invalid from None
        if not isinstance(values, list) or len(values) != len(keys):
            raise invalid
        checked = []
        for key, value in zip(keys, values):
            if value is None and not key.nulls_last:
                raise invalid  # a field the order takes to hold none (Key): no row was there
            field = field_of(queryset, key.name)
            # Text with a NUL or a number beyond 64 bits: PostgreSQL would refuse the query.
            if value is not None and (type(value) not in (str, int) or (isinstance(value, str) and "\0" in value)
                                      or (isinstance(value, int) and abs(value) >= 2 ** 63)):
                raise invalid
            try:
                checked.append(None if value is None else field.to_python(value))
            except (DjangoValidationError, TypeError, ValueError):
                raise invalid from None
        return checked

    def next_link(self):
        if self.next_position is None:
            return None
        encoded = base64.urlsafe_b64encode(json.dumps(self.next_position).encode()).decode("ascii")
        return replace_query_param(self.request.build_absolute_uri(), CURSOR, encoded)

    def get_paginated_response(self, data):
        return Response({**self.extra(), "next": self.next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "count": {"type": "integer", "description": str(_("How many records the filters select."))},
                "facets": {"type": "array", "items": FACET_SCHEMA,
                           "description": str(_("Counts per value of each filter, as the HTML list shows them."))},
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "description": str(_("The next page; null on the last."))},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [{"name": CURSOR, "required": False, "in": "query",
                 "description": str(self.cursor_description), "schema": {"type": "string"}}]


FACET_SCHEMA = {
    "type": "object",
    "properties": {
        "param": {"type": "string"}, "title_ja": {"type": "string"}, "title_en": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "object", "properties": {
            "value": {"type": "string"}, "label_ja": {"type": "string"}, "label_en": {"type": "string"},
            "count": {"type": "integer"}, "selected": {"type": "boolean"},
            "href": {"type": "string", "format": "uri"}}}},
    },
}


def refuse_unknown(params, known):
    """A parameter the list does not know (?ordering=, a misspelt filter) is a 400 answer:
    silently ignored, it would hand back rows the client did not ask for."""
    unknown = sorted(set(params) - set(known) - ALWAYS_ALLOWED)
    if not unknown:
        return
    if known:
        message = _("Unknown parameter; this list takes: %(known)s.") % {"known": ", ".join(sorted(known))}
    else:  # the countries' list, the API's root: no filter to name
        message = _("Unknown parameter; this address takes none.")
    raise ValidationError({name: [message] for name in unknown})


class ListFilterBackend(DjangoFilterBackend):
    """The HTML list's FilterSet on the API's rows: a bad value is a 400 answer naming the
    parameter (the HTML list shows it beside the field and drops that filter). The filterset
    stays on the view for its facets and count."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        refuse_unknown(request.query_params, filterset.filters)
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        view.filterset = filterset
        return filterset.matching

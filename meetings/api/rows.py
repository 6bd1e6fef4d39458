"""A record as one JSON object whose names and values are its CSV row's (the import-export
resource's export columns and cells), numbers and dates typed, nothing retyped by hand."""
from django.db import models
from rest_framework import serializers

from defrel.exports import unescape_formula


def column_field(model, field):
    """The serializer field describing one export column: typed by the model field behind it
    (what the OpenAPI description says of it); the rest are the CSV's text."""
    try:
        model_field = model._meta.get_field(field.attribute or "")
    except Exception:  # noqa: BLE001 - a computed column (dehydrate_…): no model field, text
        model_field = None
    if isinstance(model_field, (models.IntegerField, models.BigAutoField)):
        return serializers.IntegerField(read_only=True, allow_null=True)
    if isinstance(model_field, models.DateField):
        return serializers.DateField(read_only=True, allow_null=True)
    return serializers.CharField(read_only=True, allow_blank=True)


def shared(resource_class):
    """One instance of ``resource_class`` for every request: making one deep-copies its
    fields and widgets (a tenth of a page's time), and exporting a row changes nothing in it."""
    instance = resource_class.__dict__.get("_api_instance")
    if instance is None:
        instance = resource_class._api_instance = resource_class()
    return instance


def reader(described):
    """How a CSV cell becomes the JSON value of a column described by ``described``: numbers
    and dates as such (an empty cell: null); text with the spreadsheet's formula escape taken
    off again, since JSON is read by programs, never evaluated by a spreadsheet."""
    if isinstance(described, serializers.IntegerField):
        return lambda cell: int(cell) if cell != "" else None
    if isinstance(described, serializers.DateField):
        return lambda cell: cell or None
    return unescape_formula


class RowListSerializer(serializers.ListSerializer):
    """A page of rows. A resource that writes its export rows itself (``export_rows``, as
    MeetingResource does in SQL: meetings.fast_export) writes the page's too, from the ids of
    the page's records: their partners, participants and titles are then never loaded as
    objects (a page of 50 meetings: about 1,000 fewer)."""

    def to_representation(self, data):
        child = self.child
        if not hasattr(child.resource, "export_rows") or not data:
            return super().to_representation(data)
        rows = child.resource.get_queryset().model.objects.filter(pk__in=[record.pk for record in data])
        headers = [field.column_name for field, _described in child.columns]
        key = headers.index(child.resource.get_import_id_fields()[0])
        by_key = {unescape_formula(cells[key]): cells for cells in child.resource.export_rows(headers, rows)}
        return [child.typed(by_key[getattr(record, headers[key])]) for record in data]


class RowSerializer(serializers.Serializer):
    """Subclassed once a resource by :func:`row_serializer`."""

    resource_class = None
    # The rows a record carries beside its columns (a meeting's participants): {the name of
    # a serializer field the subclass declares (many=True), which the OpenAPI description
    # shows: the record's rows, read when the record is drawn}.
    nested = {}

    class Meta:
        list_serializer_class = RowListSerializer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = shared(self.resource_class)
        self.columns = [(f, self.fields[f.column_name]) for f in self.resource.get_export_fields()]
        self.readers = [(f.column_name, reader(described)) for f, described in self.columns]

    def typed(self, cells):
        """The row of CSV ``cells`` (in the columns' order), each read as its column's type."""
        return {name: read(cell) for (name, read), cell in zip(self.readers, cells)}

    def to_representation(self, instance):
        row = self.typed([self.resource.export_field(field, instance) for field, _described in self.columns])
        for name, rows in self.nested.items():
            row[name] = self.fields[name].to_representation(rows(instance))
        return row


def row_serializer(resource_class, name=None):
    """A serializer whose fields are ``resource_class``'s export columns, in their order."""
    model = resource_class._meta.model
    fields = {f.column_name: column_field(model, f) for f in resource_class().get_export_fields()}
    name = name or f"{model.__name__}Row"
    return type(name, (RowSerializer,), {"resource_class": resource_class, **fields,
                                         "__doc__": f"A {model._meta.verbose_name} as its CSV row."})

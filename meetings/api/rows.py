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


class RowSerializer(serializers.Serializer):
    """Subclassed once a resource by :func:`row_serializer`."""

    resource_class = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = self.resource_class()
        self.columns = [(f, self.fields[f.column_name]) for f in self.resource.get_export_fields()]

    def to_representation(self, instance):
        row = {}
        for field, described in self.columns:
            # The CSV's cell, with the spreadsheet's formula escape taken off again: JSON is
            # read by programs, never evaluated by a spreadsheet.
            cell = unescape_formula(self.resource.export_field(field, instance))
            if isinstance(described, (serializers.IntegerField, serializers.DateField)):
                cell = (int(cell) if isinstance(described, serializers.IntegerField) else cell) if cell != "" else None
            row[field.column_name] = cell
        return row


def row_serializer(resource_class, name=None):
    """A serializer whose fields are ``resource_class``'s export columns, in their order."""
    model = resource_class._meta.model
    fields = {f.column_name: column_field(model, f) for f in resource_class().get_export_fields()}
    name = name or f"{model.__name__}Row"
    return type(name, (RowSerializer,), {"resource_class": resource_class, **fields,
                                         "__doc__": f"A {model._meta.verbose_name} as its CSV row."})

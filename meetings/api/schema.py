"""What drf-spectacular needs told about the lists' filters to describe them in OpenAPI.

Imported by meetings.api.urls, which registers the extension as it loads."""
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import follow_field_source


class ListFilterExtension(DjangoFilterExtension):
    """The lists' repeatable key filters (meetings.filter_fields.keys_filter) name their key in
    the field path itself (countries__code, to_field_name code): the type is that field's."""

    target_class = "meetings.api.paging.ListFilterBackend"
    priority = 1

    def _get_model_field(self, filter_field, model):
        path = (filter_field.field_name or "").split("__")
        if path == [""]:
            return None
        if path[-1] != filter_field.extra.get("to_field_name"):
            return super()._get_model_field(filter_field, model)
        return follow_field_source(model, path, emit_warnings=False)

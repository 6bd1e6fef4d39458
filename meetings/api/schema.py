"""What drf-spectacular needs told about the lists' filters to describe them in OpenAPI, and
how its description is asked for in JSON or YAML.

Imported by meetings.api.urls, which registers the extension as it loads."""
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import follow_field_source
from rest_framework.negotiation import DefaultContentNegotiation

from meetings.datapackage import LICENCE


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


class FormatParameter(DefaultContentNegotiation):
    """?format=json or ?format=yaml on the OpenAPI description, as drf-spectacular documents it
    and as links to it were written. The API turns DRF's ?format= off (REST_FRAMEWORK), since on
    the lists it is the meetings' filter; the description takes no filter, so it keeps it,
    read here as if it were a format suffix (an unknown one is a 404, as before)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return super().select_renderer(request, renderers, format_suffix or request.query_params.get("format"))


def licence(result, generator, request, public):
    """The data's licence in the description's info (a drf-spectacular postprocessing hook):
    the release's, datapackage.LICENCE."""
    result["info"]["license"] = {"name": LICENCE["name"], "url": LICENCE["path"]}
    return result

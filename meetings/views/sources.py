"""The sources: each document with its text as shipped with defrel (so that a record's
source link leads to the very paragraph it quotes) and every record derived from it."""
from django.apps import apps
from django.shortcuts import get_object_or_404, render

from defrel.links import key_in_any_case
from defrel.models import Dated, Source, Sourced
from defrel.provenance import source_paragraphs
from meetings import tables

SHOWN_PER_KIND = 200  # records listed per kind on a source's page; the rest are counted


def sourced_models():
    """Every model whose records quote a source, in the order the apps define them."""
    return [model for model in apps.get_models() if issubclass(model, Sourced)]


def derived_from(source):
    """[(model, count, records shown)] of the records quoting ``source``: two queries a kind."""
    found = []
    for model in sourced_models():
        # a record's str() may name the record it belongs to (a milestone, its agreement)
        related = [f.name for f in model._meta.concrete_fields if f.many_to_one and f.name != "source"]
        records = model._default_manager.filter(source=source).select_related(*related)
        order = ["-date_lower", "pk"] if issubclass(model, Dated) else ["pk"]
        count = records.count()
        if count:
            found.append((model, count, list(records.order_by(*order)[:SHOWN_PER_KIND])))
    return found


def source_list(request):
    return render(request, "meetings/source_list.html", {"sources": Source.objects.all(),
                                                         "table": tables.table("sources")})


@key_in_any_case(Source)
def source_detail(request, key):
    source = get_object_or_404(Source, key=key)
    return render(request, "meetings/source_detail.html", {
        "source": source,
        # (only the shipped file a Source names, inside sources/: provenance.source_paragraphs)
        "paragraphs": source_paragraphs(source.filename),
        "kinds": [{"label": model._meta.verbose_name_plural, "count": count, "records": records,
                   "more": count - len(records)} for model, count, records in derived_from(source)],
    })

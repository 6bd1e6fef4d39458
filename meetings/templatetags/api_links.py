"""The links from a public list to its JSON twin (meetings.api) and to its CSV export."""
from django import template
from django.urls import reverse
from django.utils.http import urlencode

from defrel.exports import applied

register = template.Library()


@register.simple_tag(takes_context=True)
def twin(context, name):
    """The address ``name`` (the list's API twin or CSV export) with the filters the list
    being drawn shows: the parameters its FilterSet (``filter``) or filter form (``form``)
    takes, less those in error, which the page leaves out too (and which both refuse with a
    400). The page number and whatever else the address carries are left out: the API
    answers a parameter it does not know with a 400, and pages by its cursor."""
    request = context["request"]
    known, wrong = {}, {}
    if context.get("filter") is not None:
        known, wrong = context["filter"].filters, context["filter"].errors
    elif context.get("form") is not None:
        known, wrong = context["form"].fields, context["form"].errors
    kept = applied(request.GET, known, wrong)
    return reverse(name) + (f"?{urlencode(kept, doseq=True)}" if kept else "")

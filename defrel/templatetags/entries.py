"""``{{ entries|drawn }}``: a list of timeline entries drawn in one call (defrel.timeline.drawn);
``{{ records|drawn:"engagement" }}``: records of one registered kind, drawn as its entries."""
from django import template

from defrel import timeline

register = template.Library()


@register.filter
def drawn(entries, kind=None):
    if kind is not None:
        entries = [timeline.Entry(kind, record) for record in entries]
    return timeline.drawn(entries)

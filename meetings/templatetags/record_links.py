"""``{{ records|linked_names }}``: "Australia, India", each name a link to its record.

A filter rather than an included template: a list draws it in each of its 50 rows, and an
include costs about 0.1 ms a time (a fifth of a new search's page on SQLite)."""
from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.filter
def linked_names(records):
    return format_html_join(", ", '<a href="{}">{}</a>', ((r.get_absolute_url(), r.name) for r in records))

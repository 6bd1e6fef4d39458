"""Links a list page draws many times: ``{{ records|linked_names }}`` ("Australia, India", each
name a link to its record) in each of its 50 rows, and ``{{ facet.choices|facet_items }}``, a
facet's choices as list items, each a link that toggles its value, with its count (some 150
choices a page).

Filters rather than included templates or loops in the template (an include costs about
0.1 ms a time, a facet's choice 26 µs in the template's loop), and escaped with the standard
library's ``html.escape`` rather than through format_html(), whose checks for lazy strings
cost more than the escaping itself: a search's 142 choices in 1.2 ms instead of 2.5 with
format_html() and 3.7 in the template (bench/NOTES.md, "A list page's links")."""
import re

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from defrel.links import escaped
from defrel.models import listed, spaced
from defrel.search import KANA_KANJI
from meetings.models.agreements import STATED_BY, Status
from partners.readings import japanese_page

register = template.Library()

LINK = '<a href="{}">{}</a>'
ITEM = '<li><a href="{}"{}>{}{} <span class="count">{}</span></a></li>'
CURRENT = ' aria-current="true"'


@register.filter
def linked_names(records):
    return mark_safe(listed(LINK.format(escaped(r.get_absolute_url()), escaped(r.name)) for r in records))


@register.filter
def names(records, leave_out=""):
    """The records' names in a list of the page's language, but the one coded ``leave_out``
    (Japan, among an agreement's parties)."""
    return mark_safe(listed(escaped(r.name) for r in records if getattr(r, "code", None) != leave_out))


@register.filter
def facet_items(choices):
    selected = '<span class="visually-hidden"> {}</span>'.format(escaped(gettext("(selected; follow to remove)")))
    return mark_safe("\n".join(
        ITEM.format(escaped(choice.href), CURRENT if choice.selected else "", escaped(choice.label),
                    selected if choice.selected else "", escaped(localize(choice.count)))
        for choice in choices))


BADGE = '<span class="badge status-{}">{}</span>'
STATED_BY_HTML = '{}{}<small class="muted stated-by">{}</small>'  # the badge, spaced(), the date
MATRIX_ITEM = '<li><a href="{}">{}</a>{}<br>{}</li>'


@register.filter
def badge(status, agreement):
    """``{{ status|badge:agreement }}``: where ``agreement`` stands (a Status) as a badge; an
    undated status says the date of the source that states it ("in force by …"). On the
    matrix's cells, the agreements list, a partner's agreements and an agreement's page."""
    drawn = BADGE.format(escaped(status.value or "unknown"), escaped(str(status.label)))
    if status in STATED_BY.values() and (stated := agreement.stated_by):
        said = (gettext("(in force by %(date)s; since an unknown date)") if status == Status.IN_FORCE_BY
                else gettext("(signed by %(date)s; on an unknown date)"))
        drawn = STATED_BY_HTML.format(drawn, spaced(), escaped(said % {"date": stated.display()}))
    return mark_safe(drawn)


@register.filter
def matrix_items(cell):
    """A cell of the agreements matrix, [(agreement, status)], as list items: each agreement's
    short name (or title) linked, then its status (meetings.views.matrix.shows digests what
    these read: keep them in step)."""
    return mark_safe("".join(
        MATRIX_ITEM.format(escaped(agreement.get_absolute_url()), escaped(agreement.short_name or agreement.title),
                           f'<span class="visually-hidden"> ({escaped(agreement.title)})</span>'
                           if agreement.short_name else "", badge(status, agreement))
        for agreement, status in cell))


JAPANESE = re.compile(f"[{KANA_KANJI}]")


@register.filter
def aliases(names):
    """A record's other names, “ / ” between them; on an English page, those written in
    Japanese marked as Japanese (lang="ja"), as the page marks a name_ja, so that a screen
    reader reads them in a Japanese voice."""
    english = not japanese_page()
    return mark_safe(" / ".join(f'<span lang="ja">{escaped(name)}</span>' if english and JAPANESE.search(name)
                                else escaped(name) for name in names))

"""The site-wide search: every kind of record the query finds (defrel.search), grouped by
kind, each group with its count and a link to its own list filtered by the same query."""
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from defrel.search import LONGEST_QUERY, counts, matching, terms
from meetings.forms import SearchForm
from meetings.models import Agreement, Engagement, Exercise, Meeting
from partners.models import Country, Official

PER_KIND = 10  # records shown of each kind; the rest on the kind's own list
# (model, heading, the list that filters by ?q=, or None)
KINDS = [
    (Meeting, _("Meetings"), "meetings:meeting-list"),
    (Agreement, _("Agreements"), "meetings:agreement-list"),
    (Exercise, _("Exercises"), "meetings:exercise-list"),
    (Engagement, _("Engagements"), "meetings:engagement-list"),
    (Official, _("Officials"), "partners:official-list"),
    (Country, _("Countries and organisations"), None),
]


def found(model, query, n):
    """The first ``n`` records of ``model`` the query finds, in the order of its own list."""
    rows = model.objects.filter(matching(model, query))
    if model is Meeting:
        rows = rows.for_list()
    elif model in (Official, Country):
        rows = rows.in_name_order()
    return list(rows[:n])


def search(request):
    form = SearchForm(request.GET)
    query = form.valid().get("q", "").strip()
    groups = []
    if terms(query):
        counted = counts([model for model, _title, _list in KINDS], query)
        for model, title, list_name in KINDS:
            n = counted[model]
            if not n:
                continue
            groups.append({
                "id": model._meta.model_name,
                "title": title,
                "count": n,
                "rows": found(model, query, n if list_name is None else PER_KIND),
                "all_url": f"{reverse(list_name)}?{urlencode({'q': query})}" if list_name else None,
            })
    return render(request, "meetings/search.html", {
        "query": query if form.is_valid() else request.GET.get("q", ""), "form": form,
        "longest_query": LONGEST_QUERY, "searched": bool(terms(query)), "groups": groups,
        "total": sum(group["count"] for group in groups),
    })

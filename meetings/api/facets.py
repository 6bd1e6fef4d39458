"""The HTML list's facets (meetings.facets, drawn by the FilterSet) in both languages: the
counts are the page's own, remembered under the data stamp per language like the page's."""
from urllib.parse import urljoin

from django.utils import translation

from defrel.kept import cached


def drawn(facets):
    """[{param, title, choices: [{value, label, count, selected, href}]}] of Facet objects,
    read while the language that labels them is active."""
    return [{"param": f.param, "title": str(f.title), "choices": [
        {"value": c.value, "label": str(c.label), "count": c.count, "selected": c.selected, "href": c.href}
        for c in f.choices]} for f in facets]


def bilingual(build):
    """The facets ``build()`` gives (Facet objects), labelled ``_ja``/``_en`` like the CSV's
    columns; the order and the counts are the Japanese page's, the links relative ("?…", or
    "." for the list unfiltered)."""
    with translation.override("ja"):
        japanese = drawn(build())
    with translation.override("en"):
        english = {f["param"]: f for f in drawn(build())}
    both = []
    for facet in japanese:
        other = english.get(facet["param"], {"title": facet["title"], "choices": []})
        labels = {c["value"]: c["label"] for c in other["choices"]}
        both.append({"param": facet["param"], "title_ja": facet["title"], "title_en": other["title"],
                     "choices": [{"value": c["value"], "label_ja": c["label"],
                                  "label_en": labels.get(c["value"], c["label"]), "count": c["count"],
                                  "selected": c["selected"], "href": c["href"]} for c in facet["choices"]]})
    return both


def of_filterset(filterset, params):
    """The filterset's facets in both languages, kept with its counts until the data changes
    (both languages and every link drawn anew took more than the page's rows)."""
    stamp = filterset.data_stamp
    key = filterset.counts_key(params, f"api-facets:{params.get('sort', '')}")
    return cached(key, lambda: bilingual(lambda: filterset.facets(params, stamp)), stamp)


def linked(facets, request):
    """``facets`` with their links made absolute, as “next” is."""
    base = request.build_absolute_uri(request.path)
    return [{**facet, "choices": [{**c, "href": urljoin(base, c["href"])} for c in facet["choices"]]}
            for facet in facets]

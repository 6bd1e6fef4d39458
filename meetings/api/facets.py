"""The HTML list's facets (meetings.facets, drawn by the FilterSet) in both languages: the
counts are the page's own, remembered under the data stamp per language like the page's."""
from django.utils import translation


def drawn(facets, request):
    """[{param, title, choices: [{value, label, count, selected, href}]}] of Facet objects,
    read while the language that labels them is active."""
    return [{"param": f.param, "title": str(f.title), "choices": [
        {"value": c.value, "label": str(c.label), "count": c.count, "selected": c.selected,
         "href": request.build_absolute_uri(request.path + c.href)} for c in f.choices]}
        for f in facets]


def bilingual(build, request):
    """The facets ``build()`` gives (Facet objects), labelled ``_ja``/``_en`` like the CSV's
    columns; the order and the counts are the Japanese page's."""
    with translation.override("ja"):
        japanese = drawn(build(), request)
    with translation.override("en"):
        english = {f["param"]: f for f in drawn(build(), request)}
    both = []
    for facet in japanese:
        other = english.get(facet["param"], {"title": facet["title"], "choices": []})
        labels = {c["value"]: c["label"] for c in other["choices"]}
        both.append({"param": facet["param"], "title_ja": facet["title"], "title_en": other["title"],
                     "choices": [{"value": c["value"], "label_ja": c["label"],
                                  "label_en": labels.get(c["value"], c["label"]), "count": c["count"],
                                  "selected": c["selected"], "href": c["href"]} for c in facet["choices"]]})
    return both

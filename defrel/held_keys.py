"""The natural keys a model's records once held, read from django-simple-history's tables: a
record an editor deleted, or whose key an editor changed, is still found there under its old
key. No write outside the admin (a fixture load) may add it back under that key: that would
undo the editor's deletion, or make the renamed record twice."""
from collections import defaultdict
from itertools import product

from defrel.imports.history import history_model


def keys_let_go(model, *, using=None, values=None):
    """The natural keys (as ``natural_key()`` gives them) that ``model``'s history holds and
    none of its records holds now: records deleted, or whose key was changed, since. Empty
    for a model without history or natural key.

    A key read through a foreign key (a participation's ``meeting__key``) is stored in the
    history as the id it named, which may be gone too: the id's values are read from that
    model's table and history together. Queries: two for ``model`` and two for each model its
    key reads through, however many records; ``values`` (a dict) shares the latter across
    calls, so a meeting's keys are read once for the meetings and their participations."""
    history = history_model(model)
    paths = getattr(model, "natural_key_fields", ())
    if history is None or not paths:
        return frozenset()
    values = {} if values is None else values
    columns, readers = [], []
    for path in paths:
        name, rest = path.partition("__")[::2]
        field = model._meta.get_field(name)
        columns.append(field.attname)
        readers.append(values_by_id(field.related_model, rest, using, values) if rest else None)
    held = set()
    for row in history._default_manager.using(using).values_list(*columns).distinct():
        held.update(product(*[(value,) if read is None else read.get(value, ())
                              for value, read in zip(row, readers)]))
    if held:
        held.difference_update(model._default_manager.using(using).values_list(*paths))
    return frozenset(held)


def values_by_id(model, path, using, values):
    """id -> every value ``path`` has had on the ``model`` record of that id, now or before."""
    if (model, path) not in values:
        pk = model._meta.pk.attname  # the history keeps the record's own id under its name
        rows = list(model._default_manager.using(using).values_list(pk, path))
        history = history_model(model)
        if history is not None:
            rows += history._default_manager.using(using).values_list(pk, path).distinct()
        found = defaultdict(set)
        for key, value in rows:
            found[key].add(value)
        values[model, path] = found
    return values[model, path]

"""A choice's label for the many rows of one page.

Django's ``get_FOO_display()`` builds a dict of all the field's choices at every call, hashing
each lazily translated label on the way (a translation lookup each): about 30 µs a call. A
meeting list draws two of them in each of its 50 rows, 3 ms of a page of about 23 ms
(bench/NOTES.md, "Choice labels"). When the apps are ready, each model's ``get_FOO_display``
that Django made is given the field's choices read once; the label is still translated at each
call, into the language of the request."""
from functools import partialmethod

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def labelled(field):
    """``get_FOO_display`` of ``field``: Django's, with the choices read on the first call."""
    labels = {}

    def get_display(self):
        if not labels:
            labels.update(make_hashable(field.flatchoices))
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)

    get_display.__name__ = f"get_{field.name}_display"
    return get_display


def accepted_values(field):
    """The values a file may give for ``field``, as a cell holds them: "a, b, c" ('""' for
    the empty one). The data dictionary and the import's refusals both list them so."""
    return ", ".join(str(value) or '""' for value, _label in field.flatchoices)


def install(models):
    """Give every choice field of ``models`` whose ``get_FOO_display`` Django made (a model's
    own is left alone, as Django leaves it) the one above."""
    for model in models:
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            if field.choices is not None and isinstance(vars(model).get(name), partialmethod):
                setattr(model, name, labelled(field))

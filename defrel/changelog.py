"""What changed between two moments, read from django-simple-history's tables: the records
added, changed and deleted, by natural key. Writes that leave no history (QuerySet.update(),
bulk writes that do not write it themselves) are not seen; defrel's imports write it."""
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist


@dataclass
class Changes:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    deleted: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.added or self.changed or self.deleted)


def label(record):
    """A record as a reader finds it in the files: its natural key, "|"-joined when it has
    several parts (a participation: meeting|official)."""
    key = record.natural_key() if hasattr(record, "natural_key") else (record.pk,)
    return "|".join(str(part) for part in key)


def key_paths(model):
    """The relations its natural key reads through, read with the records (one query)."""
    return sorted({path.rsplit("__", 1)[0] for path in getattr(model, "natural_key_fields", ()) if "__" in path})


def changes(model, since, until):
    """The ``model`` records whose history has an entry after ``since`` (None: from the
    start) up to ``until``: added (created in the period and still there), changed (there
    before, still there), deleted (there at the end of the period no more). Sorted by label."""
    entries = model.history.filter(history_date__lte=until)
    if since is not None:
        entries = entries.filter(history_date__gt=since)
    kinds = defaultdict(list)  # id: history types, oldest first
    last = {}
    for entry in entries.order_by("history_date", "history_id").iterator():
        kinds[entry.id].append(entry.history_type)
        last[entry.id] = entry
    alive = model._default_manager.filter(pk__in=list(kinds)).select_related(*key_paths(model)).in_bulk()
    found = Changes()
    for pk, types in kinds.items():
        if pk not in alive:
            if types[-1] == "-" and types[0] != "+":  # a record added and deleted inside is no news
                found.deleted.append(deleted_label(last[pk]))
        elif "+" in types:
            found.added.append(label(alive[pk]))
        else:
            found.changed.append(label(alive[pk]))
    for names in (found.added, found.changed, found.deleted):
        names.sort()
    return found


def deleted_label(entry):
    """A deleted record's label from its last history entry; the id when what its key reads
    (a deleted meeting of a participation) is gone too."""
    try:
        return label(entry.instance)
    except ObjectDoesNotExist:
        return f"#{entry.id}"

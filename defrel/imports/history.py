"""simple-history's entries for records written without a save() of each (the import's
batches), or saved with their history held back until their links are set (the curated
fixtures): one entry per record, with the many-to-many links its history tracks."""
from collections import defaultdict

from django.conf import settings
from simple_history.utils import (get_change_reason_from_object, get_history_manager_for_model,
                                  get_m2m_field_name)

from defrel.imports.inserts import insert_entries, insert_rows
from defrel.imports.readahead import chunked
from defrel.queries import among


def has_history(model):
    """Whether writes of ``model`` leave history entries."""
    return bool(getattr(model._meta, "simple_history_manager_attribute", None)) and getattr(
        settings, "SIMPLE_HISTORY_ENABLED", True)


def history_model(model):
    """simple-history's model of ``model``'s entries; None when its writes leave none."""
    return get_history_manager_for_model(model).model if has_history(model) else None


def write_history(model, instances, history_type, now, using):
    """The entries of ``instances`` of ``model`` (as simple-history's bulk_history_create()
    makes them), each with its links as they are now; dated ``now`` unless an instance
    carries its own ``_history_date``."""
    history = history_model(model)
    if history is None:
        return
    instances = [i for i in instances if not hasattr(i, "skip_history_when_saving")]
    # The user of each entry, as simple-history finds it: an instance's own _history_user,
    # else the request's, which is the same for every instance and is asked once (asked for
    # each, it took 0.5 of the import's 9.6 processor seconds for 10,000 meetings).
    shared = instances and not any(hasattr(i, "_history_user") for i in instances)
    user = history.get_default_history_user(instances[0]) if shared else None
    entries = []
    for instance in instances:
        entry = {
            "history_date": getattr(instance, "_history_date", now),
            "history_type": history_type,
            "history_user": user if shared else history.get_default_history_user(instance),
            "history_change_reason": get_change_reason_from_object(instance),
            **{f.attname: getattr(instance, f.attname) for f in history.tracked_fields},
        }
        if hasattr(history, "history_relation"):
            entry["history_relation_id"] = instance.pk
        entries.append(entry)
    if not entries:
        return
    keys = insert_entries(history, entries, using)
    # simple-history's name for the many-to-many fields a history tracks.
    for m2m in getattr(history, "_history_m2m_fields", ()):
        write_history_links(history, m2m, instances, keys, using)


def write_history_links(history, m2m, instances, keys, using):
    """The links of ``m2m`` of each record, copied to its history entry (as simple-history
    copies them after a save)."""
    links_model = getattr(history, m2m.name).model
    through = m2m.remote_field.through
    source = through._meta.get_field(get_m2m_field_name(m2m)).attname
    columns = [f.attname for f in through._meta.concrete_fields]
    at = columns.index(source)
    links = defaultdict(list)
    for chunk in chunked([i.pk for i in instances]):
        for link in (through._base_manager.using(using)
                     .filter(among(chunk, source)).values_list(*columns)):
            links[link[at]].append(link)
    fields = [links_model._meta.get_field(c) for c in columns] + [links_model._meta.get_field("history")]
    insert_rows(links_model, fields, [(*link, key) for instance, key in zip(instances, keys)
                                      for link in links[instance.pk]], using)

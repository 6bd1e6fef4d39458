"""A deleted record brought back from its history brings back what its delete took with it:
the inline rows the database deleted with it (a meeting's participants, an agreement's
milestones, an official's tenures), and its place in the rows that outlived it (a milestone
reached at the meeting, saved without it by defrel.models.parent_deleting).

History keeps no mark of which delete removed a row; the delete's rows are written in its
one transaction, by the same editor, just before the record's own entry. A row whose last
entry is such is taken as the delete's, and the editor is told which rows came back."""
from datetime import timedelta

from django.db import models

from defrel.changes import inline_models

# From a row's entry to the record's own, in one delete: "delete selected" of many records
# takes longest, its rows all written before the records' entries.
WITHIN = timedelta(minutes=1)


def brought_back_with(record, using):
    """Bring back the rows ``record``'s latest delete removed or unlinked; the rows, saved."""
    model = type(record)
    deleted = (model.history.filter(**{model._meta.pk.attname: record.pk}, history_type="-")
               .order_by("-history_date").first())
    if deleted is None:
        return []
    in_the_delete = {"history_date__gte": deleted.history_date - WITHIN,
                     "history_date__lte": deleted.history_date, "history_user_id": deleted.history_user_id}
    restored = []
    for row_model, fk in inline_models(model):
        rows = row_model._base_manager.using(using)
        pk = row_model._meta.pk.attname
        if fk.remote_field.on_delete is models.CASCADE:
            entries = row_model.history.filter(**{fk.attname: record.pk}, history_type="-", **in_the_delete)
            gone = entries.exclude(**{f"{pk}__in": rows.values(pk)})
        else:  # SET_NULL: saved without the record; its previous entry had it
            gone = row_model.history.filter(**{f"{fk.attname}__isnull": True}, history_type="~", **in_the_delete)
        for entry in gone.order_by("history_date"):
            if row_model.history.filter(**{pk: getattr(entry, pk)}).latest("history_date") != entry:
                continue  # written again since: an editor's, not the delete's
            if fk.remote_field.on_delete is models.CASCADE:
                row = entry.instance
            else:
                before = entry.prev_record
                if before is None or getattr(before, fk.attname) != record.pk:
                    continue
                row = rows.get(**{pk: getattr(entry, pk)})
                setattr(row, fk.attname, record.pk)
            row.save(using=using)
            restored.append(row)
    return restored

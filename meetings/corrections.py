"""Corrections of curated values in a database loaded before (a data-correction migration).

``load_curated`` never overwrites a record that is there, so a value corrected in fixtures/
reaches such a database only by migration. A value is changed only where it is still exactly
as curated: an editor's change is kept. The record's version moves, so that a form opened
before cannot save the old value back; its history gets an entry ("changed", with the reason),
so that its history page and the next release's changelog show the correction; what is derived
from the values is derived again (date bounds, titles at the time, the search documents of the
record and of the records that name it).

The functions take the models from the migration's ``apps``, so that they run on the models as
they are at that migration (and on the current ones, when a test calls a migration's function
with django.apps.apps)."""
from django.apps import apps as installed
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.utils import timezone

from defrel import dates, search_index
from meetings.models.titles import store_titles
from meetings.models.venues import store_venues

REASON = "curated correction: read again against its source"
HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def correct(apps, schema_editor, label, corrections, reason=REASON):
    """Apply ``corrections`` ({key: {field: (as curated, corrected)}}) to the ``label``
    ("meetings.Meeting") records with those keys; returns the keys of the records changed."""
    using = schema_editor.connection.alias if schema_editor is not None else "default"
    model = apps.get_model(label)
    records = model._base_manager.using(using)
    changed = []
    for key, fields in corrections.items():
        record = records.filter(key=key).first()
        if record is None:
            continue
        values = {name: now for name, (was, now) in fields.items() if getattr(record, name) == was}
        if not values:
            continue
        if "date" in values:
            day = dates.parse(values["date"])
            values.update(date_lower=day.lower, date_upper=day.upper)
        # Only where each value is still as curated, in the same statement.
        unchanged = {name: fields[name][0] for name in values if name in fields}
        if records.filter(pk=record.pk, **unchanged).update(**values, version=F("version") + 1):
            record.refresh_from_db(using=using)
            write_entry(apps, model, record, reason, using)
            changed.append((key, record.pk, set(values)))
    if changed:
        derive_again(apps, model, [(pk, names) for _key, pk, names in changed], using)
    return [key for key, _pk, _names in changed]


def write_entry(apps, model, record, reason, using):
    """A "changed" history entry of ``record`` as it is now, with its many-to-many links."""
    try:
        history = apps.get_model(model._meta.app_label, f"Historical{model._meta.object_name}")
    except LookupError:
        return
    entry = history._base_manager.using(using).create(
        history_date=timezone.now(), history_type="~", history_change_reason=reason, history_user=None,
        **{field.attname: getattr(record, field.attname) for field in history._meta.concrete_fields
           if field.name not in HISTORY_FIELDS and hasattr(record, field.attname)})
    for m2m in model._meta.many_to_many:
        try:
            links = apps.get_model(model._meta.app_label, f"{history._meta.object_name}_{m2m.name}")
        except LookupError:
            continue  # a relation its history does not track
        through = m2m.remote_field.through
        own, other = m2m.m2m_column_name(), m2m.m2m_reverse_name()
        links._base_manager.using(using).bulk_create([
            links(id=row["id"], history=entry, **{own: row[own], other: row[other]})
            for row in through._base_manager.using(using).filter(**{own: record.pk}).values("id", own, other)])


def derive_again(apps, model, changed, using):
    """What the stored values derive from the corrected ones, as a save would derive it."""
    pks = [pk for pk, _fields in changed]
    if model._meta.label == "meetings.Meeting":
        store_venues(model._base_manager.using(using).filter(pk__in=pks))
        dated = [pk for pk, fields in changed if "date" in fields]
        if dated:
            participation = apps.get_model("meetings", "Participation")
            store_titles(participation._base_manager.using(using).filter(meeting__in=dated))
    current = installed.get_model(model._meta.label)
    for owner, lookup in [(current, None), *search_index.DEPENDENTS.get(current, [])]:
        historical = apps.get_model(owner._meta.label)
        ids = pks if lookup is None else list(
            historical._base_manager.using(using).filter(**{f"{lookup}__in": pks}).values_list("pk", flat=True))
        paths = [path for path in search_index.PATHS.get(owner, []) if resolves(historical, path)]
        if ids and paths:
            search_index.rebuild(historical, ids, using, paths=paths)


def resolves(model, path):
    """Whether ``model`` (as it is at the migration) has the field ``path`` reads."""
    *relations, name = path.split("__")
    for relation in relations:
        try:
            model = model._meta.get_field(relation).related_model
        except FieldDoesNotExist:
            return False
    return model is not None and any(field.name == name for field in model._meta.get_fields())


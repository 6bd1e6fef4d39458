"""Versions that refuse a stale form: a counter on each editable record (Versioned), bumped
on every save of the record and of the rows edited as part of it (InlineRow: a meeting's
participants, an agreement's milestones), whatever writes them, and the deletes that change
the records linking to what they delete."""
from collections import defaultdict

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A counter bumped on every save, and on every write of the record's inline rows
    (InlineRow), so an admin form can tell that the record changed after the editor opened it
    (two editors, one record: the second save is refused). It may rise by more than one in a
    save (once for the record, once for each inline row written)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)


def bump_versions(model, pks, using=None):
    """Give the ``model`` records with ``pks`` a new version, in one UPDATE."""
    pks = {pk for pk in pks if pk is not None}
    if pks:
        model._base_manager.using(using).filter(pk__in=pks).update(version=F("version") + 1)


class InlineRow(models.Model):
    """A row edited as part of larger records, its ``version_parents`` (a meeting's
    participant, an agreement's milestone): writing it changes their version too, whatever
    writes it, so an editor who opened one of them cannot save the old rows back over it.

    Saves and deletes (a queryset's and a cascade's too) do so through signals
    (:func:`connect_inline_rows`); writes without them (imports in bulk) call
    :func:`bump_parents` themselves."""

    version_parents = ()  # names of foreign keys to Versioned records

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        # The parents it had when read: moving it to another parent changes both.
        record._loaded_parents = record.parent_ids()
        return record

    def parent_ids(self):
        return {name: self.__dict__.get(self._meta.get_field(name).attname) for name in self.version_parents}


def loaded_parents(row, using=None):
    """The parents ``row`` had when read (InlineRow.from_db). A row saved over a stored one
    without having been read (a revert rebuilds it from its history) is given those the
    database holds, read once: moved back to another parent, it changes the one it leaves
    as well as the one it joins."""
    if not hasattr(row, "_loaded_parents"):
        stored = None
        if row.pk is not None and not row._state.adding:
            attnames = {name: row._meta.get_field(name).attname for name in row.version_parents}
            stored = (type(row)._base_manager.using(using or row._state.db or DEFAULT_DB_ALIAS)
                      .filter(pk=row.pk).values(*attnames.values()).first())
        row._loaded_parents = {name: stored[attname] for name, attname in attnames.items()} if stored else {}
    return row._loaded_parents


def bump_parents(rows, using=None):
    """The one rule for inline rows written (``rows``, InlineRow instances, before or after
    the write): each of their parents, old and new, gets a new version, one UPDATE a model.
    A parent held in memory (the record an admin form is saving) is counted along, so that
    saving it again cannot write a version number already used."""
    pks, held = defaultdict(set), {}
    for row in rows:
        if not isinstance(row, InlineRow):
            continue
        for name, pk in [*getattr(row, "_loaded_parents", {}).items(), *row.parent_ids().items()]:
            field = row._meta.get_field(name)
            pks[field.related_model].add(pk)
            parent = field.get_cached_value(row, None)
            if parent is not None and parent.pk is not None:
                held[id(parent)] = parent
    for model, keys in pks.items():
        bump_versions(model, keys, using)
    for parent in held.values():
        parent.version += 1


# Sent by writes that bypass save() (imports in bulk) once records of ``sender`` and their
# links are written, with ``instances`` and ``using``: what other tables derive from them
# (the title at the time) is brought up to date in the same transaction.
rows_written = Signal()


def row_saving(sender, instance, raw=False, using=None, **kwargs):
    if not raw:  # fixtures load records as they were, versions included
        loaded_parents(instance, using)
        bump_parents([instance], using)


def row_saved(sender, instance, **kwargs):
    instance._loaded_parents = instance.parent_ids()


def row_deleting(sender, instance, using=None, **kwargs):
    bump_parents([instance], using)


def parent_deleting(sender, instance, using=None, **kwargs):
    """A parent about to be deleted: its rows that outlive it (SET_NULL: a milestone reached at
    a meeting) are saved without it, as an editor would clear the field, so their history
    and their other parents' versions record the change. The database's SET NULL, which
    follows, would write neither."""
    for model, name in OUTLIVING.get(sender, ()):
        for row in model._default_manager.using(using).filter(**{name: instance}):
            setattr(row, name, None)
            row.save(using=using)


OUTLIVING = defaultdict(list)  # a parent model -> [(InlineRow model, foreign key)] set to NULL


def linked_deleting(sender, instance, using=None, **kwargs):
    """A record about to be deleted: the versioned records that link to it (the meetings at
    which an exercise was observed, the engagements naming an official) lose the link as an
    editor would take it off, and are saved, so that their history records it and forms
    opened before are refused. The database's cascade, which follows, would do neither."""
    for model, name in LINKING.get(sender, ()):
        for record in model._default_manager.using(using).filter(**{name: instance}):
            record.skip_history_when_saving = True  # one entry, the save's, links as they are
            getattr(record, name).remove(instance)
            del record.skip_history_when_saving
            record.save(using=using)


LINKING = defaultdict(list)  # a model -> [(Versioned model, many-to-many field to it)]


def connect_links():
    """linked_deleting for every model a Versioned record links to through a plain
    many-to-many field (one whose link rows are Django's own, not an InlineRow)."""
    from django.apps import apps
    from django.db.models.signals import pre_delete

    for model in apps.get_models():
        if not issubclass(model, Versioned):
            continue
        for field in model._meta.local_many_to_many:
            if field.remote_field.through._meta.auto_created and (model, field.name) not in LINKING[field.related_model]:
                LINKING[field.related_model].append((model, field.name))
                pre_delete.connect(linked_deleting, sender=field.related_model,
                                   dispatch_uid=f"linked-delete-{field.related_model._meta.label}")


def connect_inline_rows():
    """The rule on every save and delete of an InlineRow model. The parents are bumped
    before the row is written, so their rows are locked first, in the order a parent's
    admin form locks them (the record, then its rows)."""
    from django.apps import apps
    from django.db.models.signals import post_save, pre_delete, pre_save

    for model in apps.get_models():
        if issubclass(model, InlineRow) and model.version_parents:
            label = model._meta.label
            pre_save.connect(row_saving, sender=model, dispatch_uid=f"inline-save-{label}")
            post_save.connect(row_saved, sender=model, dispatch_uid=f"inline-saved-{label}")
            pre_delete.connect(row_deleting, sender=model, dispatch_uid=f"inline-delete-{label}")
            for name in model.version_parents:
                field = model._meta.get_field(name)
                outliving = OUTLIVING[field.related_model]
                if field.remote_field.on_delete is models.SET_NULL and (model, name) not in outliving:
                    outliving.append((model, name))
                    pre_delete.connect(parent_deleting, sender=field.related_model,
                                       dispatch_uid=f"inline-parent-delete-{field.related_model._meta.label}")

"""Counts of the public lists (facets, totals) cached until the published data changes.

Counting 100,000 meetings by partner, official, level and year takes about a second; the
answer only changes when an editor saves. Every committed write to the curated apps gives
``DataStamp`` a new random token (once per transaction, after the commit), and cached
counts are keyed on it, so each worker process sees a change at its next request. A token
is random rather than a counter so that a rolled-back transaction can never bring back a
number whose cached counts described other data.

Writes that send no model signals (bulk_create in an import, ``synth``, ``restore``) call
:func:`bump` themselves.
"""
import uuid

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.functional import SimpleLazyObject

from defrel.models import DataStamp, PendingImport

TIMEOUT = 24 * 3600  # a backstop: a bump lost to a crash after a commit heals within a day


def token():
    return DataStamp.objects.filter(pk=1).values_list("token", flat=True).first() or "0"


def bump(using=DEFAULT_DB_ALIAS):
    new = uuid.uuid4().hex
    stamps = DataStamp.objects.using(using)
    if not stamps.filter(pk=1).update(token=new):  # the first write ever, perhaps two at once
        stamps.bulk_create([DataStamp(pk=1, token=new)], ignore_conflicts=True)


def bump_on_commit(using=DEFAULT_DB_ALIAS):
    """Bump once when the current transaction commits, however many rows it wrote. A
    rolled-back transaction (or savepoint) drops the pending bump with its other writes."""
    connection = connections[using]
    if any(getattr(func, "defrel_bump_pending", False) for _ids, func, *_rest in connection.run_on_commit):
        return

    def run():
        run.defrel_bump_pending = False
        bump(using)

    run.defrel_bump_pending = True
    transaction.on_commit(run, using=using)


def context(request):
    """Template context for ``{% cache stamp_timeout name data_stamp … %}``: what a page draws
    from the data is kept until the data changes. The stamp is read only by a page that
    uses it."""
    return {"data_stamp": SimpleLazyObject(token), "stamp_timeout": TIMEOUT}


def cached(key, compute, stamp):
    """``compute()``, remembered under ``key`` until the data changes."""
    key = f"defrel:{stamp}:{key}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def changed(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    bump_on_commit(using)


def imported(sender, model=None, **kwargs):
    bump_on_commit()


def curated_models():
    """The models of the published data: those of every app whose AppConfig says
    ``curated = True``, less their history, the stamp and uploads waiting for confirmation."""
    return [model for config in apps.get_app_configs() if getattr(config, "curated", False)
            for model in config.get_models()
            if model not in (DataStamp, PendingImport) and not model.__name__.startswith("Historical")
            and not getattr(model, "derived", False)]


def connect():
    from import_export.signals import post_import

    post_import.connect(imported, dispatch_uid="stamp-import")  # imports may write in bulk
    for model in curated_models():
        post_save.connect(changed, sender=model, dispatch_uid=f"stamp-save-{model._meta.label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"stamp-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(changed, sender=field.remote_field.through,
                                dispatch_uid=f"stamp-m2m-{field.remote_field.through._meta.label}")

"""How each write renews the data stamps (defrel.stamp) of what it touched: the signal handlers
that find a saved, deleted or linked record's table, partners and block, and whether a save
changed only texts no count reads, and bump them once when the transaction commits."""
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from defrel.stamp import (
    any_block, any_partner, block, blocks_of, bump_on_commit, curated_models, partner, partner_scoped,
    pending_bump, table, tables,
)

# Past this many records written in one transaction (an import through the admin), their
# partners are no longer looked up one by one: the write counts for every partner.
PARTNERS_LOOKED_UP = 50


def partners_of(instance, using):
    """The partners ``instance`` belongs to, or None when that is not looked up (not a
    partner-scoped record, or too many written in this transaction to look each up)."""
    if not partner_scoped(type(instance)) or instance.pk is None:
        return None
    if not looking_up(using):
        return None
    return set(instance.stamp_partners())


def looking_up(using):
    """Whether the partners of one more record written in this transaction are looked up."""
    if not connections[using].in_atomic_block:
        return True
    pending = pending_bump(using)
    pending.looked_up += 1
    return pending.looked_up <= PARTNERS_LOOKED_UP


def remember_partners(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    """Before a delete: the partners the record belongs to (its links go with it)."""
    if partner_scoped(sender):
        instance.__dict__["_stamp_partners"] = partners_of(instance, using)


def before_save(sender, instance, using=DEFAULT_DB_ALIAS, raw=False, **kwargs):
    """Before a save: the partners and the block of the record as stored (a meeting moved
    from Australia to Peru leaves both profiles; a participant moved to another meeting, both
    meetings' blocks), and whether it changes texts alone."""
    instance.__dict__.pop("_stamp_texts_only", None)  # a failed save's is not this one's
    if raw or instance.pk is None or not (partner_scoped(sender) or getattr(sender, "stamp_block_of", None)
                                          or hasattr(sender, "stamp_unsummarised")):
        return
    if not looking_up(using):
        instance.__dict__["_stamp_partners"] = None  # counts for every partner
        instance.__dict__["_stamp_blocks"] = None  # and, if it moved, for any block
        return
    stored = sender._base_manager.using(using).filter(pk=instance.pk).first()
    if stored is not None:
        instance.__dict__["_stamp_texts_only"] = texts_only(sender, stored, instance)
        if partner_scoped(sender):
            instance.__dict__["_stamp_partners"] = set(stored.stamp_partners())
        instance.__dict__["_stamp_blocks"] = blocks_of(stored)


def texts_only(model, stored, instance):
    """Whether saving ``instance`` changes only fields no cached count reads (the model's
    ``stamp_unsummarised``) of the row as ``stored``."""
    unsummarised = getattr(model, "stamp_unsummarised", None)
    return unsummarised is not None and all(
        getattr(stored, field.attname) == getattr(instance, field.attname)
        for field in model._meta.concrete_fields if field.name not in unsummarised)


def changed(sender, instance=None, using=DEFAULT_DB_ALIAS, raw=False, **kwargs):
    flagged = instance is not None and instance.__dict__.pop("_stamp_texts_only", False)
    # Only the save of a row already there can correct a text alone: never a delete.
    texts = flagged and not raw and kwargs.get("created") is False
    if texts:  # a text corrected: the pages that show it, not the counts
        scopes = {table(sender)}
        instance.__dict__.pop("_stamp_blocks", None)
    else:
        scopes = tables(sender)
    if partner_scoped(sender):
        before = instance.__dict__.pop("_stamp_partners", set()) if instance is not None else None
        now = None if raw or instance is None else partners_of(instance, using)
        scopes |= partner_scopes(sender, None if before is None or now is None else before | now, texts)
    if not texts:
        scopes |= changed_blocks(sender, instance, raw)
    bump_on_commit(using, scopes)


def partner_scopes(model, pks, texts=False):
    """The partner scopes a write to ``model``'s records renews: those of the partners ``pks``
    (None: not known, so every partner's), and their summarised scopes unless the write
    corrected texts alone."""
    kinds = (False,) if texts else (False, True)
    if pks is None:
        return {any_partner(model, summaries) for summaries in kinds}
    return {partner(pk, model, summaries) for pk in pks if pk is not None for summaries in kinds}


def changed_blocks(sender, instance, raw):
    """The blocks a write to ``instance`` renews: the ones it counts in now and before (a
    participant moved to another meeting leaves one block for another); any block when
    where it was before is unknown (a fixture's raw save, too many writes to look each up)."""
    now = blocks_of(instance) if instance is not None else set()
    if getattr(sender, "stamp_blocked", False) or not getattr(sender, "stamp_block_of", None):
        return now  # a row's own block does not move
    before = instance.__dict__.pop("_stamp_blocks", set()) if instance is not None else None
    if raw or before is None or instance is None:
        related = sender._meta.get_field(sender.stamp_block_of).related_model
        return now | {any_block(related)}
    return now | before


def links_changed(sender, instance, action, model, pk_set=None, using=DEFAULT_DB_ALIAS, **kwargs):
    """A many-to-many change counts as a write to the model that owns the link, for the
    partners its record belonged to before and after."""
    owner = links_owner(sender)
    if action.startswith("pre_"):
        if isinstance(instance, owner):
            instance.__dict__["_stamp_partners"] = partners_of(instance, using)
        return
    if not isinstance(instance, owner):  # changed from the other side: which records, unknown
        bump_on_commit(using, {*tables(owner), *partner_scopes(owner, None), *owners_blocks(owner, pk_set)}
                       | ({table(sender)} if sender is not owner else set()))
        return
    changed(owner, instance, using)
    if sender is not owner:
        bump_on_commit(using, {table(sender)})


def owners_blocks(owner, pk_set):
    """The blocks of the owners of links changed from the other side (country.meetings.add(…)):
    those of the ids given, or any block when none are (a clear)."""
    if not getattr(owner, "stamp_blocked", False):
        return set()
    return {block(owner, pk) for pk in pk_set} if pk_set else {any_block(owner)}


def links_owner(through):
    """The model whose field a many-to-many table serves."""
    for model in curated_models():
        for field in model._meta.local_many_to_many:
            if field.remote_field.through is through:
                return model
    return through


def imported(sender, model=None, **kwargs):
    bump_on_commit()


def connect():
    from import_export.signals import post_import

    post_import.connect(imported, dispatch_uid="stamp-import")  # imports may write in bulk
    for model in curated_models():
        label = model._meta.label
        pre_save.connect(before_save, sender=model, dispatch_uid=f"stamp-pre-save-{label}")
        pre_delete.connect(remember_partners, sender=model, dispatch_uid=f"stamp-pre-delete-{label}")
        post_save.connect(changed, sender=model, dispatch_uid=f"stamp-save-{label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"stamp-delete-{label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(links_changed, sender=field.remote_field.through,
                                dispatch_uid=f"stamp-m2m-{field.remote_field.through._meta.label}")


"""Keeping the search documents (defrel.search) current on every write path.

Each app registers its searchable models with the paths of the texts their documents hold
(``register(Meeting, ["title_ja", "countries__name_en", …])``). From the paths follows which
writes change which documents: a meeting's own save, a partner's rename (every document naming
it), a participant added or removed. Documents are rebuilt, in the writer's transaction, after

- save() and delete() of a record or of one it names (post_save, pre/post_delete: admin
  forms and inlines, fixtures loaded raw, the shell);
- many-to-many links set, added, removed or cleared (m2m_changed);
- records written in bulk by the import (defrel.models.rows_written);

and ``deferred()`` gathers them into one rebuild at its end (load_curated). A restore copies
the documents and their indexes with every other table.
"""
import threading
from collections import defaultdict
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from defrel import dates
from defrel.derived import deriving_at_the_end
from defrel.imports.inserts import insert_rows
from defrel.queries import among
from defrel.search import SearchDocument, document, kind_of

BATCH = 2000
DOCUMENT_FIELDS = [SearchDocument._meta.get_field(name) for name in ("kind", "record_id", "text")]
# A partner's one-character short form is written after 日 in the documents (日豪, 日韓, 日米):
# the documents of the records it names hold both.
SHORT_FORMS = "short_ja"
JAPAN_SHORT = "日"
# A record's date (defrel.dated.Dated: its own, or its milestones' for an agreement) is found
# as the pages write it, not only as its EDTF text: readers type what they read (2024年5月).
DATE = "date"

PATHS = {}  # model -> [path, …]
DEPENDENTS = defaultdict(list)  # a model whose rows are named -> [(model of the document, lookup)]
LINKS = defaultdict(list)  # a many-to-many through model -> [(model, lookup to its owner, field)]
_pending = threading.local()


def register(model, paths):
    """``model``'s records have documents made of ``paths`` (field names, or lookups through
    relations: countries__name_en)."""
    PATHS[model] = list(paths)
    for path in paths:
        parts = path.split("__")[:-1]
        current = model
        for depth, name in enumerate(parts, start=1):
            field = current._meta.get_field(name)
            lookup, before = "__".join(parts[:depth]), "__".join(parts[:depth - 1])
            if field.many_to_many:
                add_link(field.remote_field.through, (model, before, field))
            elif field.one_to_many:  # rows of a through model written by add() have no save()
                for m2m in current._meta.many_to_many:
                    if m2m.remote_field.through is field.related_model:
                        add_link(m2m.remote_field.through, (model, before, m2m))
            current = field.related_model
            if (model, lookup) not in DEPENDENTS[current]:
                DEPENDENTS[current].append((model, lookup))
    connect()


def add_link(through, link):
    if link not in LINKS[through]:
        LINKS[through].append(link)


def texts_of(model, ids, using, paths=None):
    """{id: [texts]} of those of ``model``'s records ``ids`` that exist: a query for its own
    fields and one per relation the paths cross."""
    groups = defaultdict(list)
    for path in paths or PATHS[model]:
        groups[path.rpartition("__")[0]].append(path)
    manager = model._base_manager.using(using)
    # among(): the ids as one parameter; as an IN list of a parameter each, the driver's
    # parsing of the queries took 0.4 of a 10,000-meeting import's 9.1 processor seconds.
    texts = {}
    for prefix, paths in sorted(groups.items()):  # its own fields ("") first
        for pk, *values in manager.filter(among(ids)).order_by().values_list("pk", *paths):
            if prefix and pk not in texts:
                continue
            found = texts.setdefault(pk, [])
            for path, value in zip(paths, values):
                if value is None or value == "":
                    continue
                found.append(str(value))
                if path.endswith(SHORT_FORMS) and value != JAPAN_SHORT:
                    found.append(JAPAN_SHORT + value)
                elif path.rpartition("__")[2] == DATE:  # its own or its milestones' (events__date)
                    found += spelled(value)
    return texts


def spelled(date):
    """An EDTF date as the site writes it in each language (2024年9月～10月, since April 2024)
    and each of its ends alone, so that 2024年10月 finds an interval ending then."""
    try:
        parsed = dates.parse(date, allow_unknown_start=True)
    except ValidationError:  # a historical row saved before the rule: its EDTF text only
        return []
    ends = [end for end in (parsed.start, parsed.end) if end is not None]
    return [text for lang in ("ja", "en") for text in (parsed.display(lang), *(end.label(lang) for end in ends))]


def rebuild(model, ids, using="default", paths=None):
    """Write anew the documents of ``model``'s records ``ids`` (removing those of records
    that no longer exist); ``paths`` for a migration's historical model."""
    ids = list(set(ids))
    if not ids or (paths is None and model not in PATHS):
        return
    if getattr(_pending, "models", None) is not None:
        _pending.models[(model, using)].update(ids)
        return
    kind = kind_of(model)
    documents = SearchDocument._base_manager.using(using)
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        texts = texts_of(model, batch, using, paths)
        # _raw_delete (private, stable since Django 1.x): one DELETE, where delete() would
        # first read the rows when any signal listens to every model.
        documents.filter(among(batch, "record_id"), kind=kind)._raw_delete(using)
        # insert_rows(): COPY on PostgreSQL, the texts streamed rather than quoted into one
        # statement: 10,000 meetings' documents written anew in 4.4 s instead of 4.9, 0.9
        # processor seconds instead of 1.3 (bulk_create()). Given as a generator, each
        # document is normalised while PostgreSQL indexes the ones sent before it.
        if texts:
            insert_rows(SearchDocument, DOCUMENT_FIELDS,
                        ((kind, pk, document(found)) for pk, found in texts.items()), using)


def rebuild_all(using="default", models=None):
    """Every document anew (after writes that bypass all of the above, as bench/synth's);
    returns how many were written."""
    written = 0
    for model in models or list(PATHS):
        SearchDocument._base_manager.using(using).filter(kind=kind_of(model))._raw_delete(using)
        ids = list(model._base_manager.using(using).order_by("pk").values_list("pk", flat=True))
        rebuild(model, ids, using)
        written += len(ids)
    compact(using)
    return written


def compact(using="default"):
    """The SQLite full-text index merged into one piece, after documents were written anew in
    bulk (a migration, bench/synth). Rewriting 100,000 documents left it in pieces, the old
    entries marked deleted, and a new search then took 101 ms of processor instead of 64
    until it was merged (bench/NOTES.md). PostgreSQL's trigram index needs nothing of the
    kind: its pending entries are merged by autovacuum."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        table = SearchDocument._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('optimize')")


@contextmanager
def deferred():
    """Gather the rebuilds of the writes inside into one at the end (many records saved one
    by one, each naming the others: the curated fixtures)."""
    if getattr(_pending, "models", None) is not None:
        yield
        return
    _pending.models = defaultdict(set)
    try:
        yield
        pending = _pending.models
    finally:
        _pending.models = None
    for (model, using), ids in pending.items():
        rebuild(model, ids, using)


# While an import writes its documents, PostgreSQL's trigram index gathers their entries in
# its pending list instead of placing each in the index as it comes; at the end they are
# sorted and placed at once. With the defaults (a 4 MB list, 4 MB to sort it in) the list was
# merged every few hundred documents, each time into the whole index. The 10,000-row import,
# rolled back, on a 100,000-meeting database: 11.34 → 10.74 s (bench/NOTES.md, "The import's
# trigram entries placed at once").
BULK_SETTINGS = {"gin_pending_list_limit": "64MB", "work_mem": "64MB"}
TRIGRAM_INDEX = f"{SearchDocument._meta.db_table}_trgm"  # defrel/migrations/0006


@contextmanager
def written_in_bulk(using):
    """Many documents written inside (an import), in the transaction under way: on PostgreSQL
    their index entries placed at its end, so that no reader after it searches a long pending
    list (a preview's too: its entries stay in the list when it is rolled back). Elsewhere,
    or outside a transaction, nothing changes."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    names = list(BULK_SETTINGS)
    with connection.cursor() as cursor:
        # Only the index's owner (the role that ran the migrations) may merge its list.
        cursor.execute("SELECT pg_has_role(relowner, 'MEMBER'), %s FROM pg_class WHERE oid = %%s::regclass"
                       % ", ".join(["current_setting(%s)"] * len(names)), [*names, TRIGRAM_INDEX])
        owner, *before = cursor.fetchone()
    if not owner:
        yield
        return
    set_locally(connection, BULK_SETTINGS)
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [TRIGRAM_INDEX])
    set_locally(connection, dict(zip(names, before)))


def set_locally(connection, settings):
    """SET LOCAL of each of ``settings`` ({name: value}), in one statement: the transaction's
    own, whatever pgbouncer does with the session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
                       [value for item in settings.items() for value in item])


def affected(model, pks, using):
    """{model of a document: ids} whose documents name ``model``'s rows ``pks``."""
    found = {}
    if model in PATHS:
        found[model] = set(pks)
    for owner, lookup in DEPENDENTS.get(model, ()):
        found.setdefault(owner, set()).update(owner._base_manager.using(using).filter(
            among(pks, lookup)).values_list("pk", flat=True))
    return found


def rebuild_affected(model, pks, using):
    for owner, ids in affected(model, pks, using).items():
        rebuild(owner, ids, using)


def saving(sender, instance, using=None, raw=False, **kwargs):
    # The documents that named the row as it was (a participant moved to another meeting).
    if instance.pk is not None and not raw and sender in DEPENDENTS and not deriving_at_the_end():
        instance._search_before = affected(sender, [instance.pk], using or router.db_for_write(sender))


def saved(sender, instance, using=None, **kwargs):
    if deriving_at_the_end():
        return
    using = using or router.db_for_write(sender)
    found = affected(sender, [instance.pk], using)
    for owner, ids in getattr(instance, "_search_before", {}).items():
        found.setdefault(owner, set()).update(ids)
    instance._search_before = {}
    for owner, ids in found.items():
        rebuild(owner, ids, using)


def deleting(sender, instance, using=None, **kwargs):
    # Found before the row goes: afterwards nothing leads from it to the documents naming it.
    instance._search_affected = affected(sender, [instance.pk], using)


def deleted(sender, instance, using=None, **kwargs):
    for owner, ids in getattr(instance, "_search_affected", {}).items():
        rebuild(owner, ids, using)


def linked(sender, instance, action, reverse, model, pk_set, using=None, **kwargs):
    """Many-to-many links changed: the documents of their owners' side."""
    if deriving_at_the_end():
        return
    for owner, lookup, field in LINKS.get(sender, ()):
        if not reverse:  # ``instance`` is the field's own side
            side_pks = [instance.pk]
        elif action == "pre_clear":
            accessor = field.remote_field.get_accessor_name()
            instance._search_cleared = list(getattr(instance, accessor).values_list("pk", flat=True))
            continue
        else:
            side_pks = list(pk_set or ()) or getattr(instance, "_search_cleared", [])
        if action not in ("post_add", "post_remove", "post_clear") or not side_pks:
            continue
        if not lookup:
            rebuild(owner, side_pks, using)
        else:
            rebuild(owner, owner._base_manager.using(using).filter(
                **{f"{lookup}__in": side_pks}).values_list("pk", flat=True), using)


def written(sender, instances, using=None, **kwargs):
    """Records written in bulk (the import), their links with them."""
    if instances:
        rebuild_affected(sender, [i.pk for i in instances], using or router.db_for_write(sender))


def connect():
    from defrel.models import rows_written

    for model in {*PATHS, *DEPENDENTS}:
        uid = f"search-{model._meta.label}"
        pre_save.connect(saving, sender=model, dispatch_uid=f"{uid}-saving")
        post_save.connect(saved, sender=model, dispatch_uid=f"{uid}-saved")
        pre_delete.connect(deleting, sender=model, dispatch_uid=f"{uid}-deleting")
        post_delete.connect(deleted, sender=model, dispatch_uid=f"{uid}-deleted")
    for through in LINKS:
        m2m_changed.connect(linked, sender=through, dispatch_uid=f"search-{through._meta.label}-linked")
    rows_written.connect(written, dispatch_uid="search-written")

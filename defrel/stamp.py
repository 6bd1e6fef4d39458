"""What the public pages draw from the data (counts, facets, profiles, the matrix), cached until
the part of the data they read changes.

A ``DataStamp`` row holds a random token per *scope*, renewed once per transaction after it
commits: one scope per curated table (``meetings.meeting``), two per partner country
(``partner:<pk>:agreements`` for its agreements and their milestones, ``partner:<pk>:records``
for its other records: see :func:`partner`) for the records that belong to partners (those
whose model answers ``stamp_partners()``), ``*`` renewed by every write (the public pages'
ETag) and ``reset`` renewed by writes that cannot say what they touched (``synth``,
``restore``, bulk imports). A summary is cached under the tokens of what it reads
(:func:`token`), so an edit to one Australian meeting renews ``meetings.meeting`` and
``partner:<Australia>:records``: the meeting list's counts go cold, the Peruvian profile
(keyed by Peru's scopes) stays warm, and so do the agreements matrix and Australia's table of
agreements (keyed by the agreement tables and Australia's agreements). The rows of a
*blocked* model (meetings) are also stamped in blocks of BLOCK_ROWS by id
(``block:meetings.meeting:<id // BLOCK_ROWS>``), renewed by a write to a row of the block or
to a record counted with it (a meeting's participants, its partner links): the meeting list's
unfiltered counts are the sum of each block's counts, so an edit counts one block again, not
the whole table.

A model may also name fields no cached count reads (``stamp_unsummarised``: a meeting's
summaries and titles): a save that changes only those renews its table's scope but not its
*summarised* scope (``meetings.meeting:summarised``), its partners'
(``partner:<pk>:records:summarised``) nor its block, so the lists' facets and totals, which
read the summarised scope when no text is searched, and a partner's charts (:func:`token`
with ``summaries=True``) stay warm while editors correct texts. Every other write renews both.
Which scopes each write renews is worked out by defrel.stamp_writes.

The tokens live in the database, not the cache, and are read from the same database as the
data before it: a page can never be cached under a token newer than the data it was drawn
from (a cache-held token would run ahead of a lagging replica). The cached values live in the
shared cache (Redis when ``REDIS_URL`` is set), so every app server shares them, kept by
defrel.kept. A token is random rather than a counter so that a rolled-back transaction can
never bring back a token whose cached values described other data.
"""
import contextlib
import contextvars
import datetime
import functools
import hashlib
import uuid
from typing import NamedTuple

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from defrel.models import DataStamp, PendingImport

TIMEOUT = 24 * 3600  # a backstop: a bump lost to a crash after a commit heals within a day
ANY, RESET = "*", "reset"
BLOCK_ROWS = 2000  # rows of a blocked model a block holds (bench/NOTES.md: chosen by measurement)

_read = contextvars.ContextVar("defrel_stamps", default=None)  # scope -> Stamp, per request


def table(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def summarised(model):
    """The scope of what cached counts read of ``model`` (see stamp_unsummarised above)."""
    return f"{table(model)}:summarised"


def tables(model):
    """The scopes a write to ``model``'s rows renews, other than its partners' and blocks'."""
    return {table(model), summarised(model)} if hasattr(model, "stamp_unsummarised") else {table(model)}


def partner(pk, model, summaries=False):
    """The scope of one partner's records of ``model``'s group: an edit to an Australian
    meeting leaves Australia's agreements (the matrix's row, the profile's table) as they were.
    Two groups (a model's ``stamp_group``: "agreements", else "records") rather than a scope a
    table: every public request reads every stamp (reading()), and a partner's six tables
    would have made that six times the rows. With ``summaries``, the scope of what counts read
    of them (the profile's charts: see stamp_unsummarised above), kept for a group of which a
    model names such fields; for another group, the group's own."""
    scope = f"partner:{pk}:{group(model)}"
    return f"{scope}:summarised" if summaries and group_summarised(group(model)) else scope


def any_partner(model, summaries=False):
    """Renewed by a write to records of ``model`` that cannot say whose: every partner's."""
    return partner("*", model, summaries)


@functools.cache
def group_summarised(name):
    """Whether partner group ``name`` has a summarised scope: whether one of its models names
    fields no count reads (``stamp_unsummarised``)."""
    return any(hasattr(model, "stamp_unsummarised") for model in curated_models()
               if partner_scoped(model) and group(model) == name)


def group(model):
    return getattr(model, "stamp_group", "records")


def partner_scoped(model):
    return hasattr(model, "stamp_partners")


def block(model, pk):
    """The scope of the block of ``model``'s rows that holds row ``pk``."""
    return f"block:{table(model)}:{pk // BLOCK_ROWS}"


def block_ids(i):
    """The ids of block ``i``: from, and up to but not including."""
    return i * BLOCK_ROWS, (i + 1) * BLOCK_ROWS


def blocks_up_to(last_pk):
    """How many blocks hold the rows up to id ``last_pk`` (None: no rows)."""
    return 0 if last_pk is None else last_pk // BLOCK_ROWS + 1


def any_block(model):
    """Renewed by a write to rows of ``model`` that cannot say which: every block's stamp."""
    return f"block:{table(model)}:*"


def blocks_of(instance):
    """The block scopes ``instance`` counts in: its own, for a row of a blocked model (whose
    ``stamp_blocked`` is true); that of the row its ``stamp_block_of`` foreign key points to,
    for a record counted with one (a meeting's participant)."""
    model = type(instance)
    if getattr(model, "stamp_blocked", False):
        return {block(model, instance.pk)} if instance.pk is not None else set()
    name = getattr(model, "stamp_block_of", None)
    if not name:
        return set()
    field = model._meta.get_field(name)
    pk = getattr(instance, field.attname)
    return {block(field.related_model, pk)} if pk is not None else set()


def block_tokens(model, count):
    """The stamps of ``model``'s first ``count`` blocks (block i: ids from i * BLOCK_ROWS), read
    at once: each changes with a write to its block, to an unknown block, or to everything."""
    common = [RESET, any_block(model)]
    scopes = common + [f"block:{table(model)}:{i}" for i in range(count)]
    found = [row.token if row else "0" for row in rows(scopes)]
    shared = ";".join(found[:len(common)])
    return [hashlib.sha256(f"{shared};{i};{t}".encode()).hexdigest()[:24]
            for i, t in enumerate(found[len(common):])]


@contextlib.contextmanager
def reading():
    """Read every stamp once, at the start of a public request, before any of its data: the
    page's ETag and each summary it caches take their tokens from that one read."""
    rows = _read.set(read(DataStamp.objects.all()))
    try:
        yield
    finally:
        _read.reset(rows)


class Stamp(NamedTuple):
    token: str
    changed: datetime.datetime | None  # read for ``*`` alone: the pages' Last-Modified


def read(stamps):
    """{scope: Stamp} of the rows of ``stamps``. Tuples, and the time of ``*`` alone: every
    public request reads every stamp, a few hundred rows once each partner's records have been
    edited, and model instances with their times took 3.1–4.1 ms a request at 415 rows against
    0.8 (bench/NOTES.md, "The stamps read as tuples")."""
    changed = Case(When(scope=ANY, then=F("changed")))
    return {scope: Stamp(token, when) for scope, token, when in stamps.values_list("scope", "token", changed)}


def rows(scopes):
    known = _read.get()
    if known is None:
        known = read(DataStamp.objects.filter(scope__in=scopes))
    return [known.get(scope) for scope in scopes]


def token(*models, partner_pk=None, summaries=False):
    """The stamp of a summary that reads ``models`` (of the whole data, ``*``, without them);
    with ``partner_pk``, of one partner's records of the partner-scoped models among them; with
    ``summaries``, of counts that read none of the models' ``stamp_unsummarised`` fields."""
    if not models:
        row, = rows([ANY])
        return row.token if row else "0"
    scopes = {RESET}
    for model in models:
        if partner_pk is not None and partner_scoped(model):
            scopes |= {partner(partner_pk, model, summaries), any_partner(model, summaries)}
        elif summaries and hasattr(model, "stamp_unsummarised"):
            scopes.add(summarised(model))
        else:
            scopes.add(table(model))
    scopes = sorted(scopes)
    joined = ";".join(f"{scope}={row.token if row else '0'}" for scope, row in zip(scopes, rows(scopes)))
    return hashlib.sha256(joined.encode()).hexdigest()[:24]


def counts(partner_pk=None):
    """The stamp of what counts the whole data (with ``partner_pk``, one partner's records)
    read: every table's, but kept while editors correct texts no count reads (a profile's
    charts and who met whom, an official's meetings per office, the timeline's years)."""
    return token(*curated_models(), partner_pk=partner_pk, summaries=True)


def last_changed():
    """When the data last changed (None before the first write): the pages' Last-Modified."""
    row, = rows([ANY])
    return row.changed if row else None


def reads(model):
    """What a list of ``model`` reads: its table, the tables its fields point to, its explicit
    many-to-many tables (a participant's meeting and official) and the tables that point to it
    (an agreement's events, which make its status)."""
    found = {model}
    for field in model._meta.get_fields():
        if field.concrete and field.is_relation and field.related_model:
            found.add(field.related_model)
            if field.many_to_many and not field.remote_field.through._meta.auto_created:
                found.add(field.remote_field.through)
        elif field.one_to_many and field.related_model in curated_models():
            found.add(field.related_model)
    return sorted(found, key=table)


def bump(using=DEFAULT_DB_ALIAS, scopes=None):
    """Renew the tokens of ``scopes`` (of everything without them) and ``*``, now."""
    scopes = {ANY, *([RESET] if scopes is None else scopes)}
    new, now = uuid.uuid4().hex, timezone.now()
    stamps = DataStamp.objects.using(using)
    if stamps.filter(scope__in=scopes).update(token=new, changed=now) < len(scopes):
        # A scope's first write, perhaps two at once: the other's token is as new as ours.
        stamps.bulk_create([DataStamp(scope=s, token=new, changed=now) for s in scopes],
                           ignore_conflicts=True)


def bump_on_commit(using=DEFAULT_DB_ALIAS, scopes=None):
    """Bump ``scopes`` (everything, without them) once when the current transaction commits,
    however many rows it wrote. A rolled-back transaction drops the pending bump with its
    other writes."""
    scopes = [RESET] if scopes is None else scopes
    if not connections[using].in_atomic_block:
        bump(using, scopes)  # autocommit: the write has committed
    else:
        pending_bump(using).scopes.update(scopes)


def pending_bump(using):
    connection = connections[using]
    for _ids, func, *_rest in connection.run_on_commit:
        if getattr(func, "defrel_bump_pending", False):
            return func

    def run():
        run.defrel_bump_pending = False
        bump(using, run.scopes)

    run.defrel_bump_pending, run.scopes, run.looked_up = True, set(), 0
    transaction.on_commit(run, using=using)
    return run


def context(request):
    """Template context for ``{% cache stamp_timeout name data_stamp … %}``: what a page draws
    from the data is kept until the data changes. A view that knows what its fragment reads
    passes its own, finer ``data_stamp`` (``token(…)``)."""
    return {"data_stamp": SimpleLazyObject(token), "stamp_timeout": TIMEOUT}


def curated_models():
    """The models of the published data: those of every app whose AppConfig says
    ``curated = True``, less their history, the stamp and uploads waiting for confirmation."""
    return [model for config in apps.get_app_configs() if getattr(config, "curated", False)
            for model in config.get_models()
            if model not in (DataStamp, PendingImport) and not model.__name__.startswith("Historical")
            and not getattr(model, "derived", False)]

"""Many records made for a test to read, derived once at their end.

A test that builds tens of meetings, agreements and officials to read them back (a page's
query count, a facet, an export) does not test how each save derives the title at the time,
the venue and the search documents: the tests of titles, venues and search do. Made inside
``built_at_once()``, the records are saved one by one, and their history and what is derived
from them are written once at the end, the way the curated load writes them (defrel.derived,
defrel.imports.history): the same rows, in a fraction of the queries. A record made and then
saved again inside has one history entry, "added", as it stands at the end."""
from collections import defaultdict
from contextlib import contextmanager

from django.db import router, transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import timezone

from defrel.derived import derived_at_the_end, deriving_at_the_end
from defrel.imports.history import has_history, write_history
from defrel.models import rows_written
from defrel.search_index import deferred


@contextmanager
def built_at_once():
    """Inside, factories' saves write the records alone; at the end, what derives from them."""
    if deriving_at_the_end():  # inside another: its end derives these too
        yield
        return
    saved = defaultdict(dict)  # model -> {pk: instance}, in the order first written
    linked = defaultdict(set)  # model -> pks of records linked from the other side
    added = defaultdict(list)  # model -> its new records, their history held back

    def hold_history(sender, instance, raw=False, **kwargs):
        if instance._state.adding and has_history(sender) and not hasattr(instance, "skip_history_when_saving"):
            instance.skip_history_when_saving = True  # simple-history's switch, for the save and the links
            instance._history_date = timezone.now()
            added[sender].append(instance)

    def remember(sender, instance, **kwargs):
        saved[type(instance)][instance.pk] = instance

    def remember_links(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action.startswith("post_"):  # a record whose links changed is written, as an import writes it
            saved[type(instance)].setdefault(instance.pk, instance)
            if reverse and pk_set:
                linked[model].update(pk_set)

    pre_save.connect(hold_history, weak=False, dispatch_uid="tests-built-at-once")
    post_save.connect(remember, weak=False, dispatch_uid="tests-built-at-once")
    m2m_changed.connect(remember_links, weak=False, dispatch_uid="tests-built-at-once")
    try:
        with transaction.atomic(), deferred():
            with derived_at_the_end():
                yield
            for model, pks in linked.items():
                missing = pks - saved[model].keys()
                saved[model].update((r.pk, r) for r in model._base_manager.filter(pk__in=missing))
            for model, instances in saved.items():
                rows_written.send(model, instances=list(instances.values()), using=router.db_for_write(model))
            for model, instances in added.items():
                write_held_history(model, instances)
    finally:
        pre_save.disconnect(dispatch_uid="tests-built-at-once")
        post_save.disconnect(dispatch_uid="tests-built-at-once")
        m2m_changed.disconnect(dispatch_uid="tests-built-at-once")


def write_held_history(model, instances):
    """The "added" entry of each of ``instances`` still there, as it stands now."""
    for instance in instances:
        del instance.skip_history_when_saving
    kept = set(model._base_manager.filter(pk__in=[i.pk for i in instances]).values_list("pk", flat=True))
    write_history(model, [i for i in instances if i.pk in kept], "+", None, router.db_for_write(model))
    for instance in instances:
        del instance._history_date  # simple-history would date a later save by it


def documents():
    """{(kind, id): the set of its texts} of every search document. A document's texts, each a
    line, come in the order the database returned the records it names (PostgreSQL's may change
    between two writes): what a search reads is the set of lines, as no term is found across two
    of them (defrel.search.SEPARATOR)."""
    from defrel.search import SEPARATOR, SearchDocument

    return {(kind, pk): set(text.split(SEPARATOR))
            for kind, pk, text in SearchDocument.objects.values_list("kind", "record_id", "text")}


def assert_derived_by_the_rules():
    """Every participation's stored title, every meeting's venue and every search document are
    those the rules give, as each record's own save would have written them."""
    from django.db.models import F

    from defrel import search_index
    from meetings.models import Meeting, Participation
    from meetings.models.titles import titled_otherwise
    from meetings.models.venues import venue_rule

    meetings = Meeting.objects.all()
    assert not titled_otherwise(Participation.objects.all()).exists()
    assert not meetings.annotate(rule=venue_rule(meetings)).exclude(venue=F("rule")).exists()
    written = documents()
    search_index.rebuild_all()
    assert documents() == written

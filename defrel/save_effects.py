"""What saving records changed in the records it did not touch, told to the editor after the
save, as defrel.delete_effects tells it before a delete: a value derived from the records and
stored elsewhere (the title at the time a participant held, which a tenure's dates and office
give) changes with them without a word. The app that derives it registers a watch for the
records it derives it from (``register(Tenure, titles_retold)``); the editorial admin keeps
it round each save of them (defrel.admin_effects), an import round the rows it writes
(defrel.resources), and the foundations name no app."""
from collections import defaultdict
from contextlib import contextmanager

WATCHES = defaultdict(list)  # a model -> [watch(records) -> (() -> Effect or None)]


def register(model, watch):
    """``watch(records)``, given the records of ``model`` about to be written (instances, as
    they will be saved or deleted), looks at what they may change and answers a function that,
    asked after the write, answers an Effect (defrel.delete_effects) or None; each in a number
    of queries that does not grow with the records."""
    if watch not in WATCHES[model]:
        WATCHES[model].append(watch)


def watch(model, records):
    """Before a write of ``records`` (instances of ``model``): a function that, asked once the
    write is done, answers the Effects it had (an import asks it after its transaction)."""
    afterwards = [registered(records) for registered in WATCHES.get(model, ())] if records else []
    return lambda: [effect for after in afterwards if (effect := after())]


@contextmanager
def watched(model, records):
    """Round a write of ``records`` (instances of ``model``): yields a list that holds, once
    the write is done, the Effects it had."""
    effects_of = watch(model, records)
    effects = []
    yield effects
    effects.extend(effects_of())

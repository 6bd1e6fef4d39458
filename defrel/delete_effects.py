"""What deleting records changes in the records it leaves, told on the admin's delete pages
before the editor confirms: Django's pages list only what the delete removes. A value derived
from the records and stored elsewhere (the title at the time a participant held, which a
tenure gives) changes at their delete without a word. The app that derives it registers the
question for the records it derives it from (``register(Tenure, titles_changed)``); the
editorial admin asks it (defrel.admin_deletes), and the foundations name no app."""
from collections import defaultdict
from dataclasses import dataclass

SHOWN = 10  # records named on the page; the others are counted

EFFECTS = defaultdict(list)  # a model -> [question(records) -> Effect or None]


@dataclass(frozen=True)
class Effect:
    """What a delete would change: a heading, a sentence saying how, the first records
    changed as (text, address of their admin page), and how many there are in all."""

    heading: str
    lead: str
    shown: list
    count: int

    @property
    def more(self):
        return self.count - len(self.shown)


def register(model, question):
    """``question(records)``, given the records of ``model`` about to be deleted (a
    queryset), answers an Effect, or None when the delete changes nothing it knows of; in a
    number of queries that does not grow with the records."""
    if question not in EFFECTS[model]:
        EFFECTS[model].append(question)


def of_deleting(records):
    """The Effects of deleting ``records`` (a queryset), every registered question asked."""
    return [effect for question in EFFECTS.get(records.model, ()) if (effect := question(records))]


def first_and_count(rows):
    """The first SHOWN of ``rows`` (a queryset), and how many there are: no count query when
    they are fewer."""
    shown = list(rows[:SHOWN])
    return shown, (len(shown) if len(shown) < SHOWN else rows.count())

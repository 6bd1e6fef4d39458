"""A record's history page shows, beside each of its entries, what was written to its inline
rows (participants, milestones, tenures) since the entry before. A save that changes only those
rows writes the record an entry all the same, its version moved (which refuses a page opened
before), and nothing of its own changed: the page read "nothing changed". The rows' own entries
say who changed which row and how, in the words of a refused save (defrel.changes)."""
from defrel.changes import beside


class InlineRowsInHistory:
    """For an EditorialAdmin: each entry of its history page carries ``inline_changes``, the
    lines the history list's template shows under its own changes."""

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        for entry, lines in beside(list(historical_records)).items():
            entry.inline_changes = lines

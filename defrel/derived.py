"""What other tables derive from a record (the title at the time, a meeting's venue, the search
documents) is written in the same transaction as the record, by receivers of each save, or
once for a batch of records written in bulk (``rows_written``, sent by the import).

A writer that saves many records one by one, all of them new, may ask for the second way:
inside ``derived_at_the_end()`` the receivers of each save derive nothing, and the writer
sends ``rows_written`` for every record it saved before the transaction ends. The curated
fixtures' load does: each derivation then runs once over all the records instead of once a
save (bench/NOTES.md, "The curated fixtures' derived columns written once")."""
import threading
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def derived_at_the_end():
    """Inside, saves leave what is derived from them to the writer's ``rows_written``."""
    before = deriving_at_the_end()
    _state.later = True
    try:
        yield
    finally:
        _state.later = before


def deriving_at_the_end():
    """Whether a save's receivers leave their derivation to the writer (derived_at_the_end)."""
    return getattr(_state, "later", False)

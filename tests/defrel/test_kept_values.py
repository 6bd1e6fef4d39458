"""Values kept under the data stamp (defrel.kept: cached, cached_each, renewed_each, held):
one cache entry a key, renewed when its stamp changes, with what it held handed to the renewal."""
from django.core.cache import cache

from defrel import kept


def test_a_value_is_computed_once_a_stamp():
    made = []
    assert kept.cached("page", lambda: made.append(1) or "drawn 1", "stamp-a") == "drawn 1"
    assert kept.cached("page", lambda: made.append(2) or "drawn 2", "stamp-a") == "drawn 1"
    assert kept.cached("page", lambda: made.append(3) or "drawn 3", "stamp-b") == "drawn 3"
    assert made == [1, 3]


def test_a_key_keeps_one_entry_whatever_its_stamps():
    # What an earlier stamp kept is replaced, not left to age out beside the new value.
    for n in range(5):
        kept.cached("page", lambda: f"drawn {n}", f"stamp-{n}")
    assert kept.held([("page", "stamp-4"), ("page", "stamp-3")]) == ["drawn 4", None]
    assert cache.get(kept.entry_key("page")) == ("stamp-4", "drawn 4")


def test_a_renewal_is_handed_what_was_kept_under_another_stamp():
    handed = []

    def renew(missing, stale):
        handed.append((missing, stale))
        return {i: f"row {i} at {n}" for i in missing}

    n = 1
    kept.renewed_each([("row:0", "a"), ("row:1", "a")], renew)
    n = 2
    assert kept.renewed_each([("row:0", "a"), ("row:1", "b")], renew) == ["row 0 at 1", "row 1 at 2"]
    assert handed == [([0, 1], {}), ([1], {1: "row 1 at 1"})]


def test_values_are_asked_of_the_cache_at_once(monkeypatch):
    asked = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: asked.append(list(keys)) or get_many(keys))
    kept.cached_each([(f"block:{i}", "s") for i in range(3)], lambda missing: {i: i for i in missing})
    assert kept.cached_each([(f"block:{i}", "s") for i in range(3)], lambda missing: {}) == [0, 1, 2]
    assert len(asked) == 2 and all(len(keys) == 3 for keys in asked)

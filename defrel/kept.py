"""What the public pages draw from the data (counts, facets, a search's matches, a profile's parts,
the matrix's rows), kept in the shared cache under the stamps of what it reads
(defrel.stamp.token), so that it is drawn again only when that part of the data changes.
"""
from django.core.cache import cache

from defrel.stamp import TIMEOUT


def cached(key, compute, stamp):
    """``compute()``, remembered under ``key`` until ``stamp`` (a :func:`token`) changes."""
    return renewed_each([(key, stamp)], lambda missing, stale: {0: compute()})[0]


def cached_each(entries, compute):
    """The values of ``entries`` [(key, stamp)], each remembered as by :func:`cached`, and
    ``compute(positions)`` once for those the cache did not hold ({position: value})."""
    return renewed_each(entries, lambda missing, stale: compute(missing))


def renewed_each(entries, renew):
    """The values of ``entries`` [(key, stamp)], the cache asked once for all of them (one
    round trip to Redis), and ``renew(positions, stale)`` once for those it held under no
    stamp or another ({position: value}); ``stale`` {position: value} is what it held under
    another, for a value that can be renewed in part (the matrix's row, whose unchanged
    cells are kept). Each key has one entry, holding its stamp with its value, overwritten
    when the stamp changes: an entry a stamp would leave the old ones to age out beside it."""
    keys = [entry_key(key) for key, _stamp in entries]
    found = cache.get_many(keys)
    values, missing, stale = [], [], {}
    for i, (key, (_key, stamp)) in enumerate(zip(keys, entries)):
        held_stamp, value = found.get(key, (None, None))
        values.append(value if held_stamp == stamp else None)
        if values[-1] is None:
            missing.append(i)
            if value is not None:
                stale[i] = value
    if missing:
        made = renew(missing, stale)
        cache.set_many({keys[i]: (entries[i][1], value) for i, value in made.items()}, TIMEOUT)
        for i, value in made.items():
            values[i] = value
    return values


def held(entries):
    """The values the cache holds for ``entries`` [(key, stamp)] (None where it holds none
    under that stamp), without computing any."""
    keys = [entry_key(key) for key, _stamp in entries]
    found = cache.get_many(keys)
    held = [found.get(key, (None, None)) for key in keys]
    return [value if held_stamp == stamp else None
            for (held_stamp, value), (_key, stamp) in zip(held, entries)]


def entry_key(key):
    return f"defrel:kept:{key}"

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
    found = stamped(entries)
    values = current(found, entries)
    missing = [i for i, value in enumerate(values) if value is None]
    if missing:
        made = renew(missing, {i: found[i][1] for i in missing if found[i][1] is not None})
        cache.set_many({entry_key(entries[i][0]): (entries[i][1], value) for i, value in made.items()},
                       TIMEOUT)
        for i, value in made.items():
            values[i] = value
    return values


def held(entries):
    """The values the cache holds for ``entries`` [(key, stamp)] (None where it holds none
    under that stamp), without computing any."""
    return current(stamped(entries), entries)


def current(found, entries):
    """Each value of ``found`` [(stamp, value)] if held under its entry's stamp, else None."""
    return [value if held_stamp == stamp else None
            for (held_stamp, value), (_key, stamp) in zip(found, entries)]


def stamped(entries):
    """[(stamp, value)] the cache holds for ``entries`` [(key, stamp)] ((None, None) for none),
    asked at once."""
    keys = [entry_key(key) for key, _stamp in entries]
    found = cache.get_many(keys)
    return [found.get(key, (None, None)) for key in keys]


def entry_key(key):
    return f"defrel:kept:{key}"

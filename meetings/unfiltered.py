"""The facet counts and totals of an unfiltered list whose rows are stamped in blocks
(defrel.stamp: ``stamp_blocked``, the meetings), summed from each block's counts.

Counts are additive over a partition of the rows: each block of BLOCK_ROWS ids is counted and
cached under its own stamp, which a write renews for the blocks it touches only. After an edit
to one meeting, the list's first request counts that meeting's block again and adds up the
others from the cache (at 100,000 meetings: one block of 2,000 instead of the whole table).
A block keeps ids, not names: the names of the values shown are read when the blocks are
summed, so that a renamed partner needs no block counted again. What the sums give is what
meetings.facets would count from scratch (tests/meetings/test_unfiltered_counts.py).
"""
import hashlib
import uuid
from collections import Counter

from django.core.cache import cache
from django.db import connection, connections
from django.db.models import Count, F, Max

from defrel import stamp
from defrel.dated import spread_over_years
from defrel.kept import cached_each, held
from defrel.stamp import TIMEOUT, block_ids, block_tokens, blocks_up_to
from meetings import facets as facet_kinds
from meetings.facets import EACH_LINK, FieldFacet, YearFacet

PATCHED_BLOCKS = 5  # blocks changed since the last sums, past which all are added up again


def applies(filterset):
    """Whether ``filterset``'s counts can be summed from blocks: its rows are stamped in
    blocks, every facet is of a kind counted here, and nothing filters its rows."""
    model = filterset.queryset.model
    return (getattr(model, "stamp_blocked", False)
            and all(countable(model, spec) for spec in filterset.facet_specs)
            and not filterset.qs.query.where)


def countable(model, spec):
    """Whether a facet is counted here: years, or a field's values, a foreign key's or a
    many-to-many relation's records (not records pointing to the row, which FieldFacet
    counts distinct)."""
    if isinstance(spec, YearFacet):
        return True
    if not isinstance(spec, FieldFacet):
        return False
    field = model._meta.get_field(spec.field.partition("__")[0])
    return field.concrete and (not field.is_relation or field.many_to_one or field.many_to_many)


def whole(model, spec):
    """Whether the blocks give every choice of ``spec`` (the years, or a field of fixed
    choices), not only the most frequent ones, among which a reader's own might be missing."""
    return countable(model, spec) and (isinstance(spec, YearFacet) or bool(spec.choices))


def facet_counts(filterset):
    """[[(value, label, n)] for each facet], as FacetedFilterSet.facets counts them, or None
    when the blocks do not apply."""
    summed = sums(filterset)
    if summed is None:
        return None
    return [list(year_choices(filterset.queryset.model, counted)) if isinstance(spec, YearFacet)
            else field_choices(filterset.queryset.model, spec, counted)
            for spec, counted in zip(filterset.facet_specs, summed["facets"])]


def totals(filterset):
    """{"rows": how many rows, and each of the filterset's ``block_sums``}, or None when the
    blocks do not apply."""
    summed = sums(filterset)
    return None if summed is None else summed["totals"]


def sums(filterset):
    """Every block's counts added up, once a request (the facets, the count and the list's
    other totals each ask)."""
    if "_block_sums" not in filterset.__dict__:
        filterset.__dict__["_block_sums"] = summed_blocks(filterset) if applies(filterset) else None
    return filterset.__dict__["_block_sums"]


def summed_blocks(filterset):
    """{"facets": [Counter], "totals": {...}} of every block. The last sums are kept with the
    stamps and generations of the blocks they added up: when a few blocks changed since, they
    are patched (the old counts of those blocks taken off, the new added), which at 100,000
    meetings costs a tenth of adding up all blocks again; when more did, or when an old
    block's counts are no longer the ones those sums were made of, all are added up again."""
    model = filterset.queryset.model
    label = keyed(filterset)
    stamps = block_tokens(model, blocks_up_to(model.objects.aggregate(last=Max("pk"))["last"]))
    last = cache.get(f"defrel:{label}:block-sums")
    summed = patched(filterset, last, stamps) if last else None
    if summed is None:
        blocks = cached_each([(f"{label}:block:{i}", stamp) for i, stamp in enumerate(stamps)],
                             lambda missing: block_counts(filterset, missing))
        summed = added_up(len(filterset.facet_specs), blocks)
    summed["stamps"] = stamps
    cache.set(f"defrel:{label}:block-sums", summed, TIMEOUT)
    nothing = dict.fromkeys(["rows", *getattr(filterset, "block_sums", {})], 0)  # no rows, no blocks
    return {"facets": summed["facets"], "totals": {**nothing, **summed["totals"]}}


def keyed(filterset):
    """The model and what is counted of it, in the blocks' cache keys: counts kept by a
    version with other facets, or other blocks, are never read as this one's."""
    counted = [(type(spec).__name__, spec.param, getattr(spec, "field", "")) for spec in filterset.facet_specs]
    shape = repr((counted, sorted(getattr(filterset, "block_sums", {})), stamp.BLOCK_ROWS))
    return f"{filterset.queryset.model._meta.label}:{hashlib.sha256(shape.encode()).hexdigest()[:12]}"


def added_up(facet_count, blocks):
    facets = [Counter() for _facet in range(facet_count)]
    totals = Counter()
    for counted in blocks:
        totals.update(counted["totals"])
        for summed, part in zip(facets, counted["facets"]):
            summed.update(part)
    return {"facets": facets, "totals": totals, "generations": [b["generation"] for b in blocks]}


def patched(filterset, last, stamps):
    """``last`` sums with the blocks whose stamps changed since counted again, or None."""
    label = keyed(filterset)
    before = last["stamps"]
    changed = [i for i in range(max(len(stamps), len(before)))
               if i >= len(stamps) or i >= len(before) or stamps[i] != before[i]]
    if len(changed) > PATCHED_BLOCKS:
        return None
    gone = [i for i in changed if i < len(before)]
    old = held([(f"{label}:block:{i}", before[i]) for i in gone])
    if any(o is None or o["generation"] != last["generations"][i] for i, o in zip(gone, old)):
        return None  # not the counts these sums were made of (since dropped from the cache)
    came = [i for i in changed if i < len(stamps)]

    def count(missing):  # positions in ``came``
        made = block_counts(filterset, [came[m] for m in missing])
        return {m: made[came[m]] for m in missing}

    new = cached_each([(f"{label}:block:{i}", stamps[i]) for i in came], count)
    facets, totals = last["facets"], Counter(last["totals"])
    for counted in old:
        totals.subtract(counted["totals"])
        for summed, part in zip(facets, counted["facets"]):
            summed.subtract(part)
    for counted in new:
        totals.update(counted["totals"])
        for summed, part in zip(facets, counted["facets"]):
            summed.update(part)
    generations = (last["generations"] + [None] * len(stamps))[:len(stamps)]
    for i, counted in zip(came, new):
        generations[i] = counted["generation"]
    # A value no row has any more is not shown (a Counter's unary + drops counts of 0).
    return {"facets": [+summed for summed in facets], "totals": +totals, "generations": generations}


def block_counts(filterset, blocks):
    """{block: {"facets": [{raw value: n}], "totals": {...}, "generation"}} of the rows in
    each of ``blocks`` (block numbers): a field's values, a related record's id, a period's
    (lower year, upper year). The generation tells these counts from any counted again later
    under the same stamp. Block by block, each on its range of ids: on SQLite, grouping every
    block's rows at once by block and value took twice as long (a sort of every row)."""
    return {b: counted_block(filterset, *block_ids(b)) for b in blocks}


def counted_block(filterset, low, high):
    model = filterset.queryset.model
    rows = model.objects.filter(pk__gte=low, pk__lt=high)
    totals = rows.aggregate(rows=Count("pk"), **getattr(filterset, "block_sums", {}))
    return {"facets": [dict(grouped(model, spec, rows, low, high)) for spec in filterset.facet_specs],
            "totals": {name: n or 0 for name, n in totals.items()}, "generation": uuid.uuid4().hex}


def grouped(model, spec, rows, low, high):
    """(raw value, n) of one facet over the rows with ids from ``low`` to ``high``."""
    if isinstance(spec, YearFacet):
        return [((r["year_lower"], r["year_upper"]), r["n"]) for r in rows.per_bound_years()]
    relation = model._meta.get_field(spec.field.partition("__")[0])
    if relation.many_to_many:  # its links, as FieldFacet.grouped counts them
        owner = relation.m2m_field_name()
        source = relation.remote_field.through.objects.filter(**{f"{owner}__gte": low, f"{owner}__lt": high})
        value, counted = F(relation.m2m_reverse_field_name()), EACH_LINK
    else:
        source, value = rows, F(relation.attname if relation.is_relation else spec.field)
        counted = Count("pk")
    return fetched(source.values(block_value=value).annotate(n=counted).order_by().values_list("block_value", "n"))


def fetched(queryset):
    """The rows of a values_list() of plain numbers and strings, as the database gives them: a
    block's officials are thousands of rows, and the ORM's handling of each row took about as
    long as the query."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def year_choices(model, counted):
    rows = [{"year_lower": lower, "year_upper": upper, "n": n} for (lower, upper), n in counted.items()]
    years = sorted(spread_over_years(rows, model), key=lambda r: r["year"], reverse=True)
    return [(str(r["year"]), str(r["year"]), r["n"]) for r in years]


def field_choices(model, spec, counted):
    """FieldFacet.counts of the whole table, from the summed counts of its values (ids, for a
    related record's), in its order: the choices' own, else the FACET_LIMIT most frequent
    (ties by value, as the database orders them) by count and label."""
    relation = model._meta.get_field(spec.field.partition("__")[0])
    if not relation.is_relation:
        rows = {value: {spec.field: value} for value in counted}
    else:
        rows = related_rows(relation, spec, top(counted) if not spec.choices else counted)
    if not spec.choices:
        ranked = sorted((key for key in counted if key is None or key in rows),
                        key=lambda key: null_last_order(key, rows, spec.field, counted))[:facet_kinds.FACET_LIMIT]
        counted = {key: counted[key] for key in ranked}
    return spec.ordered([{**rows[key], "n": n} for key, n in counted.items()
                         if key is not None and key in rows and rows[key][spec.field] is not None])


def top(counted):
    """The keys that may be among the FACET_LIMIT most frequent: those counted at least as
    often as the FACET_LIMIT-th (ties are settled by value, which needs their rows)."""
    limit = facet_kinds.FACET_LIMIT
    if len(counted) <= limit:
        return counted
    least = sorted(counted.values(), reverse=True)[limit - 1]
    return {key: n for key, n in counted.items() if n >= least}


def related_rows(relation, spec, keys):
    """{id: {spec.field: value, names…}} of the related records among ``keys``; an id whose
    record is gone (deleted since its block was counted: its links went with it) has none."""
    attribute = spec.field.partition("__")[2]
    names = [field[len(spec.names):] for field in spec.fields[1:]]  # name_ja, name_en, reading
    found = relation.related_model.objects.filter(pk__in=[k for k in keys if k is not None])
    return {row["pk"]: {spec.field: row[attribute], **{spec.names + n: row[n] for n in names}}
            for row in found.values("pk", attribute, *names)}


def null_last_order(key, rows, field, counted):
    """The database's order of FieldFacet's top values: most frequent first, then by value,
    where no value (NULL) comes last on PostgreSQL and first on SQLite."""
    value = rows[key][field] if key is not None else None
    nulls_last = connection.features.nulls_order_largest
    return (-counted[key], (value is None) == nulls_last, value if value is not None else "")

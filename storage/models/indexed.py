"""Queries served from the backend's indexes: those on a collection larger than the process cache,
and on any collection a filter on one reference value (its ids from the reference index, its
records from memory).

A page in creation order, or in the order of a complete sort index (sessions by starts_at), either
way, is one read-only script: the ids of the page from the index and their records, with the
collection version and size. A query restricted to one
value of a reference (the sessions of one client) reads that reference set with its records; one
value of a unique field (the client with an email) reads the record its index names. A query
restricted to ids reads those records. Anything else is scanned one chunk per round trip,
keeping only the count and the records up to the end of the wanted window (memory bounded by the
window, not by the collection).

Results are memoised by (collection version, query, window): an unchanged page costs the version
round trip only, and is never older than the version read in the same request. When the backend
can't be read and stale reads are allowed, the last result of the same query is served, flagged.
"""

import heapq
from functools import cmp_to_key

from storage.cache import order_key
from storage.errors import StorageUnavailable

from . import lookups

NATIVE_ORDERS = {(): False, ("created_at",): False, ("-created_at",): True}  # ordering -> newest first
PAGE_MAX = 1000  # a window larger than this (or open-ended) is scanned


class InOrder:
    """A Snapshot in its own order or reversed, sliced without copying the rest (memory-served)."""

    def __init__(self, snapshot, reverse):
        self.snapshot, self.reverse = snapshot, reverse

    def __len__(self):
        return len(self.snapshot)

    def __getitem__(self, item):
        return self.snapshot.window(item.start or 0, item.stop, reverse=self.reverse)


def servable(queryset):
    """True when the query is answered from an index without reading the whole collection: the
    creation order or a declared sort index, or a restriction to ids or to one reference value."""
    where, ordering = queryset._where, queryset._ordering
    if where is None:
        sorted_fields = getattr(queryset.model.Storage, "sorted", ())
        return ordering in NATIVE_ORDERS or (len(ordering) == 1 and ordering[0].lstrip("-") in sorted_fields)
    if lookups.wanted_ids(where) is not None:
        return True
    spec = queryset.model.storage().spec
    return reference_value(where, spec) is not None or any(
        _unique_value(where, spec, name) is not None for name in spec.unique
    )


def count(queryset, collection):
    """How many records the (possibly sliced) query holds: the whole collection's count is the size
    read with its version, for free; any other needs its evaluation."""
    start, stop = queryset._window
    if queryset._where is None and (start, stop) == (0, None) and collection.outgrown:
        return collection.outgrown[1]
    total, rows = window(queryset, collection, start, stop)
    return total if (start, stop) == (0, None) else len(rows)


def window(queryset, collection, start, stop):
    """(number of matching records, the matching records [start, stop) in the query's order)."""
    ordering = queryset._ordering
    annotated = any(name.lstrip("-") in queryset._annotation_names() for name in ordering)
    key = (queryset._where, ordering, start, stop)
    version = collection.outgrown[0] if collection.outgrown else None
    if not annotated and version is not None:
        found = collection.results.get(key, version)
        if found is not None:
            return found
    try:
        version, result = _evaluate(queryset, collection, start, stop)
    except StorageUnavailable as exc:
        stale = collection.results.last(key) if collection.stale_reads else None
        if stale is None:
            raise
        collection._served_stale(exc)
        return stale
    if not annotated:
        collection.results.put(key, version, result, weight=len(result[1]))
    return result


def _evaluate(queryset, collection, start, stop):
    where, ordering = queryset._where, queryset._ordering
    if where is None and stop is not None and stop - start <= PAGE_MAX:
        if ordering in NATIVE_ORDERS:
            version, total, records = collection.page(start, stop - start, reverse=NATIVE_ORDERS[ordering])
            return version, (total, records)
        ready = collection.outgrown[2] if collection.outgrown else ()
        if len(ordering) == 1 and ordering[0].lstrip("-") in ready:
            field = ordering[0].lstrip("-")
            reverse = ordering[0].startswith("-")
            version, total, records = collection.page(start, stop - start, reverse=reverse, sort=field)
            return version, (total, records)
    subset = _subset(queryset, collection, where)
    if subset is not None:
        version, records = subset
        match = lookups.compile_where(queryset.model, where)
        records = [r for r in records if match(r)]
        return version, (len(records), tuple(_ordered(queryset, records)[start:stop]))
    return _scan(queryset, collection, start, stop)


def _subset(queryset, collection, where):
    """(version, candidate records) when the where clause names ids or one reference value."""
    if where is None:
        return None
    ids = lookups.wanted_ids(where)
    if ids is not None:
        texts = collection.backend.get_many(collection.name, ids)
        records = [r for r in map(collection._parse_or_none, ids, texts) if r is not None]
        return collection.outgrown[0], records
    reference = reference_value(where, collection.spec)
    if reference is not None:
        return collection.members(*reference)
    for field_name in collection.spec.unique:
        value = _unique_value(where, collection.spec, field_name)
        if value is not None:
            return collection.owner(field_name, value)
    return None


def referencing(queryset, field_name, value):
    """The matches, oldest first, of a query on one reference value (the sessions of one client)
    over a collection held in memory: the ids from the backend's reference index (one round trip,
    whatever the collection's size or how often it changes), the records from memory, which is
    at or after the version the queryset was checked against."""
    collection = queryset.model.storage()
    held = collection.cache.records
    found = (held.get(i) for i in collection.ids_by(field_name, value))
    match = lookups.compile_where(queryset.model, queryset._where)
    return sorted((r for r in found if r is not None and match(r)), key=order_key)


def reference_value(where, spec):
    """(reference field, value) when the where clause requires one value of a reference (the
    sessions of one client), else None."""
    for field_name in spec.references:
        value = lookups.wanted_values(where, {field_name, field_name.removesuffix("_id")}, ("", "__exact"))
        if value is not None and len(value) == 1:
            return field_name, value[0]
    return None


def _unique_value(where, spec, field_name):
    """The one value the where clause requires of a unique field (exact), when its index has an
    entry for it (a non-blank string), else None."""
    values = lookups.wanted_values(where, {field_name}, ("", "__exact"))
    if values is None or len(values) != 1 or not isinstance(values[0], str):
        return None
    return values[0] if spec.unique[field_name](values[0]) else None


def _ordered(queryset, records):
    """Records sorted as the query asks (creation order first, the stable tie-break)."""
    records = sorted(records, key=order_key)
    if not queryset._ordering:
        return records
    return queryset._sort(records, queryset._annotation_getters(only=queryset._ordering))


def _scan(queryset, collection, start, stop):
    match = lookups.compile_where(queryset.model, queryset._where) if queryset._where is not None else None
    sort_key = _sort_key(queryset)

    def begin():
        state = {"count": 0, "kept": [], "seen": 0}

        def visit(records):
            for record in records:
                if match is None or match(record):
                    state["kept"].append((sort_key(record), state["seen"], record))
                    state["count"] += 1
                state["seen"] += 1
            if stop is not None and len(state["kept"]) > 2 * stop + 1000:
                state["kept"] = heapq.nsmallest(stop, state["kept"])

        visit.state = state
        return visit

    version, visit = collection.scan(begin)
    kept = visit.state["kept"]
    kept = heapq.nsmallest(stop, kept) if stop is not None else sorted(kept)
    return version, (visit.state["count"], tuple(row[2] for row in kept[start:stop]))


def _sort_key(queryset):
    """A key for records in the query's order (mixed directions), ties by creation order."""
    if not queryset._ordering:
        return lambda record: 0
    getters = queryset._annotation_getters(only=queryset._ordering)
    parts = []
    for name in queryset._ordering:
        parts.append((lookups.order_value(queryset.model, name.lstrip("-"), getters), name.startswith("-")))

    def compare(a, b):
        for (left, right), (_, descending) in zip(zip(a, b, strict=True), parts, strict=True):
            if left != right:
                smaller = left < right
                return (1 if smaller else -1) if descending else (-1 if smaller else 1)
        return 0

    wrap = cmp_to_key(compare)
    return lambda record: wrap(tuple(value_of(record) for value_of, _ in parts))


def derived(queryset, collection, key, compute):
    """compute(records) over every matching record, read chunk by chunk (memoised by version):
    compute must fold an iterable (counts, maps), so only its result is kept."""
    version = collection.outgrown[0] if collection.outgrown else None
    memo_key = ("derived", key, queryset._where)
    found = collection.results.get(memo_key, version) if version is not None else None
    if found is not None:
        return found
    match = lookups.compile_where(queryset.model, queryset._where) if queryset._where is not None else None

    def begin():
        parts = []

        def visit(records):
            parts.append(compute(r for r in records if match is None or match(r)))

        visit.parts = parts
        return visit

    version, visit = collection.scan(begin)
    result = _merge(visit.parts, adding=key[0] == "counts")
    collection.results.put(memo_key, version, result, weight=len(result))
    return result


def _merge(parts, adding):
    """Per-chunk results into one mapping: counts add up; other maps (by id) just update."""
    merged = {}
    for part in parts:
        if not adding:
            merged.update(part)
            continue
        for name, value in part.items():
            merged[name] = merged.get(name, 0) + value
    return merged

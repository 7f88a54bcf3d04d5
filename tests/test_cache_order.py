"""The per-process cache keeps list order incrementally (a change must not cost a
sort of the whole collection). Whatever sequence of writes, refreshes and reads it sees, its
list is exactly the records sorted by (created_at, id)."""

import random

import pytest

from storage.cache import CHUNK, CollectionCache, freeze, thaw


def record(record_id, created_at, version=1, name="x"):
    return freeze({"id": record_id, "created_at": created_at, "version": version, "name": name})


def expected(cache):
    return sorted(cache.records.values(), key=lambda r: (r["created_at"], r["id"]))


def test_list_stays_sorted_through_random_changes():
    rng = random.Random(9)
    cache = CollectionCache()
    cache.replace(0, [record(f"r{i}", f"2026-01-{rng.randint(1, 9):02d}") for i in range(50)])
    version = 0
    for step in range(2000):
        record_id = f"r{rng.randint(0, 80)}"
        current = cache.records.get(record_id)
        stamp = current["created_at"] if current and rng.random() < 0.8 else f"2026-01-{rng.randint(1, 9):02d}"
        fresh = record(record_id, stamp, (current["version"] + 1) if current else 1, name=str(step))
        action = rng.choice(["written", "deleted", "apply", "remember", "discard"])
        if action == "written":
            version += 1
            cache.written(record_id, fresh, version)
        elif action == "deleted":
            version += 1
            cache.written(record_id, None, version)
        elif action == "apply":
            version += 1
            cache.apply(version, [record_id], [fresh if rng.random() < 0.7 else None])
        elif action == "remember":
            cache.remember(fresh)
        else:
            cache.discard(record_id)
        assert list(cache.ordered()) == expected(cache), f"step {step}: {action} {record_id}"


def test_update_in_place_replaces_the_record_in_the_list():
    cache = CollectionCache()
    cache.replace(1, [record("a", "2026-01-01"), record("b", "2026-01-02")])
    first = cache.ordered()
    cache.written("a", record("a", "2026-01-01", version=2, name="new"), 2)
    assert [r["name"] for r in cache.ordered()] == ["new", "x"]
    assert first[0]["name"] == "x", "a list already handed out never changes under its reader"


def test_older_copy_does_not_replace_a_newer_one():
    cache = CollectionCache()
    cache.replace(1, [record("a", "2026-01-01", version=3, name="new")])
    cache.remember(record("a", "2026-01-01", version=2, name="old"))
    assert [r["name"] for r in cache.ordered()] == ["new"]


def test_reading_an_unchanged_record_keeps_the_list_snapshot():
    """A detail read refreshes the cache with what it fetched; an identical copy must not throw
    away the list snapshot (the next list would rebuild it, and every sort memoised on it)."""
    cache = CollectionCache()
    cache.replace(1, [record("a", "2026-01-01"), record("b", "2026-01-02")])
    listed = cache.ordered()
    cache.remember(record("a", "2026-01-01"))  # the same record, fetched again
    assert cache.ordered() is listed
    cache.remember(record("a", "2026-01-01", version=2, name="new"))
    assert cache.ordered() is not listed and cache.ordered()[0]["name"] == "new"


def test_list_stays_sorted_across_many_chunks():
    # chunks grow past 2 x CHUNK records and split: changes then land in, and are found in, the
    # right chunk, and no chunk (what one change copies) holds more than 2 x CHUNK records
    rng = random.Random(5)
    cache = CollectionCache()
    cache.replace(0, [record(f"r{i:04d}", f"2026-01-{1 + i % 28:02d}") for i in range(600)])
    for step in range(4000):
        record_id = f"r{rng.randint(0, 5000):04d}"
        current = cache.records.get(record_id)
        if current is not None and rng.random() < 0.2:
            cache.written(record_id, None, 0)
        else:
            stamp = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            cache.written(record_id, record(record_id, stamp, (current["version"] + 1) if current else 1, str(step)), 0)
    assert list(cache.ordered()) == expected(cache) and len(cache.ordered()) == len(cache.records) > 3 * CHUNK
    assert max(len(chunk) for chunk in cache._rows) <= 2 * CHUNK


def test_the_version_follows_the_changes_applied():
    cache = CollectionCache()
    cache.replace(3, [record("a", "2026-01-01")])
    cache.apply(5, ["a", "b"], [record("a", "2026-01-01", 2), record("b", "2026-01-02")])
    assert cache.version == 5 and [r["id"] for r in cache.ordered()] == ["a", "b"]
    cache.apply(4, [], [])  # an older answer never moves it back
    assert cache.version == 5


def test_a_thawed_record_is_a_plain_deep_copy():
    frozen = freeze({"id": "a", "tags": ["x", {"k": ["v"]}], "nested": {"n": [1, 2]}})
    thawed = thaw(frozen)
    assert thawed == {"id": "a", "tags": ["x", {"k": ["v"]}], "nested": {"n": [1, 2]}}
    thawed["tags"][1]["k"].append("w")
    assert frozen["tags"][1]["k"] == ("v",)


def test_a_frozen_record_is_read_only_all_the_way_down():
    frozen = freeze({"id": "a", "tags": ["x", {"k": ["v"]}], "nested": {"n": [1, 2]}, "n": 1.5, "ok": True})
    assert frozen == {"id": "a", "tags": ("x", {"k": ("v",)}), "nested": {"n": (1, 2)}, "n": 1.5, "ok": True}
    for container, key in ((frozen, "id"), (frozen["tags"][1], "k"), (frozen["nested"], "n")):
        with pytest.raises(TypeError):
            container[key] = "changed"


def test_a_record_without_a_usable_creation_time_is_listed_first_not_an_error():
    cache = CollectionCache()
    undated, unparsable = freeze({"id": "z", "version": 1}), freeze({"id": "y", "created_at": "?", "version": 1})
    cache.replace(0, [record("a", "2026-01-01"), undated, unparsable])
    assert [r["id"] for r in cache.ordered()] == ["y", "z", "a"]


def test_the_first_chunk_splits_in_place_among_many():
    cache = CollectionCache()
    cache.replace(0, [record(f"r{i:04d}", "2026-06-01") for i in range(1600)])  # 4 chunks
    for i in range(1200):  # all older: every one lands in the first chunk, which splits
        cache.written(f"e{i:04d}", record(f"e{i:04d}", "2026-01-01"), 0)
        if i % 150 == 0 or 510 <= i <= 514:  # and right after each split, before the halves change again
            assert list(cache.ordered()) == expected(cache)
    assert list(cache.ordered()) == expected(cache)
    for i in (600, 1000, 1500):  # records in the chunks after the ones that split: changed, then gone
        cache.written(f"r{i:04d}", record(f"r{i:04d}", "2026-06-01", 2, "changed"), 0)
        assert list(cache.ordered()) == expected(cache)
        cache.written(f"r{i:04d}", None, 0)
        assert list(cache.ordered()) == expected(cache)
    assert len(cache.ordered()) == 1600 + 1200 - 3
    assert max(len(chunk) for chunk in cache._rows) <= 2 * CHUNK


def test_lists_are_ordered_to_the_millisecond():
    cache = CollectionCache()
    cache.replace(0, [record("z", "2026-01-01T00:00:00.002Z"), record("a", "2026-01-01T00:00:00.003Z")])
    assert [r["id"] for r in cache.ordered()] == ["z", "a"]  # 1 ms apart: time first, not the id


def test_list_stays_sorted_after_the_whole_collection_is_replaced():
    # where each chunk starts is worked out again for the new records, not kept from the old ones
    cache = CollectionCache()
    cache.replace(0, [record(f"a{i:04d}", f"2026-01-01T00:00:{i % 60:02d}.{i:04d}") for i in range(3 * CHUNK)])
    cache.written("a9999", record("a9999", "2026-01-01T00:00:30"), 0)  # chunk starts worked out
    cache.replace(1, [record(f"b{i:04d}", f"2027-01-01T00:00:{i % 60:02d}.{i:04d}") for i in range(3 * CHUNK)])
    for i in range(0, 3 * CHUNK, 97):
        cache.written(f"c{i:04d}", record(f"c{i:04d}", f"2027-01-01T00:00:{i % 60:02d}.{i:04d}"), 0)
    assert list(cache.ordered()) == expected(cache)


def test_list_stays_sorted_when_chunks_empty_out_and_go():
    rng = random.Random(11)
    cache = CollectionCache()
    cache.replace(0, [record(f"r{i:04d}", f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}") for i in range(3 * CHUNK)])
    for i in range(CHUNK, 2 * CHUNK):  # the middle chunk empties out, and is removed
        cache.written(f"r{i:04d}", None, 0)
    for step in range(600):
        minute = rng.randint(0, 3 * CHUNK // 60)
        stamp = f"2026-01-01T00:{minute:02d}:{rng.randint(0, 59):02d}"
        cache.written(f"n{step:04d}", record(f"n{step:04d}", stamp), 0)
        if step % 50 == 0:
            assert list(cache.ordered()) == expected(cache)
    assert list(cache.ordered()) == expected(cache)

"""Memory used in Redis per record, against the record's JSON size: the INFO memory delta of a
load (all keys: record, index, changes, unique and by indexes, allocator overhead) and MEMORY
USAGE of each kind of key. The create script's operation-id keys (kept 300 s so a retried write
is recognised) are measured, then removed before the steady-state figure."""

from . import loader

SAMPLE = 500


def used_memory(client):
    return int(client.info("memory")["used_memory"])


def key_usage(client, key):
    return int(client.memory_usage(key, samples=0) or 0)


def keys_usage(client, pattern):
    """MEMORY USAGE summed over every key matching a SCAN pattern (a paged index's pages, say)."""
    total = 0
    for batch in _scan_batches(client, pattern):
        pipe = client.pipeline(transaction=False)
        for key in batch:
            pipe.memory_usage(key, samples=0)
        total += sum(int(n or 0) for n in pipe.execute())
    return total


def drop_op_keys(client, root):
    """UNLINK the op-id keys under `root` (what their 300 s expiry does). Returns (count, bytes of
    a sample, extrapolated)."""
    count, sampled, sampled_bytes = 0, 0, 0
    for batch in _scan_batches(client, f"{_escape(root)}:op:*"):
        if sampled < SAMPLE:
            sampled_bytes += sum(key_usage(client, k) for k in batch[: SAMPLE - sampled])
            sampled += min(len(batch), SAMPLE - sampled)
        client.unlink(*batch)
        count += len(batch)
    return count, (sampled_bytes / sampled * count) if sampled else 0


def _scan_batches(client, pattern):
    batch = []
    for key in client.scan_iter(match=pattern, count=5000):
        batch.append(key)
        if len(batch) >= 5000:
            yield batch
            batch = []
    if batch:
        yield batch


def _escape(text):
    return text.replace("{", "\\{").replace("}", "\\}")


def load_and_measure(client, collection, make_fields, count, *, seconds=None):
    """Load `count` records (fewer if `seconds` runs out) and measure what they cost in Redis.
    Returns (ids, load seconds, dict)."""
    keys = collection.backend.keys
    name = collection.name
    before = used_memory(client)
    ids, seconds, json_bytes = loader.load_redis(collection, client, make_fields, count, seconds=seconds)
    count = len(ids)
    op_count, op_bytes = drop_op_keys(client, keys.root)
    after = used_memory(client)
    step = max(1, len(ids) // SAMPLE)
    sample = ids[::step][:SAMPLE]
    record_bytes = sum(key_usage(client, keys.record(name, i)) for i in sample) / len(sample) * count
    parts = {
        "records": record_bytes,
        "index": key_usage(client, keys.index(name)) + keys_usage(client, _escape(keys.creation(name)) + ":*"),
        "changes": key_usage(client, keys.changes(name)),
        "unique": sum(keys_usage(client, _escape(keys.unique(name, f)) + "*") for f in collection.spec.unique),
    }
    total = after - before
    parts["by-indexes, other"] = max(0, total - sum(parts.values()))
    return (
        ids,
        seconds,
        {
            "collection": name,
            "count": count,
            "json_per_record": json_bytes / count,
            "total_per_record": total / count,
            "parts_per_record": {k: v / count for k, v in parts.items()},
            "op_keys_per_write": op_bytes / op_count if op_count else 0,
            "ratio": (total / count) / (json_bytes / count),
            "load_seconds": seconds,
        },
    )

"""Find and repair integrity problems in the stored collections (diagnostics only).

`inspect(store)` reads every collection's raw state (backends find keys with SCAN: never on a
request path) and compares records with their indexes, generically from the registered specs:
index entries without a record, records missing from their indexes, records whose reference
names a missing record, unique- and reference-index entries that point nowhere, records that
don't parse. `repair(store, report)` applies the safe fixes, each atomically (one script call that
re-checks the record's version first, so a concurrent write wins and the fix is skipped).
"""

import json
from dataclasses import dataclass, field

from storage.backends.base import Fix
from storage.cache import epoch_ms
from storage.errors import NotFound, StorageError, StorageUnavailable, VersionConflict
from storage.store import specs as registered_specs

KINDS = {
    "index_without_record": (
        "Index entries without a record",
        "--repair removes each entry from the index (if the record is still absent).",
    ),
    "record_not_indexed": (
        "Records missing from their indexes (list index, unique or reference index)",
        "--repair re-adds each record to the indexes it is missing from (score = created_at).",
    ),
    "dangling_reference": (
        "Records whose reference names a missing record",
        "Reported, not deleted: recreate the missing record, or run --repair --delete-orphans to delete "
        "these records through the normal delete script.",
    ),
    "unique_without_record": (
        "Unique-index entries that point nowhere (no record, or a record with another value)",
        "--repair removes each entry (if it still points to the same id).",
    ),
    "by_without_record": (
        "Reference-index entries that point nowhere (no record, or a record with another value)",
        "--repair removes the id from the set (if the record has not changed since).",
    ),
    "unparseable_record": (
        "Records that don't parse",
        "Not repaired automatically: read the raw value, restore the record from an export "
        "(import_data), or delete the key by hand.",
    ),
}


@dataclass
class Problem:
    kind: str
    collection: str
    record_id: str
    detail: str = ""
    fix: Fix | None = None
    version: int = -1  # the record's version (dangling_reference: for --delete-orphans)


@dataclass
class Inspection:
    collections: dict = field(default_factory=dict)  # name -> families summary
    problems: list = field(default_factory=list)  # Problem
    keys: dict = field(default_factory=dict)  # name -> key names found

    @property
    def consistent(self):
        return not self.problems

    def as_dict(self, limit=100):
        """The report: key families, then problems grouped by kind and collection (ids capped)."""
        groups = {}
        for problem in self.problems:
            groups.setdefault((problem.kind, problem.collection), []).append(problem)
        listed = []
        for (kind, collection), found in groups.items():
            title, fix = KINDS[kind]
            listed.append(
                {
                    "kind": kind,
                    "collection": collection,
                    "title": title,
                    "count": len(found),
                    "ids": [p.record_id for p in found[:limit]],
                    "details": [p.detail for p in found[:limit] if p.detail],
                    "truncated": len(found) > limit,
                    "fix": fix,
                }
            )
        return {
            "consistent": self.consistent,
            "collections": self.collections,
            "keys": {name: list(keys[:limit]) for name, keys in self.keys.items()},
            "keys_truncated": any(len(keys) > limit for keys in self.keys.values()),
            "problems": listed,
            "summary": {"problems": len(self.problems), "kinds": len(listed)},
            "limit": limit,
        }


def inspect(store):
    specs = registered_specs()
    states = {name: store.backend.raw_state(name) for name in sorted(specs)}
    found = Inspection()
    for name, spec in sorted(specs.items()):
        state = states[name]
        records, unparseable = _parse_all(state)
        found.keys[name] = list(state.keys)
        found.collections[name] = _families(spec, state, records, unparseable)
        found.problems += [Problem("unparseable_record", name, i, detail=why) for i, why in unparseable.items()]
        found.problems += [
            Problem("index_without_record", name, i, fix=Fix("unindex", name, i, score=int(state.index[i])))
            for i in state.index
            if i not in state.records
        ]
        for record_id, record in records.items():
            found.problems += _record_problems(spec, state, states, record_id, record)
        found.problems += _stale_entries(spec, state, records)
    return found


def _parse_all(state):
    records, unparseable = {}, {}
    for record_id, text in state.records.items():
        try:
            record = json.loads(text) if text is not None else None
        except ValueError as exc:
            unparseable[record_id] = f"not JSON: {exc}"
            continue
        if not isinstance(record, dict) or record.get("id") != record_id or not isinstance(record.get("version"), int):
            unparseable[record_id] = "not a record (missing id or version, or a key of another type)"
            continue
        records[record_id] = record
    return records, unparseable


def _families(spec, state, records, unparseable):
    return {
        "records": {"present": bool(state.records), "count": len(records), "unparseable": len(unparseable)},
        "index": {"present": bool(state.index), "entries": len(state.index)},
        "version": {"present": state.version is not None, "value": state.version or 0},
        "changes": {"present": state.changes > 0, "entries": state.changes},
        "unique": {
            f: {"present": bool(state.unique.get(f)), "entries": len(state.unique.get(f, {}))} for f in spec.unique
        },
        "by": {
            f: {"present": bool(state.by.get(f)), "sets": len(state.by.get(f, {})), "entries": _members(state.by, f)}
            for f in spec.references
        },
    }


def _members(by, field_name):
    return sum(len(ids) for ids in by.get(field_name, {}).values())


def _record_problems(spec, state, states, record_id, record):
    problems, missing, unique, by = [], [], [], []
    if record_id not in state.index:
        missing.append("index")
    for name, normalise in spec.unique.items():
        value = normalise(record.get(name)) or ""
        if value:
            unique.append((name, value))
            if state.unique.get(name, {}).get(value) != record_id:
                missing.append(f"unique:{name}")
    for name, target in spec.references.items():
        value = record.get(name) or ""
        if not value:
            continue
        by.append((name, value))
        if record_id not in state.by.get(name, {}).get(value, ()):
            missing.append(f"by:{name}")
        if target in states and value not in states[target].records:
            problems.append(
                Problem(
                    "dangling_reference",
                    spec.name,
                    record_id,
                    detail=f"{record_id}: {name}={value} ({target} record missing)",
                    version=record["version"],
                )
            )
    if missing:
        fix = Fix(
            "reindex",
            spec.name,
            record_id,
            expected_version=record["version"],
            score=_score(record, state),
            unique=tuple(unique),
            by=tuple(by),
        )
        problems.append(Problem("record_not_indexed", spec.name, record_id, f"{record_id}: {', '.join(missing)}", fix))
    return problems


def _score(record, state):
    try:
        return epoch_ms(record["created_at"])
    except (KeyError, TypeError, ValueError):
        return int(state.index.get(record["id"], 0))


def _stale_entries(spec, state, records):
    problems = []
    for name, entries in state.unique.items():
        normalise = spec.unique.get(name, lambda v: v)
        for value, owner in entries.items():
            record = records.get(owner)
            if owner in state.records and record is None:
                continue  # an unparseable record: reported as such
            if record is not None and (normalise(record.get(name)) or "") == value:
                continue
            version = record["version"] if record is not None else -1
            fix = Fix("drop_unique", spec.name, owner, expected_version=version, field=name, value=value)
            problems.append(Problem("unique_without_record", spec.name, owner, f"{name}={value!r} -> {owner}", fix))
    for name, values in state.by.items():
        for value, ids in values.items():
            for member in ids:
                record = records.get(member)
                if member in state.records and record is None:
                    continue
                if record is not None and record.get(name) == value:
                    continue
                version = record["version"] if record is not None else -1
                fix = Fix("drop_by", spec.name, member, expected_version=version, field=name, value=value)
                problems.append(Problem("by_without_record", spec.name, member, f"{name}={value} -> {member}", fix))
    return problems


def repair(store, inspection, *, delete_orphans=False, dry_run=False):
    """Apply the safe fixes of an Inspection, one atomic call each. Returns one action per problem:
    {"kind", "collection", "id", "action", "result"}."""
    if not dry_run and not store.backend.can_repair:
        raise StorageError(f"repair is not applicable to the {store.backend.name} backend")
    actions = []
    # Stale entries first, then re-indexing (which may need a unique value a stale entry held).
    order = {"unique_without_record": 0, "by_without_record": 0, "index_without_record": 1, "record_not_indexed": 2}
    for problem in sorted(inspection.problems, key=lambda p: order.get(p.kind, 3)):
        action, result = _apply(store, problem, delete_orphans, dry_run)
        actions.append(
            {"kind": problem.kind, "collection": problem.collection, "id": problem.record_id, "action": action}
            | {"result": result}
        )
    return actions


def _apply(store, problem, delete_orphans, dry_run):
    if problem.fix is not None:
        action = f"{problem.fix.action} {problem.detail or problem.record_id}".strip()
        if dry_run:
            return action, "would apply"
        try:
            return action, store.backend.repair(problem.fix)
        except StorageUnavailable:
            raise
        except StorageError as exc:
            return action, f"failed: {exc}"
    if problem.kind == "dangling_reference":
        if not delete_orphans:
            return "report only", "not deleted (use --delete-orphans)"
        if dry_run:
            return "delete", "would delete"
        try:
            result = store.collection(problem.collection).delete(problem.record_id, expected_version=problem.version)
        except (NotFound, VersionConflict):
            return "delete", "changed"
        except StorageUnavailable:
            raise
        except StorageError as exc:  # e.g. the orphan has dependents of its own
            return "delete", f"failed: {exc}"
        return "delete", f"deleted{f' with {result.cascaded} dependent(s)' if result.cascaded else ''}"
    return "report only", "not repaired automatically"

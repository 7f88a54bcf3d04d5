"""The write scripts' logic for the jsonfile backend, over the parsed files and under its lock:
the same replies as the Lua scripts (interpret_reply reads both), the old index values read from
the stored record as the scripts read them."""

import json
import time

from ..document import document
from . import commands


def apply(write, state_of):
    """The Lua scripts' logic over the parsed files. Returns (reply, collections to save)."""
    state = state_of(write.collection)
    now = time.time()
    state["ops"] = {k: v for k, v in state["ops"].items() if v[1] > now}
    if write.op_id in state["ops"]:
        return state["ops"][write.op_id][0], set()
    touched = {write.collection}
    current = state["records"].get(write.record_id)
    if write.op == "create":
        reply = _create(state, write, current, state_of)
    elif current is None:
        reply = ["not_found"]
    elif write.expected_version is not None and int(current.get("version", 0)) != write.expected_version:
        reply = ["conflict", int(current.get("version", 0))]
    elif write.op == "update":
        reply = _update(state, write, current, state_of)
    else:
        reply = _delete(state, write, current, state_of, touched)
    state["ops"][write.op_id] = [reply, now + commands.OP_TTL_SECONDS]
    return reply, touched


def _create(state, write, current, state_of):
    if current is not None:
        return ["exists"]
    unique, by = _index_changes(state, write, None)
    problem = _problem(state, write, unique, state_of)
    if problem:
        return problem
    state["records"][write.record_id] = json.loads(write.doc)
    state["index"][write.record_id] = write.created_ms
    _apply_indexes(state, write.record_id, unique, by)
    _apply_sorts(state, write)
    version = _record_change(state, write.record_id)
    if version == 1:  # born with its sort indexes: they are complete
        state["sorted"] = sorted({*state.get("sorted", ()), *(field for field, _ in write.sorts)})
    return ["ok", 1, version, 0, ""]


def _update(state, write, current, state_of):
    unique, by = _index_changes(state, write, current)
    problem = _problem(state, write, unique, state_of)
    if problem:
        return problem
    version = int(current.get("version", 0)) + 1
    created_at = current.get("created_at")
    state["records"][write.record_id] = json.loads(document(write.head, version, created_at, write.updated_at))
    _apply_indexes(state, write.record_id, unique, by)
    _apply_sorts(state, write)
    return ["ok", version, _record_change(state, write.record_id), 0, created_at or ""]


def _delete(state, write, current, state_of, touched):
    unique, by = _index_changes(state, write, current)
    for dep in write.dependents:
        members = state_of(dep.collection)["by"].get(dep.field, {}).get(write.record_id, [])
        if members and not write.cascade:
            return ["dependents", dep.collection, len(members)]
    cascaded = 0
    if write.cascade:
        for dep in write.dependents:
            cascaded += _cascade(state_of(dep.collection), dep, write.record_id)
            touched.add(dep.collection)
    del state["records"][write.record_id]
    state["index"].pop(write.record_id, None)
    _apply_indexes(state, write.record_id, unique, by)
    _apply_sorts(state, write)
    return ["ok", 0, _record_change(state, write.record_id), cascaded, ""]


def _cascade(dep_state, dep, record_id):
    """Delete the records of dep_state whose dep.field names record_id; returns how many."""
    cascaded = 0
    for dep_id in list(dep_state["by"].get(dep.field, {}).get(record_id, [])):
        record = dep_state["records"].pop(dep_id, None)
        if record is not None:
            cascaded += 1
            for field in dep.by_fields:
                ids = dep_state["by"].get(field, {}).get(record.get(field), [])
                if dep_id in ids:
                    ids.remove(dep_id)
        dep_state["index"].pop(dep_id, None)
        for field in dep.sort_fields:
            dep_state.get("sort", {}).get(field, {}).pop(dep_id, None)
        _record_change(dep_state, dep_id)
    dep_state["by"].get(dep.field, {}).pop(record_id, None)
    return cascaded


def _record_change(state, record_id):
    state["version"] += 1
    state["changes"][record_id] = state["version"]
    if len(state["changes"]) > commands.CHANGES_MAX + commands.CHANGES_SLACK:
        ordered = sorted(state["changes"].items(), key=lambda item: item[1])
        drop = ordered[: len(ordered) - commands.CHANGES_MAX]
        for old_id, _ in drop:
            del state["changes"][old_id]
        state["floor"] = drop[-1][1]
    return state["version"]


def _index_changes(state, write, current):
    """(unique, by) as (field, old, new) entries, the old values read from the stored record: the
    unique entry that names the record (the file holds the whole index), the reference as stored."""
    unique, by = [], []
    for field, new, _sent in write.unique:
        owned = (v for v, owner in state["unique"].get(field, {}).items() if owner == write.record_id)
        unique.append((field, next(owned, "") if current is not None else "", new))
    for field, new in write.by:
        old = current.get(field) if current is not None else None
        by.append((field, old if isinstance(old, str) else "", new))
    return unique, by


def _apply_sorts(state, write):
    """The record's place in each sort index (files written before sort indexes have none)."""
    for field, score in write.sorts:
        scores = state.setdefault("sort", {}).setdefault(field, {})
        if score is None:
            scores.pop(write.record_id, None)
        else:
            scores[write.record_id] = score


def _apply_indexes(state, record_id, unique, by):
    for field, old, new in unique:
        values = state["unique"].setdefault(field, {})
        if old and old != new and values.get(old) == record_id:
            del values[old]
        if new:
            values[new] = record_id
    for field, old, new in by:
        values = state["by"].setdefault(field, {})
        if old and old != new and record_id in values.get(old, []):
            values[old].remove(record_id)
            if not values[old]:
                del values[old]
        if new and record_id not in values.setdefault(new, []):
            values[new].append(record_id)


def _problem(state, write, unique, state_of):
    for field, _old, new in unique:
        owner = state["unique"].get(field, {}).get(new)
        if new and owner and owner != write.record_id:
            return ["unique", field, owner]
    for field, target, value in write.refs:
        if value and value not in state_of(target)["records"]:
            return ["ref", field, value]
    return None

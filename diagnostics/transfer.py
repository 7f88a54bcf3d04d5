"""Export and import of records as JSON Lines, and the JSON-files → Redis migration.

One line per record: {"collection": "clients", "record": {...}}. Collections are written targets
first (clients before the sessions that reference them), so an export imports in order. An import
validates every record with the model's own rules (full_clean, as the API), keeps ids and
timestamps, and is idempotent: a record already stored with the same content is left alone.
"""

import json

from django.apps import apps
from django.core.exceptions import ValidationError

from storage.cache import thaw
from storage.errors import AlreadyExists, ReferenceViolation, UniqueViolation
from storage.keys import ID_RULE, valid_id
from storage.models import StorageModel, as_validation_error, to_storage_value
from storage.served import mark_skipped
from storage.store import specs


def models_by_collection():
    return {m.Storage.collection: m for m in apps.get_models() if issubclass(m, StorageModel)}


def ordered_collections():
    """Registered collections, referenced ones before the ones that reference them."""
    remaining = dict(specs())
    ordered = []
    while remaining:
        ready = sorted(
            n for n, s in remaining.items() if all(t not in remaining or t == n for t in s.references.values())
        )
        ready = ready or sorted(remaining)[:1]  # a reference cycle: break it by name
        for name in ready:
            ordered.append(name)
            del remaining[name]
    return ordered


def export_records(store):
    """(collection, plain record) for every stored record, targets first, oldest first."""
    for name in ordered_collections():
        collection = store.collection(name)
        records = collection.all()
        if records is None:  # larger than the process cache holds: read from its index, in chunks
            records = _scanned(collection)
        for record in records:
            yield name, thaw(record)


def _scanned(collection):
    """Every record of a collection read through its index at one collection version; the ones
    that don't parse are flagged as a list flags them (served.unparsable_skipped)."""
    kept = []

    def begin():  # called again, on a fresh list, if the collection changes during the scan
        kept.clear()
        return kept.extend

    collection.scan(begin)
    if collection.unparsable:
        mark_skipped(collection.name, collection.unparsable)
    return kept


def validate(model, record):
    """(record id, writable fields, created_at, updated_at, version) of a record, or a
    ValidationError holding every problem it has (the id's and the fields' together)."""
    if not isinstance(record, dict):
        raise ValidationError("the record must be a JSON object")
    errors = {}
    record_id = record.get("id")
    if not valid_id(record_id):
        errors["id"] = [f"must be {ID_RULE}"]
    values = {}
    for field in model._meta.concrete_fields:
        if field.attname in record:
            values[field.attname] = record[field.attname]
        elif field.has_default():
            values[field.attname] = field.get_default()
    instance = model(**values)
    try:
        instance.full_clean(exclude=["id"] if "id" in errors else None)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    for name, target in model.storage_spec().references.items():
        value = getattr(instance, name, None)
        if value and not valid_id(value) and name not in errors:
            errors[name] = [f"{value!r} is not a valid id of {target}"]
    if errors:
        raise ValidationError(errors)
    created = to_storage_value(model._meta.get_field("created_at"), instance.created_at)
    updated = to_storage_value(model._meta.get_field("updated_at"), instance.updated_at) or created
    return record_id, instance.to_fields(), created, updated, max(1, int(instance.version or 1))


def _same(model, stored, record, fields, created):
    """The stored record already holds what the line says: the same fields, and the same creation
    time when the line gives one (a hand-written line without timestamps matches on its fields)."""
    _, stored_fields, stored_created, _, _ = validate(model, thaw(stored))
    return stored_fields == fields and ("created_at" not in record or stored_created == created)


def _message(error):
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


def load(store, items, progress=None):
    """Store (line number, collection, record) items. Returns the report:
    {"created", "unchanged", "conflicts": [..], "errors": [{"line", "message"}]}."""
    models = models_by_collection()
    items = list(items)
    report = {"created": 0, "unchanged": 0, "conflicts": [], "errors": []}
    for position, (line, name, record) in enumerate(items, 1):
        if progress:
            progress(position, len(items))
        model = models.get(name)
        if model is None:
            report["errors"].append({"line": line, "message": f"unknown collection {name!r}"})
            continue
        try:
            record_id, fields, created, updated, version = validate(model, record)
        except ValidationError as exc:
            report["errors"].append({"line": line, "message": _message(exc)})
            continue
        collection = store.collection(name)
        # Looked up first, so that a rerun skips quietly (an attempted create would log an error).
        existing = collection.get(record_id)
        if existing is None:
            try:
                collection.create(fields, record_id=record_id, created_at=created, updated_at=updated, version=version)
                report["created"] += 1
                continue
            except AlreadyExists:  # created meanwhile by someone else
                existing = collection.get(record_id)
            except (UniqueViolation, ReferenceViolation) as exc:
                report["errors"].append({"line": line, "message": _message(as_validation_error(model, exc))})
                continue
        if existing is not None and _same(model, existing, record, fields, created):
            report["unchanged"] += 1
        else:
            report["conflicts"].append(
                {"line": line, "id": record_id, "message": "already stored with other content: kept the stored one"}
            )
    return report


def parse_lines(lines):
    """(line number, collection, record) per non-blank line; a bad line becomes (n, None, error).
    Lines may be bytes: one that is not UTF-8 is refused alone, with its number."""
    for number, text in enumerate(lines, 1):
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, f"not UTF-8: byte 0x{text[exc.start]:02x} at column {exc.start + 1}"
                continue
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except ValueError as exc:
            yield number, None, f"not JSON: {exc}"
            continue
        if not isinstance(item, dict) or not isinstance(item.get("collection"), str) or "record" not in item:
            yield number, None, 'expected {"collection": ..., "record": {...}}'
            continue
        yield number, item["collection"], item["record"]


def load_lines(store, lines, progress=None):
    parsed = list(parse_lines(lines))
    bad = [{"line": n, "message": r} for n, c, r in parsed if c is None]
    report = load(store, [p for p in parsed if p[1] is not None], progress)
    report["errors"] = sorted(report["errors"] + bad, key=lambda e: e["line"])
    report["lines"] = len(parsed)
    return report


def headline(report, unit="line"):
    """(text, status) of a load report, counting refused lines as well as created ones."""
    refused, conflicts = len(report["errors"]), len(report["conflicts"])
    lines = report.get("lines", report["created"] + report["unchanged"] + refused + conflicts)
    text = (
        f"{lines} {unit}(s): {report['created']} created, {report['unchanged']} unchanged, "
        f"{conflicts} conflict(s), {refused} refused"
    )
    return text, "failed" if refused else "warning" if conflicts else "passed"

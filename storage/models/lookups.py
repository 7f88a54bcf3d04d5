"""How a StorageQuerySet's where clause is prepared and evaluated in memory: the lookups, the
conversion of filter values to their stored form, the compiled record -> bool test, sort keys."""

import operator
import unicodedata
from datetime import UTC, datetime
from types import MappingProxyType

from django.db import models
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from storage.cache import epoch_ms, order_key, thaw

LOOKUPS = {
    "exact": operator.eq,
    "iexact": lambda a, b: _fold(a) == _fold(b),
    "contains": lambda a, b: a is not None and str(b) in str(a),
    "icontains": lambda a, b: a is not None and _fold(b) in _fold(a),
    "startswith": lambda a, b: a is not None and str(a).startswith(str(b)),
    "istartswith": lambda a, b: a is not None and _fold(a).startswith(_fold(b)),
    "in": lambda a, b: a in b,
    "gt": lambda a, b: a is not None and a > b,
    "gte": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
    "isnull": lambda a, b: (a is None) == bool(b),
}


def _fold(value):
    return "" if value is None else str(value).casefold()


def stored_to_python(field):
    """value -> Python value of `field`, for values as storage keeps them (ISO text for datetimes,
    tuples for lists): the common cases without Django's to_python, anything else through it."""
    if isinstance(field, models.DateTimeField):

        def convert(value):
            if isinstance(value, str):
                try:
                    return datetime.fromisoformat(value)
                except ValueError:
                    pass
            return None if value is None else field.to_python(value)

        return convert
    if isinstance(field, models.JSONField):
        return lambda value: thaw(value) if isinstance(value, tuple | MappingProxyType) else value
    kinds = {models.BooleanField: bool, models.IntegerField: int, models.CharField: str, models.TextField: str}
    kind = next((k for base, k in kinds.items() if isinstance(field, base)), None)
    return lambda value: value if value is None or type(value) is kind else field.to_python(value)


def to_storage_value(field, value):
    """A Python value of `field` as it is stored in the record JSON."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        if isinstance(value, str):
            value = parse_datetime(value) or value
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    if isinstance(field, models.ForeignKey) and isinstance(value, models.Model):
        return value.pk
    return value


def prepare(model, q):
    """The Q tree with every value converted once to its stored form (filter values come from
    query strings too: "1" for a boolean, "60" for an integer). Bad values raise ValidationError."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(prepare(model, child))
        else:
            key, value = child
            field, lookup = split(model, key)
            children.append((key, _stored_lookup_value(field, lookup, value)))
    return Q.create(children, connector=q.connector, negated=q.negated)


def compile_where(model, q):
    """A function record -> bool for a prepared Q tree (fields resolved once, not per record)."""
    parts = []
    for child in q.children:
        if isinstance(child, Q):
            parts.append(compile_where(model, child))
        else:
            key, wanted = child
            field, lookup = split(model, key)
            parts.append(_test(field.attname, lookup, wanted))
    negated = q.negated
    if len(parts) == 1 and not negated:
        return parts[0]
    if q.connector == Q.AND:

        def match(record):
            for part in parts:
                if not part(record):
                    return negated
            return not negated

    else:

        def match(record):
            for part in parts:
                if part(record):
                    return not negated
            return negated

    return match


def split(model, key):
    """(field, lookup name) of a filter keyword such as name__icontains or client__id."""
    parts = key.split("__")
    lookup = "exact"
    if len(parts) > 1 and parts[-1] in LOOKUPS:
        lookup = parts.pop()
    if len(parts) == 2 and parts[1] in ("id", "pk"):
        parts = [parts[0]]  # client__id -> client
    if len(parts) != 1:
        raise NotImplementedError(f"lookup {key!r} is not supported on {model.__name__}")
    return resolve(model, parts[0]), lookup


def resolve(model, name):
    """The stored field called `name` (its name or attname; "pk" is the primary key)."""
    if name == "pk":
        return model._meta.pk
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    raise NotImplementedError(f"{model.__name__} has no stored field {name!r}")


def _test(attname, lookup, wanted):
    """record -> bool for one lookup; the case-insensitive ones fold the wanted value once."""
    if lookup in ("icontains", "iexact", "istartswith"):
        folded = _fold(wanted)
        if lookup == "icontains":
            return lambda r: (v := r.get(attname)) is not None and folded in str(v).casefold()
        if lookup == "istartswith":
            return lambda r: (v := r.get(attname)) is not None and str(v).casefold().startswith(folded)
        return lambda r: _fold(r.get(attname)) == folded
    test = LOOKUPS[lookup]
    return lambda r: bool(test(r.get(attname), wanted))


def _stored_lookup_value(field, lookup, value):
    if lookup == "isnull":
        return value.strip().lower() not in ("", "0", "false") if isinstance(value, str) else bool(value)
    if lookup == "in":
        values = [value] if isinstance(value, str) else list(value)
        return tuple(_stored_value(field, v) for v in values)
    if lookup in ("contains", "icontains", "startswith", "istartswith"):
        return "" if value is None else str(value)
    return _stored_value(field, value)


def _stored_value(field, value):
    if value is None:
        return None
    if isinstance(value, models.Model):
        value = value.pk
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return to_storage_value(field, target.to_python(value))


def wanted_ids(q):
    """The ids a prepared where clause is restricted to (pk exact / pk__in in an AND), or None."""
    return wanted_values(q, ("pk", "id"), ("", "__exact", "__in"))


def wanted_values(q, names, suffixes):
    """The values an AND-ed condition `name + suffix = value` restricts a prepared where clause to
    (one value, or those of an __in), or None when it has no such condition."""
    if q.negated or (q.connector != Q.AND and len(q.children) > 1):
        return None
    for child in q.children:
        if isinstance(child, Q):
            found = wanted_values(child, names, suffixes)
            if found is not None:
                return found
            continue
        key, value = child
        for name in names:
            for suffix in suffixes:
                if key == name + suffix:
                    if value is None:
                        return ()
                    return tuple(value) if suffix == "__in" else (value,)
    return None


def has_conditions(q):
    return any(not isinstance(c, Q) or has_conditions(c) for c in q.children)


def index_by_id(records):
    return {r["id"]: r for r in records}


def creation_order(record):
    """The list order itself: the creation index's (creation time in ms, then id)."""
    return order_key(record)


def text_key(text):
    """How a person reads text in order: case and accents ignored (é with e, É with e), then the
    text itself as a tie-break, so that the order is stable (Emilie, then Émilie)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return (bare.casefold(), text.casefold(), text)


def sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (1, text_key(value))
    if isinstance(value, bool | int | float):
        return (1, value)
    return (1, str(value))


def order_value(model, name, getters):
    """record -> a comparable for ordering by `name` (no "-"): an annotation in `getters`; the
    creation order for created_at; (time in ms, id) for a field with a sort index — the index's
    own order, so memory and Redis list alike —; the field's value otherwise."""
    if name in getters:
        value_of = getters[name]
        return lambda r: sort_key(value_of(r))
    if name == "created_at":
        return order_key
    attname = resolve(model, name).attname
    if name in getattr(model.Storage, "sorted", ()):
        return lambda r: (epoch_ms(r[attname]) if r.get(attname) else -1, r["id"])
    return lambda r: sort_key(r.get(attname))


def sort_records(model, records, ordering, getters):
    """The records (in creation order already: the stable tie-break) sorted by `ordering`; a name
    in `getters` is an annotation, any other a stored field."""
    records = list(records)
    for name in reversed(ordering):
        records.sort(key=order_value(model, name.lstrip("-"), getters), reverse=name.startswith("-"))
    return records


def single_id(q):
    """The id of a where clause that is exactly one pk / id equality, else None."""
    if q.negated or len(q.children) != 1:
        return None
    if isinstance(q.children[0], Q):
        return single_id(q.children[0])  # Q(Q(id=...)), as related descriptors build it
    key, value = q.children[0]
    if key in ("pk", "id", "pk__exact", "id__exact"):
        return str(value) if value is not None else ""
    return None

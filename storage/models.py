"""The bridge that lets an unmanaged Django model live in a storage collection.

A model declares its fields once (they drive validation, forms, serializers and the schema) and a
`Storage` inner class naming its collection. `objects` is a Manager over a narrow in-memory
QuerySet: get, filter / exclude (Q objects, the lookups below; values from query strings are
converted to the field's type), order_by, count, exists, slicing and iteration, in_bulk, plus what
the admin needs: `query.order_by`, annotate(name=MappedValue(...)) for columns computed from another
collection, counts_by(field) and value_map(field) (one pass, memoised while the collection is
unchanged). Anything else raises NotImplementedError instead of pretending.
save() and delete() go through storage; no SQL ever runs for these models.
"""

import operator
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from .collection import READ_ONLY_FIELDS, CollectionSpec
from .errors import NotFound, ReferenceViolation, UniqueViolation
from .store import get_store, register

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


class UnsupportedQuerySetMethod(NotImplementedError, AttributeError):
    """Raised for QuerySet methods the bridge does not provide. Also an AttributeError, so that
    hasattr() / getattr(qs, name, default) probes (DRF's router, introspection) answer False."""


class MappedValue:
    """An annotation computed in memory: `build()` returns a mapping (built once per evaluation,
    e.g. counts from one pass over another collection) and each record's value is
    mapping.get(record[key], default). Listed instances get it as an attribute; order_by accepts it."""

    def __init__(self, key, build, default=None):
        self.key, self.build, self.default = key, build, default


class _Memo:
    """Results derived from a collection snapshot (the tuple `Collection.all()` returns, the same
    object while the collection is unchanged), kept until the snapshot changes. Bounded LRU."""

    def __init__(self, size=64):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, sources, compute):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and len(entry[0]) == len(sources) and all(map(operator.is_, entry[0], sources)):
                self.entries.move_to_end(key)
                return entry[1]
        value = compute()
        with self.lock:
            self.entries[key] = (tuple(sources), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


_memo = _Memo()
_filtered_memo = _Memo(size=8)  # filter results can be large: keep few (a count and its page share one)


class StorageQuerySet:
    """An immutable, lazily evaluated view of a collection, filtered and ordered in memory."""

    def __init__(self, model, where=None, ordering=(), window=(0, None), annotations=()):
        self.model = model
        self._where = where  # a Q tree whose values are already in stored form, or None
        self._ordering = tuple(ordering)
        self._window = window
        self._annotations = tuple(annotations)  # (name, MappedValue)
        self._result = None
        self._matched = None  # every matching record, ordered, before the slice: shared by slices

    def _clone(self, **changes):
        args = {
            "where": self._where,
            "ordering": self._ordering,
            "window": self._window,
            "annotations": self._annotations,
        }
        args.update(changes)
        return type(self)(self.model, **args)

    @property
    def query(self):
        """What the admin's ChangeList reads of a query: its ordering, and no select_related."""
        return SimpleNamespace(order_by=self._ordering, select_related=False)

    def annotate(self, *args, **annotations):
        if args or not all(isinstance(a, MappedValue) for a in annotations.values()):
            raise NotImplementedError("StorageQuerySet.annotate() only takes MappedValue(...) keyword arguments")
        for value in annotations.values():
            self._resolve(value.key)
        return self._clone(annotations=self._annotations + tuple(annotations.items()))

    # the parts of the QuerySet API the admin, DRF and the apps use
    def all(self):
        return self._clone()

    def none(self):
        return self._clone(where=Q(pk__in=[]))

    def using(self, alias):
        return self

    def _add_hints(self, **hints):
        pass

    def select_related(self, *fields):
        return self

    def prefetch_related(self, *lookups):
        return self

    def distinct(self, *fields):
        return self

    def filter(self, *args, **kwargs):
        return self._narrow(Q(*args, **kwargs))

    def exclude(self, *args, **kwargs):
        return self._narrow(~Q(*args, **kwargs))

    def complex_filter(self, filter_obj):
        if isinstance(filter_obj, Q):
            return self._narrow(filter_obj)
        return self.filter(**filter_obj)

    def order_by(self, *fields):
        if self._window != (0, None):
            raise TypeError("Cannot reorder a query once a slice has been taken.")
        for name in fields:
            if name.lstrip("-") not in self._annotation_names():
                self._resolve(name.lstrip("-"))
        return self._clone(ordering=fields)

    @property
    def ordered(self):
        return True

    @property
    def db(self):
        return "default"

    def count(self):
        # Evaluated like a page, so that count() then a slice (a paginated list) share one
        # snapshot: one version round trip per list request.
        return len(self._records())

    def counts_by(self, field_name):
        """{stored value of `field_name`: number of records} in one pass (memoised while the
        collection is unchanged), e.g. how many sessions each client has."""
        attname = self._resolve(field_name).attname

        def compute(records):
            counts = {}
            for record in records:
                value = record.get(attname)
                counts[value] = counts.get(value, 0) + 1
            return counts

        return self._derived(("counts", attname), compute)

    def value_map(self, field_name):
        """{pk: stored value of `field_name`} in one pass (memoised while the collection is unchanged)."""
        attname = self._resolve(field_name).attname
        return self._derived(("values", attname), lambda records: {r["id"]: r.get(attname) for r in records})

    def _derived(self, key, compute):
        if self._window != (0, None):
            raise TypeError("Cannot derive values from a sliced query.")
        snapshot, records = self._filtered()
        if self._where is not None:
            return compute(records)
        return _memo.get((self.model.Storage.collection, *key), (snapshot,), lambda: compute(records))

    def exists(self):
        return bool(self._records())

    def get(self, *args, **kwargs):
        """A pk get is one round trip to the backend (annotations are not applied to it)."""
        where = Q(*args, **kwargs)
        record_id = self._single_id(where)
        if record_id is not None and self._where is None:
            record = self.model.storage().get(record_id)  # one round trip, no list
            matches = [record] if record is not None else []
        else:
            matches = list(self._narrow(where)._records()[:2])
        if not matches:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        if len(matches) > 1:
            raise self.model.MultipleObjectsReturned(f"more than one {self.model._meta.object_name} matched")
        return self.model.from_record(matches[0])

    def first(self):
        found = list(self[:1])
        return found[0] if found else None

    def create(self, **kwargs):
        instance = self.model(**kwargs)
        instance.save()
        return instance

    def in_bulk(self, id_list=None, *, field_name="pk"):
        """{id: instance}: served from memory after one version round trip, not one get per id."""
        if field_name not in ("pk", "id"):
            raise NotImplementedError("in_bulk() only works by primary key on storage models")
        ids = [i for i in (id_list or []) if isinstance(i, str)]
        if not ids:
            return {}
        return {obj.pk: obj for obj in self.filter(pk__in=ids)}

    def delete(self):
        count = 0
        for instance in list(self):
            instance.delete()
            count += 1
        return count, {self.model._meta.label: count}

    def values_list(self, *fields, flat=False):
        names = [self._resolve(f).attname for f in fields] or ["id"]
        rows = [tuple(r.get(n) for n in names) for r in self._records()]
        return [row[0] for row in rows] if flat else rows

    def iterator(self, chunk_size=None):
        return iter(self)

    def __iter__(self):
        return iter(self._instances())

    def __len__(self):
        return len(self._instances())

    def __bool__(self):
        return self.exists()

    def __getitem__(self, item):
        if isinstance(item, slice):
            if (item.start or 0) < 0 or (item.stop is not None and item.stop < 0) or item.step not in (None, 1):
                raise ValueError("Negative indexing and steps are not supported.")
            start, stop = self._window
            new_start = start + (item.start or 0)
            new_stop = start + item.stop if item.stop is not None else stop
            if stop is not None and new_stop is not None:
                new_stop = min(new_stop, stop)
            clone = self._clone(window=(new_start, new_stop))
            clone._matched = self._matched  # count() then a page: one evaluation, one snapshot
            return clone
        if not isinstance(item, int) or item < 0:
            raise TypeError("QuerySet indices must be non-negative integers or slices.")
        return list(self[item : item + 1])[0]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise UnsupportedQuerySetMethod(
            f"{type(self).__name__}.{name}() is not supported: {self.model.__name__} lives in storage, "
            "not in a database"
        )

    def __repr__(self):
        return f"<StorageQuerySet {self.model.__name__} where={self._where} ordering={self._ordering}>"

    # evaluation
    def _narrow(self, q):
        if self._window != (0, None):
            raise TypeError("Cannot filter a query once a slice has been taken.")
        if not _has_conditions(q):
            return self._clone()  # Q(), Q(Q()): no condition
        q = self._prepare(q)
        return self._clone(where=q if self._where is None else self._where & q)

    def _prepare(self, q):
        """The Q tree with every value converted once to its stored form (filter values come from
        query strings too: "1" for a boolean, "60" for an integer). Bad values raise ValidationError."""
        children = []
        for child in q.children:
            if isinstance(child, Q):
                children.append(self._prepare(child))
            else:
                key, value = child
                field, lookup = self._split(key)
                children.append((key, _stored_lookup_value(field, lookup, value)))
        return Q.create(children, connector=q.connector, negated=q.negated)

    def _instances(self):
        if self._result is None:
            records = self._records()
            instances = [self.model.from_record(r) for r in records]
            for name, value_of in self._annotation_getters().items():
                for instance, record in zip(instances, records, strict=True):
                    setattr(instance, name, value_of(record))
            self._result = instances
        return self._result

    def _filtered(self):
        """(snapshot, the records matching the where clause, in creation order)."""
        snapshot = self.model.storage().all()
        if self._where is None:
            return snapshot, snapshot
        records = snapshot
        wanted = _wanted_ids(self._where)
        if wanted is not None:  # pk / pk__in: pick from an id index instead of scanning
            index = _memo.get((self.model.Storage.collection, "by-id"), (snapshot,), lambda: _index(snapshot))
            records = sorted((index[i] for i in set(wanted) if i in index), key=_creation_order)
        match = self._compile(self._where)
        key = (self.model.Storage.collection, self._where)
        return snapshot, _filtered_memo.get(key, (snapshot,), lambda: [r for r in records if match(r)])

    def _records(self):
        if self._matched is None:
            snapshot, records = self._filtered()
            if self._ordering:
                getters = self._annotation_getters(only=self._ordering)
                if self._where is None:
                    maps = tuple(g.mapping for g in getters.values())
                    key = (self.model.Storage.collection, "sorted", self._ordering)
                    records = _memo.get(key, (snapshot, *maps), lambda: self._sorted(records, getters))
                else:
                    records = self._sorted(records, getters)
            self._matched = records
        start, stop = self._window
        return self._matched[start:stop]

    def _sorted(self, records, getters):
        records = list(records)  # in creation order already: the stable tie-break
        for name in reversed(self._ordering):
            bare = name.lstrip("-")
            if bare in getters:
                value_of = getters[bare]
            else:
                attname = self._resolve(bare).attname
                value_of = operator.methodcaller("get", attname)
            records.sort(key=lambda r, v=value_of: _sort_key(v(r)), reverse=name.startswith("-"))
        return records

    def _annotation_names(self):
        return {name for name, _ in self._annotations}

    def _annotation_getters(self, only=None):
        """{name: record -> value}; each annotation's mapping is built once here."""
        wanted = None if only is None else {n.lstrip("-") for n in only}
        getters = {}
        for name, mapped in self._annotations:
            if wanted is not None and name not in wanted:
                continue
            attname = self._resolve(mapped.key).attname
            mapping = mapped.build()
            getters[name] = _MappedGetter(mapping, attname, mapped.default)
        return getters

    def _compile(self, q):
        """A function record -> bool for a prepared Q tree (fields resolved once, not per record)."""
        parts = []
        for child in q.children:
            if isinstance(child, Q):
                parts.append(self._compile(child))
            else:
                key, wanted = child
                field, lookup = self._split(key)
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

    def _split(self, key):
        parts = key.split("__")
        lookup = "exact"
        if len(parts) > 1 and parts[-1] in LOOKUPS:
            lookup = parts.pop()
        if len(parts) == 2 and parts[1] in ("id", "pk"):
            parts = [parts[0]]  # client__id -> client
        if len(parts) != 1:
            raise NotImplementedError(f"lookup {key!r} is not supported on {self.model.__name__}")
        return self._resolve(parts[0]), lookup

    def _resolve(self, name):
        if name == "pk":
            return self.model._meta.pk
        for field in self.model._meta.concrete_fields:
            if name in (field.name, field.attname):
                return field
        raise NotImplementedError(f"{self.model.__name__} has no stored field {name!r}")

    def _single_id(self, q):
        if q.negated or len(q.children) != 1:
            return None
        if isinstance(q.children[0], Q):
            return self._single_id(q.children[0])  # Q(Q(id=...)), as related descriptors build it
        key, value = q.children[0]
        if key in ("pk", "id", "pk__exact", "id__exact"):
            return str(value) if value is not None else ""
        return None


class _MappedGetter:
    def __init__(self, mapping, attname, default):
        self.mapping, self.attname, self.default = mapping, attname, default

    def __call__(self, record):
        return self.mapping.get(record.get(self.attname), self.default)


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


def _wanted_ids(q):
    """The ids a prepared where clause is restricted to (pk exact / pk__in in an AND), or None."""
    if q.negated or (q.connector != Q.AND and len(q.children) > 1):
        return None
    for child in q.children:
        if isinstance(child, Q):
            found = _wanted_ids(child)
            if found is not None:
                return found
        else:
            key, value = child
            if key in ("pk", "id", "pk__exact", "id__exact"):
                return () if value is None else (value,)
            if key in ("pk__in", "id__in"):
                return value
    return None


def _has_conditions(q):
    return any(not isinstance(c, Q) or _has_conditions(c) for c in q.children)


def _index(records):
    return {r["id"]: r for r in records}


def _creation_order(record):
    return (record["created_at"], record["id"])


def _sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (1, value.casefold())
    if isinstance(value, bool | int | float):
        return (1, value)
    return (1, str(value))


class StorageManager(models.Manager):
    def get_queryset(self):
        return StorageQuerySet(self.model)

    def counts_by(self, field_name):
        return self.get_queryset().counts_by(field_name)

    def value_map(self, field_name):
        return self.get_queryset().value_map(field_name)


class StorageForeignKey(models.ForeignKey):
    """A reference checked atomically by the write script, so validation runs no query first."""

    def __init__(self, to, **kwargs):
        kwargs.setdefault("on_delete", models.DO_NOTHING)
        kwargs.setdefault("db_constraint", False)
        super().__init__(to, **kwargs)

    def validate(self, value, model_instance):
        models.Field.validate(self, value, model_instance)


class StorageModel(models.Model):
    """Base of every record type kept in storage. Subclasses declare:

        class Storage:
            collection = "clients"; id_prefix = "client"; title_field = "name"
            unique = {"email": normalise}   # enforced atomically, case-insensitive if normalised so
    References are StorageForeignKey fields: their target must exist, checked in the write script.
    """

    id = models.CharField(primary_key=True, max_length=64, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(null=True, editable=False)
    updated_at = models.DateTimeField(null=True, editable=False)

    objects = StorageManager()

    class Meta:
        abstract = True
        managed = False
        base_manager_name = "objects"

    @classmethod
    def storage_spec(cls):
        options = cls.Storage
        references = {
            f.attname: f.related_model.Storage.collection
            for f in cls._meta.concrete_fields
            if isinstance(f, StorageForeignKey)
        }
        return CollectionSpec(
            name=options.collection,
            id_prefix=options.id_prefix,
            label=cls._meta.verbose_name.capitalize(),
            unique=dict(getattr(options, "unique", {})),
            references=references,
            title_field=getattr(options, "title_field", ""),
        )

    @classmethod
    def storage(cls):
        return get_store().collection(cls.Storage.collection)

    @classmethod
    def from_record(cls, record):
        values = {}
        for field in cls._meta.concrete_fields:
            raw = record.get(field.attname, field.get_default() if field.has_default() else None)
            if isinstance(raw, tuple):
                raw = list(raw)
            values[field.attname] = field.to_python(raw) if raw is not None else None
        instance = cls(**values)
        instance._state.adding = False
        instance._state.db = "default"
        return instance

    def to_fields(self):
        """The writable fields as stored in the record JSON."""
        fields = {}
        for field in self._meta.concrete_fields:
            if field.attname in READ_ONLY_FIELDS:
                continue
            fields[field.attname] = to_storage_value(field, getattr(self, field.attname))
        return fields

    def save(self, *args, check_version=True, **kwargs):
        """Create or update through storage. An update refuses a stale version unless
        check_version=False (then the latest version is overwritten)."""
        collection = self.storage()
        if self._state.adding:
            record = collection.create(self.to_fields())
        else:
            expected = self.version if check_version else None
            record = collection.update(self.pk, self.to_fields(), expected_version=expected)
        for name in READ_ONLY_FIELDS:
            field = self._meta.get_field(name)
            setattr(self, field.attname, field.to_python(record.get(name)))
        self._state.adding = False
        self._state.db = "default"

    def delete(self, *args, cascade=False, check_version=False, **kwargs):
        expected = self.version if check_version else None
        result = self.storage().delete(self.pk, expected_version=expected, cascade=cascade)
        return 1 + result.cascaded, {self._meta.label: 1}

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        record = self.storage().get(self.pk)
        if record is None:
            raise self.DoesNotExist(f"{self._meta.object_name} {self.pk!r} no longer exists")
        fresh = self.from_record(record)
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(fresh, field.attname))

    def validate_unique(self, exclude=None):
        """Uniqueness is enforced atomically by the write script (see as_validation_error)."""

    def validate_constraints(self, exclude=None):
        pass


def register_model(model):
    """Called from the app's ready(): declares the model's collection to the storage layer."""
    register(model.storage_spec())


def as_validation_error(model, exc):
    """A storage constraint error as a Django ValidationError keyed by the model's field name."""
    if isinstance(exc, UniqueViolation):
        field = _field_for(model, exc.field)
        return ValidationError(
            {field.name: f"{model._meta.verbose_name.capitalize()} with this {field.verbose_name} already exists."}
        )
    if isinstance(exc, ReferenceViolation):
        field = _field_for(model, exc.field)
        return ValidationError({field.name: f"{field.verbose_name.capitalize()} {exc.value!r} does not exist."})
    if isinstance(exc, NotFound):
        return ValidationError(f"{model._meta.verbose_name.capitalize()} {exc.record_id!r} no longer exists.")
    raise TypeError(f"{type(exc).__name__} is not a validation problem")


def _field_for(model, attname):
    for field in model._meta.concrete_fields:
        if attname in (field.name, field.attname):
            return field
    return model._meta.pk


__all__ = [
    "MappedValue",
    "StorageForeignKey",
    "StorageManager",
    "StorageModel",
    "StorageQuerySet",
    "as_validation_error",
    "register_model",
]

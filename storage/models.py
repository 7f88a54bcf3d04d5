"""The bridge that lets an unmanaged Django model live in a storage collection.

A model declares its fields once (they drive validation, forms, serializers and the schema) and a
`Storage` inner class naming its collection. `objects` is a Manager over a narrow in-memory
QuerySet: get, filter / exclude (Q objects, the lookups below), order_by, count, exists,
slicing and iteration. Anything else raises NotImplementedError instead of pretending.
save() and delete() go through storage; no SQL ever runs for these models.
"""

import operator
from datetime import UTC, datetime

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


class StorageQuerySet:
    """An immutable, lazily evaluated view of a collection, filtered and ordered in memory."""

    def __init__(self, model, where=None, ordering=(), window=(0, None)):
        self.model = model
        self._where = where  # a Q tree, or None
        self._ordering = tuple(ordering)
        self._window = window
        self._result = None
        self._matched = None  # every matching record, ordered, before the slice: shared by slices

    def _clone(self, **changes):
        args = {"where": self._where, "ordering": self._ordering, "window": self._window}
        args.update(changes)
        return type(self)(self.model, **args)

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
            self._resolve(name.lstrip("-"))
        return self._clone(ordering=fields)

    @property
    def ordered(self):
        return True

    @property
    def db(self):
        return "default"

    def count(self):
        return len(self._records())

    def exists(self):
        return bool(self._records())

    def get(self, *args, **kwargs):
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
        ids = [i for i in (id_list or []) if isinstance(i, str)]
        found = {}
        for record_id in ids:
            record = self.model.storage().get(record_id)
            if record is not None:
                found[record_id] = self.model.from_record(record)
        return found

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
        self._check(q)
        return self._clone(where=q if self._where is None else self._where & q)

    def _instances(self):
        if self._result is None:
            self._result = [self.model.from_record(r) for r in self._records()]
        return self._result

    def _records(self):
        if self._matched is None:
            records = self.model.storage().all()  # oldest first: (created_at, id), the stable tie-break
            if self._where is not None:
                matches = self._compile(self._where)
                self._matched = self._sort([r for r in records if matches(r)])
            elif self._ordering:
                self._matched = self._sorted_all(records)
            else:
                self._matched = records
        start, stop = self._window
        return self._matched[start:stop]

    def _sort(self, records):
        records = list(records)
        for name in reversed(self._ordering):
            attname = self._resolve(name.lstrip("-")).attname
            if attname == "created_at" and len(self._ordering) == 1:
                if name.startswith("-"):  # already in creation order: no sort needed
                    records.reverse()
                continue
            records.sort(key=lambda r, a=attname: _sort_key(r.get(a)), reverse=name.startswith("-"))
        return records

    def _sorted_all(self, records):
        """The whole collection in this ordering, sorted once per version of the collection: all()
        hands out the same tuple until something changes, so a list page of an unchanged collection
        costs the page, not a sort (or copy) of every record (bench issue 9: 100,000 clients)."""
        key = (self.model._meta.label, self._ordering)
        found = _SORTED.get(key)
        if found is not None and found[0] is records:
            return found[1]
        ordered = self._sort(records)
        _SORTED[key] = (records, ordered)
        return ordered

    def _compile(self, q):
        """The Q tree as one predicate over a record, resolved once (not once per record)."""
        tests = []
        for child in q.children:
            if isinstance(child, Q):
                tests.append(self._compile(child))
                continue
            key, value = child
            field, lookup = self._split(key)
            if lookup == "in":
                wanted = [to_storage_value(field, v) for v in value]
            elif lookup == "isnull":
                wanted = value
            else:
                wanted = to_storage_value(field, value)
            tests.append(_lookup_test(field.attname, lookup, wanted))
        if len(tests) == 1:
            (test,) = tests
        elif q.connector == Q.AND:
            test = lambda r: all(t(r) for t in tests)  # noqa: E731
        else:
            test = lambda r: any(t(r) for t in tests)  # noqa: E731
        return (lambda r: not test(r)) if q.negated else test

    def _check(self, q):
        for child in q.children:
            if isinstance(child, Q):
                self._check(child)
            else:
                self._split(child[0])

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
        if q.negated or len(q.children) != 1 or isinstance(q.children[0], Q):
            return None
        key, value = q.children[0]
        if key in ("pk", "id", "pk__exact", "id__exact"):
            return str(value) if value is not None else ""
        return None


# (model label, ordering) -> (the all() tuple it was sorted from, that tuple sorted); never mutated:
# _records hands out slices (copies) of it.
_SORTED = {}


def _lookup_test(attname, lookup, wanted):
    """One lookup as a predicate over a record; the common ones without a generic call per record."""
    if lookup == "exact":
        return lambda r: r.get(attname) == wanted
    if lookup == "icontains":
        folded = _fold(wanted)
        return lambda r: (
            (v := r.get(attname)) is not None and folded in (v.casefold() if isinstance(v, str) else _fold(v))
        )
    test = LOOKUPS[lookup]
    return lambda r: bool(test(r.get(attname), wanted))


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
    "StorageForeignKey",
    "StorageManager",
    "StorageModel",
    "StorageQuerySet",
    "as_validation_error",
    "register_model",
]

"""StorageQuerySet: a narrow, immutable, lazily evaluated QuerySet over a collection, evaluated in
memory (or from the backend's indexes when the collection outgrows the cache: indexed.py). get,
filter / exclude (the lookups of lookups.py), order_by, count, version_seen, exists, slicing,
iteration, in_bulk, and for the admin `query.order_by`, annotate(name=MappedValue(...)) and the
derived values of derived.py. Anything else raises NotImplementedError instead of pretending."""

from types import SimpleNamespace

from django.db.models import Q

from . import indexed, lookups
from .annotations import MappedGetter, MappedValue
from .derived import DerivedValues
from .memo import filtered_memo, memo

INDEXED = object()  # a queryset's source when its collection is served from the backend's indexes


class UnsupportedQuerySetMethod(NotImplementedError, AttributeError):
    """Raised for QuerySet methods the bridge does not provide. Also an AttributeError, so that
    hasattr() / getattr(qs, name, default) probes (DRF's router, introspection) answer False."""


class StorageQuerySet(DerivedValues):
    """An immutable, lazily evaluated view of a collection, filtered and ordered in memory."""

    def __init__(self, model, where=None, ordering=(), window=(0, None), annotations=()):
        self.model = model
        self._where = where  # a Q tree whose values are already in stored form, or None
        self._ordering = tuple(ordering)
        self._window = window
        self._annotations = tuple(annotations)  # (name, MappedValue)
        self._result = None
        self._matched = None  # every matching record, ordered, before the slice: shared by slices
        self._version = None  # the collection version the evaluation read
        self._source = None  # the collection's Snapshot once read, or INDEXED; shared by slices

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

    ordered = True  # what Django's paginator checks
    db = "default"

    def count(self):
        # count() then a slice (a paginated list) share one evaluation: one version round trip
        if self._indexed():
            return indexed.count(self, self.model.storage())
        start, stop = self._window
        return len(range(len(self._matches()))[start:stop])  # no copy of the matches to count them

    def exists(self):
        return self.count() > 0

    def version_seen(self):
        """The collection version this queryset read (its one round trip): its count and slices are
        of that version or newer, the key of what derives from them (list-response cache, ETags)."""
        self._read_source()
        return self._version

    def get(self, *args, **kwargs):
        """A pk get is one round trip to the backend (annotations are not applied to it)."""
        where = Q(*args, **kwargs)
        record_id = lookups.single_id(where)
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
            clone._version = self._version
            clone._source = self._source
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
        if not lookups.has_conditions(q):
            return self._clone()  # Q(), Q(Q()): no condition
        q = lookups.prepare(self.model, q)
        return self._clone(where=q if self._where is None else self._where & q)

    def _instances(self):
        if self._result is None:
            self._result = self._instances_of(self._records())
        return self._result

    def _instances_of(self, records):
        instances = [self.model.from_record(r) for r in records]
        for name, value_of in self._annotation_getters().items():
            for instance, record in zip(instances, records, strict=True):
                setattr(instance, name, value_of(record))
        return instances

    def _read_source(self, whole=False):
        """The collection's Snapshot, or INDEXED when it is too large for the cache or still loading
        (what the indexes serve doesn't wait for that load; `whole` does). Read once per queryset."""
        if self._source is None:
            wait = whole or not indexed.servable(self)
            self._version, snapshot = self.model.storage().all_with_version(wait=wait)
            self._source = INDEXED if snapshot is None else snapshot
        return self._source

    def _indexed(self, whole=False):
        return self._read_source(whole) is INDEXED

    def _filtered(self):
        """(snapshot, the records matching the where clause, in creation order)."""
        snapshot = self._read_source()
        if self._where is None:
            return snapshot, snapshot
        records = snapshot
        wanted = lookups.wanted_ids(self._where)
        if wanted is not None:  # pk / pk__in: pick from an id index instead of scanning
            index = memo.get(
                (self.model.Storage.collection, "by-id"), (snapshot,), lambda: lookups.index_by_id(snapshot)
            )
            records = sorted((index[i] for i in set(wanted) if i in index), key=lookups.creation_order)
        elif (reference := indexed.reference_value(self._where, self.model.storage().spec)) is not None:
            return snapshot, indexed.referencing(self, *reference)
        match = lookups.compile_where(self.model, self._where)
        key = (self.model.Storage.collection, self._where)
        return snapshot, filtered_memo.get(key, (snapshot,), lambda: [r for r in records if match(r)])

    def _records(self):
        if self._indexed():
            return indexed.window(self, self.model.storage(), *self._window)[1]
        start, stop = self._window
        return self._matches()[start:stop]

    def _matches(self):
        """Every matching record in order, before the slice (shared by the slices)."""
        if self._matched is None:
            snapshot, records = self._filtered()
            native = indexed.NATIVE_ORDERS.get(self._ordering)
            if self._where is None and native is not None:  # the cache's own order: no sort, no copy
                records = indexed.InOrder(snapshot, native)
            elif self._ordering:
                getters = self._annotation_getters(only=self._ordering)
                if self._where is None:
                    maps = tuple(g.mapping for g in getters.values())
                    key = (self.model.Storage.collection, "sorted", self._ordering)
                    records = memo.get(key, (snapshot, *maps), lambda: self._sort(records, getters))
                else:
                    records = self._sort(records, getters)
            self._matched = records
        return self._matched

    def _sort(self, records, getters):
        return lookups.sort_records(self.model, records, self._ordering, getters)

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
            getters[name] = MappedGetter(mapping, attname, mapped.default)
        return getters

    def _resolve(self, name):
        return lookups.resolve(self.model, name)

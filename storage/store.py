"""The process-wide store: one backend (chosen once, from settings) and its collections."""

import threading

from . import log
from .backends.base import Dependent
from .collection import DEFAULT_MAX_RECORDS, Collection
from .errors import ConfigurationError

_specs = {}  # collection name -> CollectionSpec, registered by the apps' models
_lock = threading.Lock()
_store = None


def register(spec):
    existing = _specs.get(spec.name)
    if existing is not None and existing != spec:
        raise ValueError(f"collection {spec.name!r} is already registered with another spec")
    _specs[spec.name] = spec


def specs():
    return dict(_specs)


class Store:
    def __init__(self, backend, *, stale_reads=False, max_records=DEFAULT_MAX_RECORDS):
        if isinstance(max_records, bool) or not isinstance(max_records, int) or max_records < 1:
            raise ConfigurationError(
                f"STORAGE_CACHE_MAX_RECORDS must be a whole number of records, at least 1 (got {max_records!r})"
            )
        self.backend = backend
        self.stale_reads = stale_reads
        self.max_records = max_records
        self._collections = {}

    @classmethod
    def from_settings(cls, config, backend=None):
        """The store for a STORAGE settings dict (config/settings.py), on its backend unless given."""
        from .config import build_backend

        return cls(
            backend or build_backend(config),
            stale_reads=config["STALE_READS"],
            max_records=config.get("CACHE_MAX_RECORDS", DEFAULT_MAX_RECORDS),
        )

    def collection(self, name):
        found = self._collections.get(name)
        if found is None:
            with _lock:
                found = self._collections.get(name)
                if found is None:
                    spec = _specs[name]
                    found = Collection(
                        spec,
                        self.backend,
                        dependents=dependents_of(name, _specs.values()),
                        stale_reads=self.stale_reads,
                        max_records=self.max_records,
                    )
                    self._collections[name] = found
        return found

    def close(self):
        self.backend.close()


def get_store():
    """The store for this process, built on first use from settings.STORAGE."""
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                from django.conf import settings

                _store = Store.from_settings(settings.STORAGE)
    return _store


def set_store(store):
    """Replace the process's store (startup fallback, tests). Returns the previous one."""
    global _store
    previous, _store = _store, store
    return previous


def describe():
    info = get_store().backend.describe()
    log.success(f"Storage backend: {info['backend']} ({info['target']}, {info['mode']})", **info)
    return info


def dependents_of(name, specs):
    """The Dependent entries of collection `name`: every other spec that references it."""
    found = []
    for spec in specs:
        for field_name, target in spec.references.items():
            if target == name:
                if spec.unique:
                    # The cascade script can't normalise unique values by itself.
                    raise NotImplementedError(f"{spec.name} has unique fields: it can't be a cascade dependent")
                found.append(Dependent(spec.name, field_name, tuple(spec.references), tuple(spec.sorts)))
    return tuple(found)

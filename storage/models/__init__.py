"""The bridge that lets an unmanaged Django model live in a storage collection: the model, its
foreign key and manager (model.py), the QuerySet (query.py), its lookups (lookups.py), the memo of
derived results (memo.py) and the registration with the storage layer (registration.py)."""

from .annotations import MappedValue
from .lookups import to_storage_value
from .model import StorageForeignKey, StorageManager, StorageModel
from .query import StorageQuerySet, UnsupportedQuerySetMethod
from .registration import as_validation_error, register_model

__all__ = [
    "MappedValue",
    "StorageForeignKey",
    "StorageManager",
    "StorageModel",
    "StorageQuerySet",
    "UnsupportedQuerySetMethod",
    "as_validation_error",
    "register_model",
    "to_storage_value",
]

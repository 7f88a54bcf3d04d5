"""StorageModel, its foreign key and its manager: an unmanaged Django model whose records live in a
storage collection. The model declares its fields once (they drive validation, forms, serializers
and the schema) and a `Storage` inner class naming its collection; save() and delete() go through
storage, no SQL ever runs for these models."""

from types import MappingProxyType

from django.db import models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from storage.cache import thaw
from storage.collection import CollectionSpec
from storage.document import SYSTEM_FIELDS
from storage.keys import ID_MAX_LENGTH
from storage.store import get_store

from .lookups import stored_to_python, to_storage_value
from .query import StorageQuerySet

BUILT_RECORDS_KEPT = 4096  # per model: the converted values of this many stored records


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

    system_fields = SYSTEM_FIELDS  # set by the store, read-only everywhere else

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, editable=False)
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
            listed=tuple(getattr(options, "listed", ())),
            sorts=tuple(getattr(options, "sorted", ())),
        )

    @classmethod
    def storage(cls):
        return get_store().collection(cls.Storage.collection)

    @classmethod
    def from_record(cls, record):
        """An instance of a stored record: each value converted by its field. A list page builds
        fifty of these, so the converted values of a frozen record (the cache's, the same object
        while the record is unchanged) are kept, and the attributes are set directly (what
        Model.__init__ does for plain fields) unless a pre_init / post_init receiver exists."""
        entry = cls._built.get(id(record)) if "_built" in cls.__dict__ else None
        if entry is None or entry[0] is not record:
            entry = cls._convert(record)
        attrs = entry[1].copy()
        for name in entry[2]:  # each instance gets its own copy of a list or dict
            attrs[name] = thaw(attrs[name])
        if pre_init.receivers or post_init.receivers:
            instance = cls(*[attrs[name] for name in cls._attnames])
            state = instance._state
        else:
            instance = cls.__new__(cls)
            state = attrs["_state"] = ModelState()
            instance.__dict__ = attrs
        state.adding = False
        state.db = "default"
        return instance

    @classmethod
    def _convert(cls, record):
        """(record, converted values by attname, names of mutable values), kept for a frozen record."""
        if "_built" not in cls.__dict__:
            fields = cls._meta.concrete_fields
            cls._converters = tuple((f.get_default() if f.has_default() else None, stored_to_python(f)) for f in fields)
            cls._attnames = tuple(f.attname for f in fields)
            cls._built = {}
        attrs = {
            attname: convert(record.get(attname, default))
            for attname, (default, convert) in zip(cls._attnames, cls._converters, strict=True)
        }
        mutable = tuple(name for name, value in attrs.items() if isinstance(value, list | dict))
        entry = (record, attrs, mutable)
        if isinstance(record, MappingProxyType):  # a plain dict could change after this
            if len(cls._built) >= BUILT_RECORDS_KEPT:
                cls._built.clear()
            cls._built[id(record)] = entry  # holding the record keeps its id from being reused
        return entry

    def to_fields(self):
        """The writable fields as stored in the record JSON."""
        fields = {}
        for field in self._meta.concrete_fields:
            if field.attname in SYSTEM_FIELDS:
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
        for name in SYSTEM_FIELDS:
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

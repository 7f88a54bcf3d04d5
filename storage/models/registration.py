"""Declaring storage models to the storage layer, and storage refusals as Django validation errors."""

from django.core.exceptions import ValidationError

from storage.errors import NotFound, ReferenceViolation, UniqueViolation
from storage.store import register


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

"""Strict JSON types: the schema says string / integer / boolean, so a JSON body that
sends 0 for a string, "60" for an integer or 1 for a boolean gets a 400 instead of a silent
conversion. HTML forms (the browsable API) send only strings and keep DRF's conversions.

STRICT_FIELD_MAPPING replaces ModelSerializer.serializer_field_mapping in the record serializers.
"""

from django.core.validators import RegexValidator
from django.db import models
from rest_framework import serializers

from storage.keys import ID_MAX_LENGTH, ID_PATTERN, ID_RULE


def _from_json(field):
    request = field.context.get("request")
    return request is not None and (request.content_type or "").startswith("application/json")


def _strict(base, accepted):
    class Strict(base):
        def to_internal_value(self, data):
            if _from_json(self) and (
                not isinstance(data, accepted) or (bool not in accepted and isinstance(data, bool))
            ):
                self.fail("invalid", input=data)
            return super().to_internal_value(data)

    Strict.__name__ = f"Strict{base.__name__}"
    return Strict


StrictBooleanField = _strict(serializers.BooleanField, (bool,))
StrictCharField = _strict(serializers.CharField, (str,))
StrictEmailField = _strict(serializers.EmailField, (str,))
StrictIntegerField = _strict(serializers.IntegerField, (int,))

STRICT_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.BooleanField: StrictBooleanField,
    models.CharField: StrictCharField,
    models.TextField: StrictCharField,
    models.EmailField: StrictEmailField,
    models.IntegerField: StrictIntegerField,
    models.PositiveIntegerField: StrictIntegerField,
    models.PositiveSmallIntegerField: StrictIntegerField,
    models.SmallIntegerField: StrictIntegerField,
}


def reference_field(label, **kwargs):
    """A record id sent as a plain string (its existence is checked atomically by the write
    script, not by a query first), in the id format storage accepts."""
    validator = RegexValidator(ID_PATTERN, f"Enter a valid {label} id ({ID_RULE}).")
    return StrictCharField(max_length=ID_MAX_LENGTH, validators=[validator], **kwargs)


class StringItemField(serializers.CharField):
    """An item of a string list: a string (DRF's CharField would turn 1 into "1"), trimmed."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def string_list_field(shape, **kwargs):
    """The API field of a storage.models.fields.StringList, built from its declaration."""
    return serializers.ListField(
        child=StringItemField(min_length=1, max_length=shape.max_length),
        max_length=shape.max_items,
        validators=[shape.validate],
        help_text=shape.help_text,
        **kwargs,
    )

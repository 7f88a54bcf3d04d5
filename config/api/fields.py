"""Strict JSON types (issue 8): the schema says string / integer / boolean, so a JSON body that
sends 0 for a string, "60" for an integer or 1 for a boolean gets a 400 instead of a silent
conversion. HTML forms (the browsable API) send only strings and keep DRF's conversions.

STRICT_FIELD_MAPPING replaces ModelSerializer.serializer_field_mapping in the record serializers.
"""

from django.db import models
from rest_framework import serializers


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
